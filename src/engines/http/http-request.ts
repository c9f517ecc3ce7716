import { linkSignals } from '../../core/abort-signals.js';
import { AbortedError, throwIfAborted } from '../../spec/errors.js';

/** Why a call to one endpoint produced no scores. */
export type EndpointFailure = 'network' | 'timeout' | 'status' | 'malformed';

/**
 * A call to one endpoint that failed. The fleet reads `failure`, `status` and `retryAfterMs` to decide whether the
 * request is retried on another endpoint; the engine turns the ones it does not retry into `RerankerError`s.
 */
export class EndpointError extends Error {
  readonly failure: EndpointFailure;
  /** HTTP status, for `failure: 'status'`. */
  readonly status: number | undefined;
  /** The server's `Retry-After`, in milliseconds. */
  readonly retryAfterMs: number | undefined;
  /** The error body, parsed when it is JSON. */
  readonly body: unknown;

  constructor(
    failure: EndpointFailure,
    message: string,
    options: { status?: number; retryAfterMs?: number; body?: unknown; cause?: unknown } = {},
  ) {
    super(message, options.cause === undefined ? undefined : { cause: options.cause });
    this.name = 'EndpointError';
    this.failure = failure;
    this.status = options.status;
    this.retryAfterMs = options.retryAfterMs;
    this.body = options.body;
  }
}

export interface HttpRequest {
  url: string;
  method: 'GET' | 'POST';
  headers: Readonly<Record<string, string>>;
  /** Sent as JSON. */
  body?: unknown;
  timeoutMs: number;
  signal?: AbortSignal;
}

export interface HttpResponse {
  status: number;
  headers: Headers;
  text: string;
}

/**
 * One HTTP exchange with a timeout. Resolves for 2xx answers only; a caller's abort rejects with the abort reason
 * (`AbortedError`), never as an endpoint failure, so that cancelling a request does not take endpoints out.
 */
export async function sendRequest(request: HttpRequest): Promise<HttpResponse> {
  throwIfAborted(request.signal);
  const timeout = AbortSignal.timeout(request.timeoutMs);
  const { signal, dispose } = linkSignals(request.signal, timeout);
  const describe = `${request.method} ${request.url}`;
  let response: Response;
  let text: string;
  try {
    response = await fetch(request.url, {
      method: request.method,
      headers: {
        accept: 'application/json',
        ...(request.body === undefined ? {} : { 'content-type': 'application/json' }),
        ...request.headers,
      },
      body: request.body === undefined ? undefined : JSON.stringify(request.body),
      signal,
    });
    text = await response.text();
  } catch (error) {
    throwIfAborted(request.signal);
    if (timeout.aborted) throw new EndpointError('timeout', `${describe} got no answer within ${request.timeoutMs} ms`);
    if (error instanceof AbortedError) throw error;
    throw new EndpointError('network', `${describe} failed: ${networkReason(error)}`, { cause: error });
  } finally {
    dispose();
  }
  if (!response.ok) {
    const body = parseJson(text);
    throw new EndpointError('status', `${describe} answered HTTP ${response.status}: ${errorMessage(body) ?? snippet(text)}`, {
      status: response.status,
      retryAfterMs: parseRetryAfter(response.headers.get('retry-after')),
      body,
    });
  }
  return { status: response.status, headers: response.headers, text };
}

/** `sendRequest` for JSON answers: a body that is not JSON is a malformed answer from that endpoint. */
export async function sendJsonRequest(request: HttpRequest): Promise<{ body: unknown; headers: Headers }> {
  const response = await sendRequest(request);
  try {
    return { body: JSON.parse(response.text) as unknown, headers: response.headers };
  } catch {
    throw new EndpointError('malformed', `${request.method} ${request.url} answered with a body that is not JSON: ${snippet(response.text)}`);
  }
}

/**
 * `Retry-After` is either delay-seconds or an HTTP-date (RFC 9110 §10.2.3,
 * https://www.rfc-editor.org/rfc/rfc9110#section-10.2.3). Returns milliseconds from `now`, or undefined when the
 * header is absent or unreadable.
 */
export function parseRetryAfter(value: string | null, now = Date.now()): number | undefined {
  if (value === null) return undefined;
  const trimmed = value.trim();
  if (/^\d+$/.test(trimmed)) return Number(trimmed) * 1000;
  const date = Date.parse(trimmed);
  return Number.isNaN(date) ? undefined : Math.max(0, date - now);
}

/**
 * The human part of an error body. Each server wraps it differently: vLLM `{message}` before 0.10 and
 * `{error: {message}}` since (vllm/entrypoints/openai/protocol.py `ErrorResponse`), llama-server and qwen-ranker
 * `{error: {message}}`
 * (tools/server/server-common.cpp `format_error_response`), TEI `{error}` (router/src/lib.rs `ErrorResponse`),
 * Cohere `{message}` (https://docs.cohere.com/reference/errors).
 */
function errorMessage(body: unknown): string | undefined {
  const { message, error } = (typeof body === 'object' && body !== null ? body : {}) as { message?: unknown; error?: unknown };
  if (typeof message === 'string') return message;
  if (typeof error === 'string') return error;
  const nested = (error as { message?: unknown } | undefined)?.message;
  return typeof nested === 'string' ? nested : undefined;
}

function parseJson(text: string): unknown {
  try {
    return JSON.parse(text) as unknown;
  } catch {
    return undefined;
  }
}

function snippet(text: string): string {
  const flat = text.replace(/\s+/g, ' ').trim();
  return flat.length > 300 ? `${flat.slice(0, 300)}…` : flat || '(empty body)';
}

/** Node's fetch (undici) throws `TypeError('fetch failed')` with the socket error (`ECONNREFUSED`, …) as cause. */
function networkReason(error: unknown): string {
  const cause = (error as { cause?: { code?: unknown; message?: unknown } } | undefined)?.cause;
  if (typeof cause?.code === 'string') return cause.code;
  if (typeof cause?.message === 'string') return cause.message;
  return error instanceof Error ? error.message : String(error);
}
