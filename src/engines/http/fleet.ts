import { setMaxListeners } from 'node:events';
import { EngineUnavailableError, OverloadedError, RerankerError, throwIfAborted } from '../../spec/errors.js';
import { linkSignals } from '../../core/abort-signals.js';
import { EndpointState, type EndpointStatus } from './endpoint-state.js';
import { EndpointError, sendRequest } from './http-request.js';

export interface FleetOptions {
  /** Base URLs, without a trailing slash. */
  endpoints: readonly string[];
  healthPath: string;
  /** Sent with health checks (an API key may guard every route). */
  headers: Readonly<Record<string, string>>;
  timeoutMs: number;
  maxRetries: number;
  maxConcurrentRequestsPerEndpoint: number;
  /** `0` disables periodic checks. */
  healthCheckIntervalMs: number;
}

/** One request the fleet places on an endpoint. */
export interface FleetJob<T> {
  documents: number;
  /** Estimated prompt tokens: how much work the job adds to the endpoint running it. */
  tokens: number;
  send(endpointUrl: string, signal: AbortSignal): Promise<T>;
}

interface Waiter {
  tried: ReadonlySet<EndpointState>;
  job: FleetJob<unknown>;
  resolve(endpoint: EndpointState): void;
  reject(error: unknown): void;
}

/**
 * Backoff after failures: 250 ms doubling per consecutive failure, capped at 30 s, with "equal jitter" (half fixed,
 * half random) so that clients do not return in lockstep
 * (https://aws.amazon.com/blogs/architecture/exponential-backoff-and-jitter/).
 */
const BACKOFF_BASE_MS = 250;
const BACKOFF_CAP_MS = 30_000;
/** A server's `Retry-After` is honoured up to this long; beyond it the endpoint is tried again anyway. */
const RETRY_AFTER_CAP_MS = 60_000;
/** Wait after a 429 that names no time. */
const BUSY_DEFAULT_MS = 1000;
/** Health checks give up after this long (or `timeoutMs` if shorter): a health route answers at once or not at all. */
const HEALTH_TIMEOUT_MS = 5000;

export function failureBackoffMs(consecutiveFailures: number, random: () => number = Math.random): number {
  const ceiling = Math.min(BACKOFF_CAP_MS, BACKOFF_BASE_MS * 2 ** Math.max(0, consecutiveFailures - 1));
  return ceiling / 2 + random() * (ceiling / 2);
}

/**
 * Statuses worth another endpoint: the request was fine, this server was not (404: not this server's route; 408:
 * request timeout; 424: TEI's backend failure; 429: overloaded; 5xx). Every other 4xx would fail anywhere.
 */
export function isRetryable(error: EndpointError): boolean {
  if (error.failure !== 'status') return true;
  const status = error.status ?? 0;
  return status === 404 || status === 408 || status === 424 || status === 429 || status >= 500;
}

/**
 * A set of interchangeable endpoints. Each job goes to the healthy endpoint with the least outstanding work
 * (estimated tokens in flight), at most `maxConcurrentRequestsPerEndpoint` at a time per endpoint; a job that
 * fails on one endpoint is retried on another, up to `maxRetries` times (scoring is idempotent). A failing endpoint
 * leaves the rotation for an exponential backoff and returns when a health check passes; an overloaded one waits as
 * long as its `Retry-After` asks.
 */
export class Fleet {
  private readonly endpoints: EndpointState[];
  private readonly waiters: Waiter[] = [];
  private readonly closing = new AbortController();
  private wakeTimer: NodeJS.Timeout | undefined;
  private healthTimer: NodeJS.Timeout | undefined;
  private pickOrder = 0;

  constructor(private readonly options: FleetOptions) {
    this.endpoints = options.endpoints.map((url) => new EndpointState(url));
    // One listener per request in flight, each removed when its request ends: many in flight is not a leak.
    setMaxListeners(0, this.closing.signal);
  }

