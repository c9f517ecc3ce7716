// Helpers for the server's end-to-end tests: a real app listening on an ephemeral loopback port, and JSON calls
// over real HTTP with fetch.
import { createApp, type CreateAppOptions, type RerankerApp } from '../../src/server/index.js';

export interface TestServer {
  url: string;
  app: RerankerApp;
  close(): Promise<void>;
}

/** Starts the app on 127.0.0.1 with a free port (the workbench page is left out: these tests are about the API). */
export async function startTestServer(options: CreateAppOptions): Promise<TestServer> {
  const app = createApp({ webUi: false, ...options });
  const url = await app.listen({ port: 0, host: '127.0.0.1' });
  return { url, app, close: () => app.close() };
}

/** A parsed response body. The tests assert many wire shapes field by field, so bodies are left untyped. */
// eslint-disable-next-line @typescript-eslint/no-explicit-any
export type WireBody = any;

export interface JsonResponse<T = WireBody> {
  status: number;
  headers: Headers;
  body: T;
}

/** POSTs `body` (an object is sent as JSON; a string or bytes as given) and parses the JSON answer. */
export async function post<T = WireBody>(
  url: string,
  body: unknown,
  init: { headers?: Record<string, string>; signal?: AbortSignal } = {},
): Promise<JsonResponse<T>> {
  const raw = typeof body === 'string' || body instanceof Uint8Array;
  const response = await fetch(url, {
    method: 'POST',
    headers: { 'content-type': 'application/json', ...init.headers },
    body: raw ? (body as string | Uint8Array<ArrayBuffer>) : JSON.stringify(body),
    signal: init.signal,
  });
  return { status: response.status, headers: response.headers, body: (await response.json()) as T };
}

export async function get<T = WireBody>(url: string, headers: Record<string, string> = {}): Promise<JsonResponse<T>> {
  const response = await fetch(url, { headers });
  const text = await response.text();
  const isJson = response.headers.get('content-type')?.includes('json') ?? false;
  return { status: response.status, headers: response.headers, body: (isJson ? JSON.parse(text) : text) as T };
}

/** Polls `condition` every 20 ms until it holds; fails after `timeoutMs`. */
export async function waitFor(condition: () => boolean | Promise<boolean>, timeoutMs: number, what: string): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!(await condition())) {
    if (Date.now() > deadline) throw new Error(`timed out after ${timeoutMs} ms waiting for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 20));
  }
}

/**
 * Deep equality where numbers may differ by `tolerance`. Scores are not bit-identical between two runs of the
 * same documents: llama.cpp's float sums depend on how documents are batched across sequences (differences of
 * about 1e-7 measured on the tiny model), so "the library's scores" means equal within 1e-5.
 */
export function assertApproxEqual(actual: unknown, expected: unknown, tolerance = 1e-5, path = '$'): void {
  if (typeof expected === 'number' && typeof actual === 'number') {
    if (!(Math.abs(actual - expected) <= tolerance)) throw new Error(`${path}: ${actual} differs from ${expected} by more than ${tolerance}`);
    return;
  }
  if (Array.isArray(expected)) {
    if (!Array.isArray(actual) || actual.length !== expected.length) {
      throw new Error(`${path}: expected an array of ${expected.length}, got ${JSON.stringify(actual)}`);
    }
    expected.forEach((item, i) => assertApproxEqual(actual[i], item, tolerance, `${path}[${i}]`));
    return;
  }
  if (typeof expected === 'object' && expected !== null) {
    if (typeof actual !== 'object' || actual === null) throw new Error(`${path}: expected an object, got ${JSON.stringify(actual)}`);
    const keys = new Set([...Object.keys(expected), ...Object.keys(actual)]);
    for (const key of keys) assertApproxEqual((actual as Record<string, unknown>)[key], (expected as Record<string, unknown>)[key], tolerance, `${path}.${key}`);
    return;
  }
  if (actual !== expected) throw new Error(`${path}: expected ${JSON.stringify(expected)}, got ${JSON.stringify(actual)}`);
}
