/**
 * Scores a document list through `POST /api/rerank` (the native endpoint: it returns logit, tokens, cache flag and
 * the winning long-document window per result, src/server/routes/batch-routes.ts) in small chunks, so the page can show honest progress
 * (documents the server has answered for) and cancel between chunks. The server schedules concurrent requests
 * together, so a few chunks in flight cost little over one big request.
 *
 * `top_n` and `min_score` are not sent: the page needs every score to dim the cards under the threshold and to rank
 * across chunks; both are applied by `rankDocuments`. For the same reason `evidence` (when asked for) is computed
 * for every document, not only for the ones shown.
 */
import type { EvidenceSpan } from '../../src/spec/types.js';
import type { ApiClient } from './api-client.js';
import type { ScoredDocument, WindowWire } from './ranking.js';

/** One rerank job as the page describes it. */
export interface RerankJob {
  query: string;
  documents: readonly string[];
  instruction: string;
  /** Prompt token limit; absent = the server's default. */
  maxLength?: number;
  longDocuments: 'truncate' | 'windows';
  /** Best spans to return per document (`evidence: N`); absent = none, and the request carries no `evidence`. */
  evidence?: number;
}

export interface RerankOutcome {
  /** In input order. */
  scored: ScoredDocument[];
  model: string;
  /** `usage.input_tokens` summed over the chunks. */
  totalTokens: number;
  /** Documents answered from the server's score cache. */
  cachedDocuments: number;
  durationMs: number;
}

export interface RunRerankOptions {
  signal?: AbortSignal;
  /** Called after each chunk with the documents scored so far. */
  onProgress?: (done: number, total: number) => void;
  /** Documents per request. Default: enough for about 20 requests, between 1 and 32. */
  chunkSize?: number;
  /** Requests in flight at once. Default: 4. */
  concurrency?: number;
}

/** `POST /api/rerank` answer for one query (src/server/schemas/rerank-schemas.ts `BatchRerankResponse`). */
interface NativeRerankResponse {
  model: string;
  usage: { input_tokens: number; cached_documents: number };
  results: Array<{
    results: Array<{
      index: number;
      relevance_score: number;
      logit: number;
      input_tokens: number;
      cached: boolean;
      window?: WindowWire;
      evidence?: EvidenceSpan[];
    }>;
  }>;
}

export async function runRerank(client: ApiClient, job: RerankJob, options: RunRerankOptions = {}): Promise<RerankOutcome> {
  const started = performance.now();
  const total = job.documents.length;
  const chunkSize = options.chunkSize ?? Math.min(32, Math.max(1, Math.ceil(total / 20)));
  // An empty list still goes to the server: its validation error is the message the user should see.
  const starts = total === 0 ? [0] : Array.from({ length: Math.ceil(total / chunkSize) }, (_, i) => i * chunkSize);
  const scored: ScoredDocument[] = new Array<ScoredDocument>(total);
  let model = '';
  let totalTokens = 0;
  let cachedDocuments = 0;
  let done = 0;
  let next = 0;

  // A failed chunk stops its siblings; the caller's signal stops all of them.
  const stop = new AbortController();
  const onCallerAbort = (): void => stop.abort(options.signal?.reason);
  options.signal?.addEventListener('abort', onCallerAbort, { once: true });
  if (options.signal?.aborted) onCallerAbort();

  async function worker(): Promise<void> {
    while (next < starts.length && !stop.signal.aborted) {
      const start = starts[next++] as number;
      const chunk = job.documents.slice(start, start + chunkSize);
      const body = {
        queries: [job.query],
        documents: chunk,
        instruction: job.instruction,
        long_documents: job.longDocuments,
        return_documents: false,
        ...(job.maxLength ? { max_length: job.maxLength } : {}),
        ...(job.evidence ? { evidence: job.evidence } : {}),
      };
      const response = await client.request<NativeRerankResponse>('api/rerank', { body, signal: stop.signal });
      model = response.model;
      totalTokens += response.usage.input_tokens;
      cachedDocuments += response.usage.cached_documents;
      for (const result of response.results[0]?.results ?? []) {
        const index = start + result.index;
        scored[index] = {
          index,
          text: job.documents[index] ?? '',
          score: result.relevance_score,
          logit: result.logit,
          inputTokens: result.input_tokens,
          cached: result.cached,
          window: result.window ?? null,
          evidence: result.evidence ?? null,
        };
      }
      done += chunk.length;
      options.onProgress?.(done, total);
    }
  }

  let firstError: unknown;
  const workers = Array.from({ length: Math.min(options.concurrency ?? 4, starts.length) }, () =>
    worker().catch((error: unknown) => {
      firstError ??= error;
      stop.abort(error);
    }));
  try {
    await Promise.all(workers);
  } finally {
    options.signal?.removeEventListener('abort', onCallerAbort);
  }
  if (firstError !== undefined) throw firstError;
  if (stop.signal.aborted) throw stop.signal.reason;
  return { scored, model, totalTokens, cachedDocuments, durationMs: performance.now() - started };
}