  /** Runs `job` on the best endpoint, retrying elsewhere on endpoint failures. */
  async run<T>(job: FleetJob<T>, signal?: AbortSignal): Promise<T> {
    const linked = linkSignals(this.closing.signal, signal);
    try {
      return await this.runWithRetries(job, linked.signal);
    } finally {
      linked.dispose();
    }
  }

  private async runWithRetries<T>(job: FleetJob<T>, signal: AbortSignal): Promise<T> {
    const tried = new Set<EndpointState>();
    let onlyBusy = true;
    for (let attempt = 0; ; attempt++) {
      const endpoint = await this.acquire(tried, job, signal);
      tried.add(endpoint);
      const started = performance.now();
      try {
        const result = await job.send(endpoint.url, signal);
        endpoint.succeeded(performance.now() - started);
        return result;
      } catch (error) {
        if (!(error instanceof EndpointError) || !isRetryable(error)) throw error;
        const busy = this.penalize(endpoint, error);
        onlyBusy &&= busy;
        if (attempt >= this.options.maxRetries) throw this.exhausted(error, attempt + 1, onlyBusy);
      } finally {
        endpoint.finish(job.documents, job.tokens);
        this.pump();
      }
    }
  }

  /** Checks every endpoint's health route once. */
  async checkAll(): Promise<void> {
    await Promise.all(this.endpoints.map((endpoint) => this.check(endpoint)));
  }

  /** Starts periodic health checks (no-op when the interval is 0). The timer never keeps the process alive. */
  startHealthChecks(): void {
    if (this.options.healthCheckIntervalMs <= 0 || this.healthTimer) return;
    this.healthTimer = setInterval(() => void this.checkAll(), this.options.healthCheckIntervalMs);
    this.healthTimer.unref();
  }

  /** Endpoints in rotation now or after a pause they asked for. */
  healthyCount(): number {
    return this.endpoints.filter((e) => e.healthy).length;
  }

  /** Documents waiting for an endpoint slot. */
  waitingDocuments(): number {
    return this.waiters.reduce((sum, w) => sum + w.job.documents, 0);
  }

  /** Documents in requests in flight. */
  activeDocuments(): number {
    return this.endpoints.reduce((sum, e) => sum + e.activeDocuments, 0);
  }

  status(): EndpointStatus[] {
    const now = Date.now();
    return this.endpoints.map((e) => e.status(now));
  }

  /** Stops health checks, aborts requests in flight and fails waiting jobs with a `closed` error. */
  close(): void {
    const reason = new RerankerError('closed', 'the remote engine has been closed');
    this.closing.abort(reason);
    clearInterval(this.healthTimer);
    clearTimeout(this.wakeTimer);
    for (const waiter of this.waiters.splice(0)) waiter.reject(reason);
  }

  /** Resolves with an endpoint that has a free slot, already counted as running `job`. */
  private acquire(tried: ReadonlySet<EndpointState>, job: FleetJob<unknown>, signal: AbortSignal): Promise<EndpointState> {
    throwIfAborted(signal);
    return new Promise((resolve, reject) => {
      const onAbort = () => {
        const i = this.waiters.indexOf(waiter);
        if (i !== -1) this.waiters.splice(i, 1);
        try {
          throwIfAborted(signal);
        } catch (error) {
          reject(error);
        }
      };
      const waiter: Waiter = {
        tried,
        job,
        resolve: (endpoint) => {
          signal.removeEventListener('abort', onAbort);
          resolve(endpoint);
        },
        reject: (error) => {
          signal.removeEventListener('abort', onAbort);
          reject(error);
        },
      };
      signal.addEventListener('abort', onAbort, { once: true });
      this.waiters.push(waiter);
      this.pump();
    });
  }

