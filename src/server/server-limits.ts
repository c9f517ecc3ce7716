import { DEFAULT_INSTRUCTION, InvalidInputError, LimitExceededError, TEMPLATE_TOKENS, estimateTextTokens } from '../index.js';

/**
 * Request limits and admission settings of the HTTP server. Every limit has a default a user would expect from a
 * rerank API; `resolveServerLimits` applies the defaults once, at the entry point (`createApp`).
 */
export interface ServerLimits {
  /** Largest request body in bytes; larger bodies get 413 `limit_exceeded` (`bodyLimit`). Default: 8 MiB. */
  bodyLimit?: number;
  /** Documents (or pairs) one request may score; more get 422 (`maxDocumentsPerRequest`). `top_n` above this is a
   * 400. Default: 1000 (Cohere's recommended maximum per request, https://docs.cohere.com/reference/rerank). */
  maxDocumentsPerRequest?: number;
  /** Estimated prompt tokens one request may score (see `estimateTextTokens` in src/core/token-estimate.ts); more get 422 (`maxTokensPerRequest`).
   * Default: 1,048,576. */
  maxTokensPerRequest?: number;
  /** Longest query (and instruction) in characters; longer get 422 (`maxQueryCharacters`). Default: 16384. */
  maxQueryCharacters?: number;
  /** Requests scored at the same time (their documents are interleaved by the engine's continuous batching).
   * Default: 16. */
  maxConcurrentRequests?: number;
  /** Requests waiting for a free slot; beyond this new requests get 429 with `Retry-After`. Default: 256. */
  maxQueuedRequests?: number;
  /** Milliseconds a request may take, queueing included; then its work is cancelled and it gets 503 `timeout` with
   * `Retry-After`. `0` disables the timeout. Default: 120000. */
  requestTimeoutMs?: number;
}

export type ResolvedServerLimits = Required<ServerLimits>;

export const DEFAULT_SERVER_LIMITS: ResolvedServerLimits = {
  bodyLimit: 8 * 1024 * 1024,
  maxDocumentsPerRequest: 1000,
  maxTokensPerRequest: 1_048_576,
  maxQueryCharacters: 16_384,
  maxConcurrentRequests: 16,
  maxQueuedRequests: 256,
  requestTimeoutMs: 120_000,
};

/** Applies defaults and rejects nonsense (a limit of 0 documents would make the server useless). */
export function resolveServerLimits(limits: ServerLimits = {}): ResolvedServerLimits {
  const resolved = { ...DEFAULT_SERVER_LIMITS };
  for (const [key, value] of Object.entries(limits) as [keyof ServerLimits, number | undefined][]) {
    if (value === undefined) continue;
    const minimum = key === 'requestTimeoutMs' || key === 'maxQueuedRequests' ? 0 : 1;
    if (!Number.isSafeInteger(value) || value < minimum) {
      throw new RangeError(`server limit ${key} must be an integer >= ${minimum}, got ${String(value)}`);
    }
    resolved[key] = value;
  }
  return resolved;
}

/** What one request asks the engine to score, for the limit checks made before any scoring. */
export interface Workload {
  instruction: string | null | undefined;
  /** Queries with the field each came from (`query`, `queries[2]`, `text_1[0]`...). */
  queries: ReadonlyArray<{ field: string; text: string }>;
  /** Documents per query: `groups[i].queryIndex` indexes `queries`. */
  groups: ReadonlyArray<{ queryIndex: number; documents: readonly string[] }>;
  /** Prompt cap per pair, when truncation applies (`undefined` in windows mode: a long document is read whole). */
  maxLength: number | undefined;
}

/**
 * Refuses work over the configured limits with `LimitExceededError` (422) before it reaches the engine: documents
 * (pairs) per request, query and instruction length, and estimated prompt tokens (each pair capped at
 * `maxLength`, since truncation keeps every prompt within it).
 */
export function checkWorkload(limits: ResolvedServerLimits, workload: Workload): void {
  const pairs = workload.groups.reduce((sum, group) => sum + group.documents.length, 0);
  if (pairs > limits.maxDocumentsPerRequest) {
    throw new LimitExceededError(
      'documents',
      'maxDocumentsPerRequest',
      limits.maxDocumentsPerRequest,
      `${pairs} documents (query-document pairs) in one request; the server accepts at most ${limits.maxDocumentsPerRequest}`,
    );
  }
  const texts = [...workload.queries, ...(workload.instruction ? [{ field: 'instruction', text: workload.instruction }] : [])];
  for (const { field, text } of texts) {
    if (text.length > limits.maxQueryCharacters) {
      throw new LimitExceededError(
        field,
        'maxQueryCharacters',
        limits.maxQueryCharacters,
        `${field} has ${text.length} characters; the server accepts at most ${limits.maxQueryCharacters}`,
      );
    }
  }
  const prefixTokens = TEMPLATE_TOKENS + estimateTextTokens(workload.instruction ?? DEFAULT_INSTRUCTION);
  const queryTokens = workload.queries.map(({ text }) => estimateTextTokens(text));
  let tokens = 0;
  for (const group of workload.groups) {
    const base = prefixTokens + (queryTokens[group.queryIndex] ?? 0);
    for (const document of group.documents) {
      const pair = base + estimateTextTokens(document);
      tokens += workload.maxLength === undefined ? pair : Math.min(pair, workload.maxLength);
    }
  }
  if (tokens > limits.maxTokensPerRequest) {
    throw new LimitExceededError(
      'documents',
      'maxTokensPerRequest',
      limits.maxTokensPerRequest,
      `about ${tokens} prompt tokens in one request (estimated from characters); the server accepts at most ${limits.maxTokensPerRequest}`,
    );
  }
}

/** `top_n` as the library takes it: 0 or absent means all (vLLM's rule); above the documents limit it is a 400. */
export function resolveTopN(limits: ResolvedServerLimits, topN: number | undefined): number | undefined {
  if (topN === undefined || topN === 0) return undefined;
  if (topN > limits.maxDocumentsPerRequest) {
    throw new InvalidInputError('top_n', `top_n must be at most ${limits.maxDocumentsPerRequest} (the documents-per-request limit), got ${topN}`);
  }
  return topN;
}
