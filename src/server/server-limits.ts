import { DEFAULT_INSTRUCTION, InvalidInputError, LimitExceededError, TEMPLATE_TOKENS, estimateTextTokens, type ResolvedRerankOptions } from '../index.js';

/** One server limit: the single description from which the `serve` flag, the config file schema, the default and
 * the help text are all derived. */
export interface ServerLimitSetting {
  /** The `qwen-ranker serve` flag, with its value name. */
  flag: string;
  /** Help text (flag help and config schema description); the default is appended where shown. */
  description: string;
  default: number;
  /** Smallest accepted value: 0 where 0 means "none", else 1. */
  minimum: 0 | 1;
}

/**
 * Request limits and admission settings of the HTTP server: every limit has a default a user would expect from a
 * rerank API. Over-limit answers: the body 413, documents, tokens and query length 422 naming the limit, a full
 * queue 429 and a timeout 503, both with `Retry-After`.
 */
export const SERVER_LIMIT_SETTINGS = {
  bodyLimit: { flag: '--body-limit <bytes>', description: 'largest request body in bytes', default: 8 * 1024 * 1024, minimum: 1 },
  // Cohere's recommended maximum per request (https://docs.cohere.com/reference/rerank).
  maxDocumentsPerRequest: { flag: '--max-documents <n>', description: 'documents (pairs) one request may score; top_n above it is a 400', default: 1000, minimum: 1 },
  // Estimated from characters by `estimateTextTokens` (src/core/token-estimate.ts).
  maxTokensPerRequest: { flag: '--max-tokens <n>', description: 'estimated prompt tokens one request may score', default: 1_048_576, minimum: 1 },
  maxQueryCharacters: { flag: '--max-query-chars <n>', description: 'longest query or instruction in characters', default: 16_384, minimum: 1 },
  maxConcurrentRequests: { flag: '--max-concurrent <n>', description: 'requests scored at once (their documents share the engine)', default: 16, minimum: 1 },
  maxQueuedRequests: { flag: '--max-queue <n>', description: 'requests waiting for a slot; beyond this 429 + Retry-After', default: 256, minimum: 0 },
  requestTimeoutMs: { flag: '--request-timeout <ms>', description: 'per-request time limit in ms, queueing included (503 + Retry-After); 0 = none', default: 120_000, minimum: 0 },
} as const satisfies Record<string, ServerLimitSetting>;

export type ServerLimitName = keyof typeof SERVER_LIMIT_SETTINGS;

/** Server limits as `createApp`/`serve` take them; each absent one takes its default from `SERVER_LIMIT_SETTINGS`. */
export type ServerLimits = Partial<Record<ServerLimitName, number>>;

export type ResolvedServerLimits = Required<ServerLimits>;

const limitNames = Object.keys(SERVER_LIMIT_SETTINGS) as ServerLimitName[];

export const DEFAULT_SERVER_LIMITS: ResolvedServerLimits = Object.fromEntries(
  limitNames.map((name) => [name, SERVER_LIMIT_SETTINGS[name].default]),
) as ResolvedServerLimits;

/** Applies defaults and rejects nonsense (a limit of 0 documents would make the server useless). */
export function resolveServerLimits(limits: ServerLimits = {}): ResolvedServerLimits {
  const resolved = { ...DEFAULT_SERVER_LIMITS };
  for (const key of limitNames) {
    const value = limits[key];
    if (value === undefined) continue;
    const { minimum } = SERVER_LIMIT_SETTINGS[key];
    if (!Number.isSafeInteger(value) || value < minimum) {
      throw new InvalidInputError(key, `server limit ${key} must be an integer >= ${minimum}, got ${String(value)}`);
    }
    resolved[key] = value;
  }
  return resolved;
}

/** What one request asks the engine to score, for the limit checks made before any scoring. */
export interface Workload {
  /** The request's options, resolved once by `resolveRerankOptions`. */
  options: Pick<ResolvedRerankOptions, 'instruction' | 'maxLength' | 'longDocuments' | 'topN' | 'evidence'>;
  /** Queries with the field each came from (`query`, `queries[2]`, `text_1[0]`...). */
  queries: ReadonlyArray<{ field: string; text: string }>;
  /** Documents per query: `groups[i].queryIndex` indexes `queries`. */
  groups: ReadonlyArray<{ queryIndex: number; documents: ReadonlyArray<string | { text: string }> }>;
}

/**
 * Refuses work over the configured limits before it reaches the engine: `top_n` above the documents limit (400),
 * then with `LimitExceededError` (422) documents (pairs) per request, query and instruction length, and estimated
 * prompt tokens (each pair capped at `maxLength` when truncating, since truncation keeps every prompt within it;
 * with `evidence`, the sentences of the documents that may be returned as well).
 */
export function checkWorkload(limits: ResolvedServerLimits, workload: Workload): void {
  const { options } = workload;
  if (options.topN !== undefined && options.topN > limits.maxDocumentsPerRequest) {
    throw new InvalidInputError('top_n', `top_n must be at most ${limits.maxDocumentsPerRequest} (the documents-per-request limit), got ${options.topN}`);
  }
  const pairs = workload.groups.reduce((sum, group) => sum + group.documents.length, 0);
  if (pairs > limits.maxDocumentsPerRequest) {
    throw new LimitExceededError(
      'documents',
      'maxDocumentsPerRequest',
      limits.maxDocumentsPerRequest,
      `${pairs} documents (query-document pairs) in one request; the server accepts at most ${limits.maxDocumentsPerRequest}`,
    );
  }
  // The model card's default instruction is the server's own text, not the client's: it never counts against the limit.
  const clientInstruction = options.instruction === DEFAULT_INSTRUCTION ? [] : [{ field: 'instruction', text: options.instruction }];
  const texts = [...workload.queries, ...clientInstruction];
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
  const prefixTokens = TEMPLATE_TOKENS + estimateTextTokens(options.instruction);
  // A long document is read whole in windows mode, so only truncation caps a pair's tokens.
  const cap = options.longDocuments === 'windows' ? Number.POSITIVE_INFINITY : options.maxLength;
  const queryTokens = workload.queries.map(({ text }) => estimateTextTokens(text));
  let tokens = 0;
  for (const group of workload.groups) {
    const base = prefixTokens + (queryTokens[group.queryIndex] ?? 0);
    const bodies = group.documents.map((document) => estimateTextTokens(typeof document === 'string' ? document : document.text));
    for (const body of bodies) tokens += Math.min(base + body, cap);
    // With `evidence`, every returned document's whole text (spans are never truncated) is scored again as
    // sentences after ranking, each after the query's prefix, which is evaluated once. Which documents are
    // returned is known only then, so the check counts the bodies of the `top_n` longest (all without top_n).
    if (options.evidence !== undefined) {
      tokens += bodies.sort((a, b) => b - a).slice(0, options.topN ?? bodies.length).reduce((sum, body) => sum + body, 0);
    }
  }
  if (tokens > limits.maxTokensPerRequest) {
    throw new LimitExceededError(
      'documents',
      'maxTokensPerRequest',
      limits.maxTokensPerRequest,
      `about ${tokens} prompt tokens in one request (estimated from characters${options.evidence === undefined ? '' : ', the returned documents\' evidence sentences included'}); the server accepts at most ${limits.maxTokensPerRequest}`,
    );
  }
}