  /** Hands free slots to waiting jobs in arrival order; if some must wait for a pause to end, wakes up then. */
  private pump(): void {
    clearTimeout(this.wakeTimer);
    this.wakeTimer = undefined;
    while (this.waiters.length > 0) {
      const waiter = this.waiters[0]!;
      const endpoint = this.pick(waiter.tried);
      if (!endpoint) break;
      this.waiters.shift();
      endpoint.start(waiter.job.documents, waiter.job.tokens, ++this.pickOrder);
      waiter.resolve(endpoint);
    }
    if (this.waiters.length === 0) return;
    const now = Date.now();
    const nextPauseEnd = Math.min(...this.endpoints.map((e) => (e.availableAt > now ? e.availableAt : Infinity)));
    if (Number.isFinite(nextPauseEnd)) this.wakeTimer = setTimeout(() => this.pump(), nextPauseEnd - now);
  }

  /**
   * The endpoint for the next job: one with a free slot and no pause, healthy ones first (an unhealthy one only as
   * a probe when no healthy endpoint could take the job soon), endpoints this job has not failed on first, then the
   * least outstanding work, then the least recently picked.
   */
  private pick(tried: ReadonlySet<EndpointState>): EndpointState | undefined {
    const now = Date.now();
    const open = this.endpoints.filter((e) => e.availableAt <= now && e.activeRequests < this.options.maxConcurrentRequestsPerEndpoint);
    let pool = open.filter((e) => e.healthy);
    if (pool.length === 0) {
      const healthySoon = this.endpoints.some((e) => e.healthy && e.availableAt <= now);
      if (healthySoon) return undefined;
      pool = open;
    }
    const untried = pool.filter((e) => !tried.has(e));
    if (untried.length > 0) pool = untried;
    return pool.reduce<EndpointState | undefined>((best, e) => {
      if (!best) return e;
      if (e.activeTokens !== best.activeTokens) return e.activeTokens < best.activeTokens ? e : best;
      if (e.activeRequests !== best.activeRequests) return e.activeRequests < best.activeRequests ? e : best;
      return e.lastPicked < best.lastPicked ? e : best;
    }, undefined);
  }

  /** Takes a failed endpoint out of rotation. Returns true when the failure was only overload. */
  private penalize(endpoint: EndpointState, error: EndpointError): boolean {
    const now = Date.now();
    const overloaded = error.status === 429 || (error.status === 503 && error.retryAfterMs !== undefined);
    if (overloaded) {
      endpoint.busy(error.message, Math.min(error.retryAfterMs ?? BUSY_DEFAULT_MS, RETRY_AFTER_CAP_MS), now);
      return true;
    }
    endpoint.failed(error.message, failureBackoffMs(endpoint.consecutiveFailures + 1), now);
    return false;
  }

  private exhausted(last: EndpointError, attempts: number, onlyBusy: boolean): RerankerError {
    const now = Date.now();
    const nextOpen = Math.min(...this.endpoints.map((e) => Math.max(e.availableAt, now)));
    const retryAfterSeconds = Math.max(1, Math.ceil((nextOpen - now) / 1000));
    const message = `no endpoint could score the request after ${attempts} attempt(s); last error: ${last.message}`;
    return onlyBusy ? new OverloadedError(message, retryAfterSeconds) : new EngineUnavailableError(message, { cause: last, retryAfterSeconds });
  }

  private async check(endpoint: EndpointState): Promise<void> {
    if (endpoint.checking || this.closing.signal.aborted) return;
    endpoint.checking = true;
    const linked = linkSignals(this.closing.signal);
    try {
      await sendRequest({
        url: endpoint.url + this.options.healthPath,
        method: 'GET',
        headers: this.options.headers,
        timeoutMs: Math.min(this.options.timeoutMs, HEALTH_TIMEOUT_MS),
        signal: linked.signal,
      });
      endpoint.passedHealthCheck();
    } catch (error) {
      if (this.closing.signal.aborted) return;
      // A server without a health route (Cohere's API) is judged by its scoring requests alone.
      if (error instanceof EndpointError && error.status === 404) endpoint.passedHealthCheck();
      else endpoint.failed(`health check: ${error instanceof Error ? error.message : String(error)}`, failureBackoffMs(endpoint.consecutiveFailures + 1), Date.now());
    } finally {
      linked.dispose();
      endpoint.checking = false;
      this.pump();
    }
  }
}
