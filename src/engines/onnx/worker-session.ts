import { Worker } from 'node:worker_threads';
import { ModelLoadError, RerankerError, type RerankerErrorCode } from '../../spec/errors.js';
import type { GgufLayout } from './gguf-tensors.js';
import type { Qwen3Config } from './qwen3-config.js';
import type { Qwen3SessionOptions } from './qwen3-session.js';
import type { FailedReply, PrefixHandle, RequestReply, SessionReply, SessionRequest, SessionWorkerData, WireError } from './session-protocol.js';

/** Started from TypeScript sources (tests run through tsx), the worker needs tsx's loader registered first. */
const fromSources = import.meta.url.endsWith('.ts');

/**
 * Loads the entry module given in workerData, after registering tsx's loader when running from sources. (A
 * worker does not inherit the loader hooks of `--import tsx`, and in dist/ the entry is plain JavaScript.)
 */
const BOOTSTRAP = `(async () => {
  const { workerData } = require('node:worker_threads');
  if (workerData.tsxLoader) (await import(workerData.tsxLoader)).register();
  await import(workerData.entry);
})();`;

/** The Qwen3 session in its worker thread (session-worker.ts), seen from the main thread. */
export class WorkerSession {
  private nextRequest = 1;
  /** Each waiting request's reader of its reply (see `request`). */
  private readonly pending = new Map<number, (reply: RequestReply) => void>();
  private failure: RerankerError | undefined;
  private markStopped!: (error: RerankerError) => void;
  /** Settles once the worker has stopped (it died, or `close()` ended it), with the error its requests got. */
  readonly stopped = new Promise<RerankerError>((resolve) => (this.markStopped = resolve));

  private constructor(private readonly worker: Worker) {}

  /** Starts the worker, which reads the weights and builds the session; resolves once it can run. */
  static start(layout: GgufLayout, config: Qwen3Config, options: Qwen3SessionOptions): Promise<WorkerSession> {
    const entry = new URL(fromSources ? './session-worker.ts' : './session-worker.js', import.meta.url).href;
    const workerData: SessionWorkerData = { layout, config, options, entry, tsxLoader: fromSources ? import.meta.resolve('tsx/esm/api') : undefined };
    const worker = new Worker(BOOTSTRAP, { eval: true, workerData });
    const session = new WorkerSession(worker);
    return new Promise((resolve, reject) => {
      const loadFailed = (error: WireError) => reject(loadError(layout.path, error));
      worker.on('message', (reply: SessionReply) => {
        switch (reply.type) {
          case 'ready':
            // An idle session must not keep the process alive (a script that never calls close() still exits, as
            // on the llama.cpp engine); `request` holds a reference while runs are pending.
            worker.unref();
            resolve(session);
            return;
          case 'load_failed':
            loadFailed(reply.error);
            return;
          default:
            session.settle(reply);
        }
      });
      worker.on('error', (error) => {
        loadFailed({ message: error.message, code: undefined });
        session.fail(error.message);
      });
      worker.on('exit', (code) => {
        loadFailed({ message: `the session worker exited with code ${code}`, code: undefined });
        session.fail(`the session worker exited with code ${code}`);
      });
    });
  }

  /** Evaluates `tokens` after `past`; returns a handle on the key/value cache of `past + tokens`. */
  async extend(tokens: readonly number[], past?: PrefixHandle): Promise<PrefixHandle> {
    const id = await this.request({ type: 'extend', tokens: [...tokens], past: past?.id }, (reply) => (reply.type === 'extended' ? reply.cache : undefined));
    return { id, length: (past?.length ?? 0) + tokens.length };
  }

  /** Evaluates each of `documents` after `past`, in one run; returns logit(yes) − logit(no) at each one's last token. */
  score(documents: readonly (readonly number[])[], past?: PrefixHandle): Promise<number[]> {
    return this.request({ type: 'score', documents: documents.map((tokens) => [...tokens]), past: past?.id }, (reply) => (reply.type === 'scored' ? reply.logits : undefined));
  }

