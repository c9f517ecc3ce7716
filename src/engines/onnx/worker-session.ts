import { Worker } from 'node:worker_threads';
import { ModelLoadError, RerankerError } from '../../spec/errors.js';
import type { GgufLayout } from './gguf-tensors.js';
import type { Qwen3Config } from './qwen3-config.js';
import type { Qwen3SessionOptions } from './qwen3-session.js';
import type { PrefixHandle, SessionReply, SessionRequest, SessionResult, SessionWorkerData } from './session-protocol.js';

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
  private readonly pending = new Map<number, { resolve: (value: SessionResult) => void; reject: (error: unknown) => void }>();
  private failure: RerankerError | undefined;

  private constructor(private readonly worker: Worker) {}

  /** Starts the worker, which reads the weights and builds the session; resolves once it can run. */
  static start(layout: GgufLayout, config: Qwen3Config, options: Qwen3SessionOptions): Promise<WorkerSession> {
    const entry = new URL(fromSources ? './session-worker.ts' : './session-worker.js', import.meta.url).href;
    const workerData: SessionWorkerData = { layout, config, options, entry, tsxLoader: fromSources ? import.meta.resolve('tsx/esm/api') : undefined };
    const worker = new Worker(BOOTSTRAP, { eval: true, workerData });
    const session = new WorkerSession(worker);
    return new Promise((resolve, reject) => {
      const loadFailed = (message: string) => reject(new ModelLoadError('model_load_failed', `cannot load ${layout.path} on onnxruntime: ${message}`));
      worker.on('message', (reply: SessionReply) => {
        if (reply.type === 'ready') {
          // An idle session must not keep the process alive (a script that never calls close() still exits, as on
          // the llama.cpp engine); `request` holds a reference while runs are pending.
          worker.unref();
          resolve(session);
        }
        else if (reply.type === 'error' && reply.id === undefined) loadFailed(reply.message);
        else session.settle(reply);
      });
      worker.on('error', (error) => {
        loadFailed(error.message);
        session.fail(error.message);
      });
      worker.on('exit', (code) => {
        loadFailed(`the session worker exited with code ${code}`);
        session.fail(`the session worker exited with code ${code}`);
      });
    });
  }

  /** Evaluates `tokens` after `past`; returns a handle on the key/value cache of `past + tokens`. */
  async extend(tokens: readonly number[], past?: PrefixHandle): Promise<PrefixHandle> {
    const id = (await this.request({ op: 'extend', tokens: [...tokens], past: past?.id })) as number;
    return { id, length: (past?.length ?? 0) + tokens.length };
  }

  /** Evaluates each of `documents` after `past`, in one run; returns logit(yes) − logit(no) at each one's last token. */
  async score(documents: readonly (readonly number[])[], past?: PrefixHandle): Promise<number[]> {
    return (await this.request({ op: 'score', documents: documents.map((tokens) => [...tokens]), past: past?.id })) as number[];
  }

  /** Frees a key/value cache in the worker. */
  release(cache: PrefixHandle): void {
    if (!this.failure) void this.request({ op: 'release', cache: cache.id }).catch(() => undefined);
  }

  /** Releases the session (and writes its profile, if one was asked for), then ends the worker. */
  async close(): Promise<void> {
    if (!this.failure) await this.request({ op: 'close' }).catch(() => undefined);
    await this.worker.terminate();
  }

  private request(request: DistributiveOmit<SessionRequest, 'id'>): Promise<SessionResult> {
    if (this.failure) return Promise.reject(this.failure);
    const id = this.nextRequest++;
    return new Promise((resolve, reject) => {
      if (this.pending.size === 0) this.worker.ref();
      this.pending.set(id, { resolve, reject });
      this.worker.postMessage({ ...request, id } as SessionRequest);
    });
  }

  private settle(reply: SessionReply): void {
    if (reply.type === 'ready' || reply.id === undefined) return;
    const waiter = this.pending.get(reply.id);
    this.pending.delete(reply.id);
    if (this.pending.size === 0) this.worker.unref();
    if (reply.type === 'result') waiter?.resolve(reply.value);
    else waiter?.reject(new RerankerError('engine_failed', `the ONNX engine failed: ${reply.message}`));
  }

  /** The worker is gone: every waiting and later request fails. */
  private fail(message: string): void {
    this.failure ??= new RerankerError('engine_failed', `the ONNX engine's worker stopped: ${message}`);
    for (const waiter of this.pending.values()) waiter.reject(this.failure);
    this.pending.clear();
  }
}

type DistributiveOmit<T, K extends PropertyKey> = T extends unknown ? Omit<T, K> : never;
