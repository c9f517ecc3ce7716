/** Per-endpoint health as `/ready` and `/metrics` report it. */
export interface EndpointStatus {
  url: string;
  /**
   * `healthy`: in rotation. `cooling`: alive but asked to wait (`Retry-After`, 429); no requests until
   * `availableAt`. `unhealthy`: failing; out of rotation until a health check passes, or probed with one request
   * after `availableAt` when no endpoint is healthy.
   */
  state: 'healthy' | 'cooling' | 'unhealthy';
  /** Requests in flight now. */
  activeRequests: number;
  /** Documents in those requests. */
  activeDocuments: number;
  /** Requests answered with scores. */
  requests: number;
  /** Requests that failed on this endpoint (network, timeout, 5xx, 429, malformed answer). */
  failures: number;
  consecutiveFailures: number;
  /** When the endpoint takes requests again (ISO time), or null when it does now. */
  availableAt: string | null;
  lastError: string | null;
  /** Exponentially weighted mean latency of answered requests, in milliseconds. */
  latencyMs: number | null;
}

/** Weight of the newest sample in the latency average. */
const LATENCY_SMOOTHING = 0.2;

/** Mutable bookkeeping of one endpoint. The fleet owns all instances and decides every transition. */
export class EndpointState {
  readonly url: string;
  healthy = true;
  /** Epoch ms before which the endpoint gets no request. */
  availableAt = 0;
  /** Why `availableAt` is in the future: a failure backoff is lifted by a passing health check, a server's
   * `Retry-After` is not. */
  private waitReason: 'failure' | 'busy' | undefined;
  consecutiveFailures = 0;
  activeRequests = 0;
  activeDocuments = 0;
  /** Estimated prompt tokens in flight: the outstanding work the scheduler balances. */
  activeTokens = 0;
  requests = 0;
  failures = 0;
  lastError: string | undefined;
  latencyMs: number | undefined;
  /** Order of the last pick, for round-robin among equally loaded endpoints. */
  lastPicked = 0;
  /** A health check is running. */
  checking = false;

  constructor(url: string) {
    this.url = url;
  }

  start(documents: number, tokens: number, pickOrder: number): void {
    this.activeRequests += 1;
    this.activeDocuments += documents;
    this.activeTokens += tokens;
    this.lastPicked = pickOrder;
  }

  finish(documents: number, tokens: number): void {
    this.activeRequests -= 1;
    this.activeDocuments -= documents;
    this.activeTokens -= tokens;
  }

  succeeded(latencyMs: number): void {
    this.requests += 1;
    this.consecutiveFailures = 0;
    this.healthy = true;
    this.latencyMs = this.latencyMs === undefined ? latencyMs : this.latencyMs + LATENCY_SMOOTHING * (latencyMs - this.latencyMs);
  }

  /** The endpoint failed a request or a health check: out of rotation for `backoffMs`. */
  failed(message: string, backoffMs: number, now: number): void {
    this.failures += 1;
    this.consecutiveFailures += 1;
    this.healthy = false;
    this.lastError = message;
    this.waitUntil(now + backoffMs, 'failure');
  }

  /** The endpoint is alive but overloaded (429, or 503 with `Retry-After`): it stays healthy but waits. */
  busy(message: string, waitMs: number, now: number): void {
    this.failures += 1;
    this.lastError = message;
    this.waitUntil(now + waitMs, 'busy');
  }

  /** A health check passed: back in rotation unless the server itself asked for a pause. */
  passedHealthCheck(): void {
    this.healthy = true;
    this.consecutiveFailures = 0;
    if (this.waitReason === 'failure') {
      this.availableAt = 0;
      this.waitReason = undefined;
    }
  }

  status(now: number): EndpointStatus {
    const waiting = this.availableAt > now;
    return {
      url: this.url,
      state: !this.healthy ? 'unhealthy' : waiting ? 'cooling' : 'healthy',
      activeRequests: this.activeRequests,
      activeDocuments: this.activeDocuments,
      requests: this.requests,
      failures: this.failures,
      consecutiveFailures: this.consecutiveFailures,
      availableAt: waiting ? new Date(this.availableAt).toISOString() : null,
      lastError: this.lastError ?? null,
      latencyMs: this.latencyMs === undefined ? null : Math.round(this.latencyMs),
    };
  }

  private waitUntil(time: number, reason: 'failure' | 'busy'): void {
    if (time >= this.availableAt) {
      this.availableAt = time;
      this.waitReason = reason;
    }
  }
}