  /** Frees a key/value cache in the worker. */
  release(cache: PrefixHandle): void {
    if (!this.failure) void this.request({ type: 'release', cache: cache.id }, done).catch(() => undefined);
  }

  /**
   * Releases the session (and writes its profile, if one was asked for) once the runs already sent have ended, then
   * ends the worker. Past `waitMs`, the requests still pending fail with `aborted` and this returns; the worker
   * ends by itself after those runs (it answers `close` last), referenced until then. It is never terminated while
   * a run may be inside onnxruntime: measured on the 0.6B shape, a worker terminated mid-run aborted the whole
   * process (`terminate called after throwing an instance of 'Napi::Error'`, SIGABRT) when the run returned.
   */
  async close(waitMs: number): Promise<void> {
    if (this.failure) {
      await this.worker.terminate();
      return;
    }
    let timer: NodeJS.Timeout | undefined;
    const closed = this.request({ type: 'close' }, done).catch(() => true);
    const intime = await Promise.race([closed, new Promise<false>((resolve) => (timer = setTimeout(() => resolve(false), waitMs)))]);
    clearTimeout(timer);
    if (intime) await this.worker.terminate();
    else this.fail('the engine closed before this run ended', 'aborted');
  }

  /**
   * Sends `request` and reads its answer with `read`, which returns the value of the reply type that answers this
   * request and undefined for any other (a protocol error). A `failed` reply rejects with the worker's error code.
   */
  private request<T>(request: DistributiveOmit<SessionRequest, 'id'>, read: (reply: RequestReply) => T | undefined): Promise<T> {
    if (this.failure) return Promise.reject(this.failure);
    const id = this.nextRequest++;
    const message: SessionRequest = { ...request, id };
    return new Promise<T>((resolve, reject) => {
      if (this.pending.size === 0) this.worker.ref();
      this.pending.set(id, (reply) => {
        if (reply.type === 'failed') return reject(runError(reply.error));
        const value = read(reply);
        if (value === undefined) reject(new RerankerError('engine_failed', `the ONNX session worker answered a ${request.type} request with ${reply.type}`));
        else resolve(value);
      });
      this.worker.postMessage(message);
    });
  }

  private settle(reply: RequestReply): void {
    const waiter = this.pending.get(reply.id);
    this.pending.delete(reply.id);
    // After a failure the worker is gone, or ending its last runs after a late `close`: then it stays referenced.
    if (this.pending.size === 0 && !this.failure) this.worker.unref();
    waiter?.(reply);
  }

  /** The worker is gone, or was closed past its bound: every waiting and later request fails. */
  private fail(message: string, code: RerankerErrorCode = 'engine_failed'): void {
    if (!this.failure) {
      this.failure = new RerankerError(code, `the ONNX engine's worker stopped: ${message}`);
      this.markStopped(this.failure);
    }
    const failed: FailedReply = { type: 'failed', id: 0, error: { message: this.failure.message, code: this.failure.code } };
    for (const waiter of this.pending.values()) waiter(failed);
    this.pending.clear();
  }
}

/** `release` and `close` answer `done`; `true` stands for it (`request` reads undefined as a wrong reply). */
const done = (reply: RequestReply) => (reply.type === 'done' ? true : undefined);

/**
 * A load failure from the worker, with its code kept: `not_a_reranker` (a tensor the graph needs is missing) is the
 * file's fault and stays so, which `engine: 'auto'` does not fall back on; anything without a code (onnxruntime
 * refusing the graph, the worker dying) is this engine not running the file: `model_load_failed`.
 */
function loadError(path: string, error: WireError): RerankerError {
  const message = `cannot load ${path} on onnxruntime: ${error.message}`;
  return error.code === undefined ? new ModelLoadError('model_load_failed', message) : new RerankerError(error.code, message);
}

/** A failed run: a RerankerError's code crosses as it was; anything else is the engine failing. */
function runError(error: WireError): RerankerError {
  return new RerankerError(error.code ?? 'engine_failed', `the ONNX engine failed: ${error.message}`);
}

type DistributiveOmit<T, K extends PropertyKey> = T extends unknown ? Omit<T, K> : never;
