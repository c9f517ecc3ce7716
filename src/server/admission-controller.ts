import { OverloadedError, throwIfAborted } from '../index.js';

export interface AdmissionControllerOptions {
  /** Tasks running at once. */
  maxConcurrent: number;
  /** Tasks waiting for a slot; one more is refused with `OverloadedError`. */
  maxQueued: number;
}

export interface AdmissionController {
  /**
   * Runs `task` when a slot is free. Rejects with `OverloadedError` when the queue is full, and with the signal's
   * reason when `signal` aborts while the task waits (the task never starts, so a disconnected client's queued
   * work costs nothing).
   */
  run<T>(signal: AbortSignal, task: () => Promise<T>): Promise<T>;
  readonly running: number;
  readonly queued: number;
}

interface Waiter {
  start: () => void;
}

/** Weight of the newest duration in the moving average used for `Retry-After`. */
const DURATION_SMOOTHING = 0.2;
/** Bounds of the `Retry-After` estimate in seconds. */
const MIN_RETRY_AFTER_SECONDS = 1;
const MAX_RETRY_AFTER_SECONDS = 60;

/**
 * A bounded semaphore with a bounded FIFO queue: the server's admission control. The engine does the continuous
 * batching across the admitted requests; this only keeps the amount of admitted work (memory, latency) bounded
 * and tells clients how long to back off.
 */
export function createAdmissionController(options: AdmissionControllerOptions): AdmissionController {
  const waiting: Waiter[] = [];
  let running = 0;
  let averageDurationMs = 1000;

  function retryAfterSeconds(): number {
    // Time until this client would get a slot if it queued now: the queue ahead of it, drained maxConcurrent at a time.
    const seconds = Math.ceil(((waiting.length + 1) / options.maxConcurrent) * (averageDurationMs / 1000));
    return Math.min(MAX_RETRY_AFTER_SECONDS, Math.max(MIN_RETRY_AFTER_SECONDS, seconds));
  }

  function release(startedAt: number): void {
    averageDurationMs += DURATION_SMOOTHING * (performance.now() - startedAt - averageDurationMs);
    running--;
    waiting.shift()?.start();
  }

  async function execute<T>(task: () => Promise<T>): Promise<T> {
    const startedAt = performance.now();
    try {
      return await task();
    } finally {
      release(startedAt);
    }
  }

  return {
    get running() {
      return running;
    },
    get queued() {
      return waiting.length;
    },
    run<T>(signal: AbortSignal, task: () => Promise<T>): Promise<T> {
      if (signal.aborted) return Promise.reject(abortReason(signal));
      if (running < options.maxConcurrent) {
        running++;
        return execute(task);
      }
      if (waiting.length >= options.maxQueued) {
        return Promise.reject(
          new OverloadedError(
            `server is busy: ${running} requests running and ${waiting.length} queued (limits maxConcurrentRequests and maxQueuedRequests)`,
            retryAfterSeconds(),
          ),
        );
      }
      return new Promise<T>((resolve, reject) => {
        const waiter: Waiter = {
          start: () => {
            signal.removeEventListener('abort', onAbort);
            running++;
            execute(task).then(resolve, reject);
          },
        };
        const onAbort = (): void => {
          const index = waiting.indexOf(waiter);
          if (index !== -1) waiting.splice(index, 1);
          reject(abortReason(signal));
        };
        signal.addEventListener('abort', onAbort, { once: true });
        waiting.push(waiter);
      });
    },
  };
}

/** The error `throwIfAborted` would throw for this signal (its reason when that is a RerankerError). */
function abortReason(signal: AbortSignal): unknown {
  try {
    throwIfAborted(signal);
  } catch (error) {
    return error;
  }
  return undefined;
}
