import { EngineUnavailableError, RerankerError } from '../../spec/errors.js';
import type { EngineHealth } from '../../spec/types.js';
import type { PrefixHandle } from './session-protocol.js';
import type { WorkerSession } from './worker-session.js';

/**
 * Deaths of the session worker that are answered by a new worker. One: a worker that dies again after its restart
 * has a cause a restart does not fix (memory, a bad build), and reporting it (`/ready` 503) hands the decision to
 * whoever runs the process instead of loading the model again and again.
 */
const RESTARTS = 1;

/** A key/value cache the engine holds a handle on: its whole token sequence (to evaluate it again in a restarted
 * worker) and the worker it lives in now. */
interface Prefix {
  tokens: readonly number[];
  placed: { worker: WorkerSession; handle: Promise<PrefixHandle> };
}

type State =
  | { kind: 'running'; worker: WorkerSession }
  | { kind: 'restarting'; worker: Promise<WorkerSession>; reason: string }
  | { kind: 'dead'; error: RerankerError }
  | { kind: 'closed' };

/**
 * The session worker as the ONNX engine uses it: `WorkerSession`'s operations, on whichever worker is current. When
 * the worker dies (an uncaught error, out of memory, the thread ended), the requests it held fail with
 * `engine_failed` (worker-session.ts) and a new worker loads the model again; requests sent meanwhile wait for it,
 * and prefix handles from before stay valid: each is evaluated again in the new worker when next used. After
 * `RESTARTS` deaths the next one is final: every request fails with `engine_unavailable` and `health()` says why.
 */
export class SessionSupervisor {
  private state: State;
  private restarts = 0;
  private nextPrefix = 1;
  private readonly prefixes = new Map<number, Prefix>();

  private constructor(
    private readonly startWorker: () => Promise<WorkerSession>,
    worker: WorkerSession,
    /** How long the first worker took to load: how long a restart should take. */
    private readonly loadMs: number,
  ) {
    this.state = { kind: 'running', worker };
    this.watch(worker);
  }

  /** Starts the first worker with `startWorker`, which is called again to replace a worker that died. */
  static async start(startWorker: () => Promise<WorkerSession>): Promise<SessionSupervisor> {
    const started = performance.now();
    const worker = await startWorker();
    return new SessionSupervisor(startWorker, worker, performance.now() - started);
  }

  health(): EngineHealth {
    switch (this.state.kind) {
      case 'running':
        return { ready: true };
      case 'restarting':
        return { ready: false, reason: `${this.state.reason}; loading the model in a new worker`, retryAfterSeconds: Math.max(1, Math.ceil(this.loadMs / 1000)) };
      case 'dead':
        return { ready: false, reason: this.state.error.message };
      case 'closed':
        return { ready: false, reason: 'the engine has been closed' };
    }
  }

  /** Evaluates `tokens` after `past`; returns a handle on the key/value cache of `past + tokens`. */
  async extend(tokens: readonly number[], past?: PrefixHandle): Promise<PrefixHandle> {
    const worker = await this.current();
    const parent = past && this.prefix(past);
    const handle = worker.extend(tokens, parent && (await this.placedIn(parent, worker)));
    await handle;
    const id = this.nextPrefix++;
    this.prefixes.set(id, { tokens: [...(parent?.tokens ?? []), ...tokens], placed: { worker, handle } });
    return { id, length: (past?.length ?? 0) + tokens.length };
  }

  /** Evaluates each of `documents` after `past`, in one run; returns logit(yes) − logit(no) at each one's last token. */
  async score(documents: readonly (readonly number[])[], past?: PrefixHandle): Promise<number[]> {
    const worker = await this.current();
    return worker.score(documents, past && (await this.placedIn(this.prefix(past), worker)));
  }

  /** Frees a key/value cache (in the worker, if it lives in the current one). */
  release(past: PrefixHandle): void {
    const prefix = this.prefixes.get(past.id);
    this.prefixes.delete(past.id);
    if (!prefix || this.state.kind !== 'running' || this.state.worker !== prefix.placed.worker) return;
    const { worker, handle } = prefix.placed;
    handle.then((placed) => worker.release(placed), () => undefined);
  }

  /** Ends the current worker (waiting for one being started, to end it too), giving its runs at most `waitMs` (see
   * `WorkerSession.close`); no worker is started after this. */
  async close(waitMs: number): Promise<void> {
    const state = this.state;
    this.state = { kind: 'closed' };
    this.prefixes.clear();
    if (state.kind === 'running') await state.worker.close(waitMs);
    if (state.kind === 'restarting') await state.worker.then((worker) => worker.close(waitMs), () => undefined);
  }

  /** The worker to send a request to: the running one, or the one being started. */
  private current(): Promise<WorkerSession> {
    switch (this.state.kind) {
      case 'running':
        return Promise.resolve(this.state.worker);
      case 'restarting':
        return this.state.worker;
      case 'dead':
        return Promise.reject(this.state.error);
      case 'closed':
        return Promise.reject(new RerankerError('closed', 'the engine has been closed'));
    }
  }

  private prefix(handle: PrefixHandle): Prefix {
    const prefix = this.prefixes.get(handle.id);
    if (!prefix) throw new RerankerError('engine_failed', `the ONNX engine used key/value cache ${handle.id} after releasing it`);
    return prefix;
  }

  /** The prefix's cache in `worker`: where it was made, or evaluated again there after a restart. */
  private placedIn(prefix: Prefix, worker: WorkerSession): Promise<PrefixHandle> {
    if (prefix.placed.worker !== worker) prefix.placed = { worker, handle: worker.extend(prefix.tokens) };
    return prefix.placed.handle;
  }

  /** When `worker` dies while it is the current one: start another, or report the death as final. */
  private watch(worker: WorkerSession): void {
    void worker.stopped.then((death) => {
      if (this.state.kind !== 'running' || this.state.worker !== worker) return; // closed: not a death
      if (this.restarts >= RESTARTS) {
        const reason = `${death.message}, after ${RESTARTS} restart(s); restart the process`;
        this.state = { kind: 'dead', error: new EngineUnavailableError(reason, { cause: death, retryable: false }) };
        return;
      }
      this.restarts++;
      const restarted = this.startWorker().then(
        (next) => {
          if (this.state.kind === 'closed') return next; // `close()` ends it
          this.state = { kind: 'running', worker: next };
          this.watch(next);
          return next;
        },
        (error: unknown) => {
          const reason = `${death.message}, and loading the model in a new worker failed: ${error instanceof Error ? error.message : String(error)}`;
          const dead = new EngineUnavailableError(reason, { cause: error, retryable: false });
          if (this.state.kind !== 'closed') this.state = { kind: 'dead', error: dead };
          throw dead;
        },
      );
      restarted.catch(() => undefined); // observed by the requests that wait for it
      this.state = { kind: 'restarting', worker: restarted, reason: death.message };
    });
  }
}
