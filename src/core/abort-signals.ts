import { throwIfAborted } from '../spec/errors.js';

/**
 * A short-lived signal that fires when any source does, with the source's reason. Unlike `AbortSignal.any`, it
 * detaches from the sources when disposed, so a long-lived signal (a fleet's `closing`, a request's) does not
 * collect one listener per batch, retry or health check. Call `dispose()` when the work is done.
 */
export function linkSignals(...sources: Array<AbortSignal | undefined>): { signal: AbortSignal; dispose(): void } {
  const controller = new AbortController();
  const forward = (event: Event) => controller.abort((event.target as AbortSignal).reason);
  const attached = sources.filter((s): s is AbortSignal => s !== undefined);
  for (const source of attached) {
    if (source.aborted) controller.abort(source.reason);
    else source.addEventListener('abort', forward, { once: true });
  }
  return { signal: controller.signal, dispose: () => attached.forEach((source) => source.removeEventListener('abort', forward)) };
}

/** `promise`, or the signal's error as soon as it aborts (the promise runs on for the others awaiting it). */
export function untilAborted<T>(promise: Promise<T>, signal: AbortSignal | undefined): Promise<T> {
  if (!signal) return promise;
  return new Promise<T>((resolve, reject) => {
    const onAbort = (): void => {
      try {
        throwIfAborted(signal);
      } catch (error) {
        reject(error);
      }
    };
    signal.addEventListener('abort', onAbort, { once: true });
    promise.then(resolve, reject).finally(() => signal.removeEventListener('abort', onAbort));
  });
}
