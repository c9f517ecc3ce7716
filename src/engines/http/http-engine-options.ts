import type { RemoteEngineKind } from '../../spec/types.js';

/** Options of `createHttpEngine`: a fleet of servers of one kind, used as the scoring engine. */
export interface HttpEngineOptions {
  /** The API the endpoints speak: `vllm` (`/score`), `llama-server` (`/v1/rerank`), `tei` (`/rerank`) or
   * `cohere` (`/v2/rerank`: Cohere, Jina, Voyage, another qwen-ranker). */
  kind: RemoteEngineKind;
  /** Base URLs of the servers, e.g. `http://gpu1:8000` (a path prefix is kept: `https://api.cohere.com`). At least
   * one. */
  endpoints: string[];
  /** Sent as `Authorization: Bearer <apiKey>` to every endpoint (vLLM, llama-server and TEI `--api-key`, Cohere).
   * Default: none. */
  apiKey?: string;
  /** Model name sent with each request (vLLM `--served-model-name`, Cohere `model`); also the model name in
   * responses and the score cache key. Default: not sent; reported as `<kind>@<first endpoint>`. */
  model?: string;
  /** Milliseconds one HTTP request may take; after that the endpoint counts as failed and the request is retried
   * elsewhere. Default: 60000. */
  timeoutMs?: number;
  /** Further attempts per request after the first, each on another endpoint when there is one. Default: 4. */
  maxRetries?: number;
  /** Documents per HTTP request; larger groups are split, sent in parallel across the fleet and merged. Lowered
   * automatically when a server refuses a batch as too large (413, or a qwen-ranker peer's 422 `limit_exceeded`).
   * Default: 32 (TEI's default `--max-client-batch-size`). */
  maxDocumentsPerRequest?: number;
  /** Estimated prompt tokens per HTTP request (a document larger than this travels alone). Default: Infinity (only
   * the document limit applies). */
  maxTokensPerRequest?: number;
  /** Milliseconds between `/health` checks of every endpoint; `0` turns periodic checks off (endpoints are then
   * judged by their requests only). Default: 5000. */
  healthCheckIntervalMs?: number;
  /** Requests in flight per endpoint; further requests wait for a free slot or go to another endpoint.
   * Default: 4. */
  maxConcurrentRequestsPerEndpoint?: number;
}
