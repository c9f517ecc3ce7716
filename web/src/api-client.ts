/**
 * The workbench's only way to the server: the public HTTP API, exactly as any client calls it.
 * Handles the error body `{error:{code,message,field}}` (docs/http-api.md), Bearer API keys (asked once, kept in
 * sessionStorage), and `Retry-After` on 429/503.
 */

/** An HTTP error from the server, or a network failure (`status` 0). */
export class ApiError extends Error {
  readonly status: number;
  readonly code: string;
  readonly field: string | undefined;
  readonly retryAfterSeconds: number | undefined;

  constructor(status: number, code: string, message: string, field?: string, retryAfterSeconds?: number) {
    super(message);
    this.name = 'ApiError';
    this.status = status;
    this.code = code;
    this.field = field;
    this.retryAfterSeconds = retryAfterSeconds;
  }
}

export interface ApiClientOptions {
  /** Asks the user for an API key after a 401; resolves to `null` when they decline. */
  askForApiKey: (message: string) => Promise<string | null>;
  /** Retries of a 429/503 answer that carries `Retry-After`. Default: 3. */
  overloadRetries?: number;
  /** Longest `Retry-After` wait honoured before giving up, in seconds. Default: 10. */
  maxRetryAfterSeconds?: number;
}

export interface ApiRequest {
  method?: 'GET' | 'POST';
  body?: unknown;
  signal?: AbortSignal;
}

export interface ApiClient {
  /** Sends a request and parses the JSON answer; throws `ApiError` for non-2xx answers. */
  request<T>(path: string, init?: ApiRequest): Promise<T>;
}

const API_KEY_STORAGE_KEY = 'qwen-ranker.api-key';

export function createApiClient(options: ApiClientOptions): ApiClient {
  const overloadRetries = options.overloadRetries ?? 3;
  const maxRetryAfterSeconds = options.maxRetryAfterSeconds ?? 10;
  // Concurrent chunk requests that all hit 401 share one question to the user.
  let pendingKeyQuestion: Promise<string | null> | undefined;

  function askForKeyOnce(message: string): Promise<string | null> {
    pendingKeyQuestion ??= options.askForApiKey(message).then((key) => {
      pendingKeyQuestion = undefined;
      if (key !== null) sessionStorage.setItem(API_KEY_STORAGE_KEY, key);
      return key;
    });
    return pendingKeyQuestion;
  }

  async function send(path: string, init: ApiRequest): Promise<Response> {
    const headers: Record<string, string> = { accept: 'application/json' };
    if (init.body !== undefined) headers['content-type'] = 'application/json';
    const key = sessionStorage.getItem(API_KEY_STORAGE_KEY);
    if (key) headers.authorization = `Bearer ${key}`;
    try {
      // Relative path: resolves against the page, so a server mounted under a prefix still works.
      return await fetch(path, {
        method: init.method ?? (init.body === undefined ? 'GET' : 'POST'),
        headers,
        body: init.body === undefined ? null : JSON.stringify(init.body),
        signal: init.signal ?? null,
      });
    } catch (error) {
      if (init.signal?.aborted) throw error;
      throw new ApiError(0, 'network', `Cannot reach the server (${error instanceof Error ? error.message : String(error)}).`);
    }
  }

  async function request<T>(path: string, init: ApiRequest = {}): Promise<T> {
    let askedForKey = false;
    for (let attempt = 0; ; attempt++) {
      const response = await send(path, init);
      if (response.ok) return (await response.json()) as T;
      const error = await toApiError(response);
      if (response.status === 401 && !askedForKey) {
        askedForKey = true;
        const hadKey = sessionStorage.getItem(API_KEY_STORAGE_KEY) !== null;
        const key = await askForKeyOnce(hadKey ? 'The stored API key was rejected. Enter a valid key.' : 'This server needs an API key.');
        if (key !== null) continue;
      }
      const waitSeconds = error.retryAfterSeconds;
      if ((response.status === 429 || response.status === 503) && waitSeconds !== undefined &&
        waitSeconds <= maxRetryAfterSeconds && attempt < overloadRetries) {
        await sleep(waitSeconds * 1000, init.signal);
        continue;
      }
      throw error;
    }
  }

  return { request };
}

/** Reads the server's error body; tolerates Fastify's default `{statusCode,error,message}` and plain text. */
async function toApiError(response: Response): Promise<ApiError> {
  const retryAfterHeader = response.headers.get('retry-after');
  const retryAfter = retryAfterHeader !== null && /^\d+$/.test(retryAfterHeader) ? Number(retryAfterHeader) : undefined;
  const text = await response.text();
  let body: unknown;
  try {
    body = JSON.parse(text);
  } catch {
    body = undefined;
  }
  const wrapped = isRecord(body) && isRecord(body.error) ? body.error : undefined;
  const flat = isRecord(body) ? body : undefined;
  const message = stringOr(wrapped?.message, stringOr(flat?.message, text.trim() || response.statusText || 'Request failed'));
  const code = stringOr(wrapped?.code, stringOr(flat?.code, `http_${response.status}`));
  const field = stringOr(wrapped?.field, undefined);
  return new ApiError(response.status, code, message, field, retryAfter);
}

function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null;
}

function stringOr<T extends string | undefined>(value: unknown, fallback: T): string | T {
  return typeof value === 'string' && value !== '' ? value : fallback;
}

function sleep(ms: number, signal: AbortSignal | undefined): Promise<void> {
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => {
      signal?.removeEventListener('abort', onAbort);
      resolve();
    }, ms);
    function onAbort(): void {
      clearTimeout(timer);
      reject(signal?.reason as Error);
    }
    signal?.addEventListener('abort', onAbort, { once: true });
  });
}
