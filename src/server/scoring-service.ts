import type { FastifyReply } from 'fastify';
import { AbortedError, EngineUnavailableError, TimeoutError, isRerankerError, type Reranker, type RerankerError } from '../index.js';
import { createAdmissionController, type AdmissionController } from './admission-controller.js';
import { withoutLocalPaths } from './served-model.js';
import type { ResolvedServerLimits } from './server-limits.js';

export type RerankerState =
  | { status: 'loading' }
  | { status: 'ready'; reranker: Reranker }
  | { status: 'failed'; error: unknown };

export interface ScoringService {
  readonly state: RerankerState;
  readonly admission: AdmissionController;
  /** The loaded reranker; throws `EngineUnavailableError` (503 + Retry-After) while it loads or if loading failed. */
  reranker(): Reranker;
  /**
   * Runs one request's scoring under admission control, with a signal that aborts when the client disconnects
   * (its queued work is dropped), when `requestTimeoutMs` passes (`TimeoutError`), or on `abortAll`.
   */
  run<T>(reply: FastifyReply, work: (reranker: Reranker, signal: AbortSignal) => Promise<T>): Promise<T>;
  /** Aborts every running and queued request (the end of a drain that ran out of time). */
  abortAll(reason: RerankerError): void;
}

/** Seconds a client should wait before retrying while the model loads. */
const LOADING_RETRY_AFTER_SECONDS = 5;

export function createScoringService(reranker: Reranker | Promise<Reranker>, limits: ResolvedServerLimits): ScoringService {
  let state: RerankerState = { status: 'loading' };
  if (isPromise(reranker)) {
    reranker.then(
      (loaded) => (state = { status: 'ready', reranker: loaded }),
      (error: unknown) => (state = { status: 'failed', error }),
    );
  } else {
    state = { status: 'ready', reranker };
  }
  const admission = createAdmissionController({ maxConcurrent: limits.maxConcurrentRequests, maxQueued: limits.maxQueuedRequests });
  const active = new Set<AbortController>();

  function current(): Reranker {
    if (state.status === 'ready') return state.reranker;
    if (state.status === 'loading') {
      throw new EngineUnavailableError('the model is still loading; see GET /ready', { retryAfterSeconds: LOADING_RETRY_AFTER_SECONDS });
    }
    const reason = withoutLocalPaths(state.error instanceof Error ? state.error.message : String(state.error));
    throw new EngineUnavailableError(`the model failed to load: ${reason}`, { cause: state.error });
  }

  return {
    get state() {
      return state;
    },
    admission,
    reranker: current,
    async run(reply, work) {
      const loaded = current();
      const controller = new AbortController();
      const timer =
        limits.requestTimeoutMs > 0
          ? setTimeout(
              () => controller.abort(new TimeoutError(`the request took longer than ${limits.requestTimeoutMs} ms (limit requestTimeoutMs)`)),
              limits.requestTimeoutMs,
            )
          : undefined;
      // 'close' fires for every response; before 'finish' it means the client went away.
      const onClose = (): void => {
        if (!reply.raw.writableFinished) controller.abort(new AbortedError('the client disconnected'));
      };
      reply.raw.once('close', onClose);
      active.add(controller);
      try {
        return await admission.run(controller.signal, () => work(loaded, controller.signal));
      } catch (error) {
        // Engines may throw their own AbortedError; the signal's reason says why it was aborted.
        const reason: unknown = controller.signal.reason;
        if (controller.signal.aborted && isRerankerError(reason)) throw reason;
        throw error;
      } finally {
        clearTimeout(timer);
        active.delete(controller);
        reply.raw.off('close', onClose);
      }
    },
    abortAll(reason) {
      for (const controller of active) controller.abort(reason);
    },
  };
}

function isPromise<T>(value: T | Promise<T>): value is Promise<T> {
  return typeof (value as { then?: unknown }).then === 'function';
}
