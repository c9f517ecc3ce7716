import type { EngineHealth, EngineInfo, LongDocumentMode, WindowInfo } from './types.js';

/**
 * One scoring job: a query (with its instruction) against documents. Engines receive text; the local engine
 * tokenizes, truncates and schedules; remote engines send it over HTTP. Shared behaviour (defaults, validation,
 * cache, dedupe, sorting, topN, minScore, usage) lives once in the facade (`src/core/reranker.ts`).
 */
export interface ScoreGroup {
  /** Already resolved (never null). */
  instruction: string;
  query: string;
  documents: readonly string[];
  maxLength: number;
  longDocuments: LongDocumentMode;
  /** Resolved by the engine when undefined. */
  windowOverlap: number | undefined;
}

/**
 * What the model or backend gave for one document, carried as given: local engines and logit-reporting servers
 * give logit("yes") − logit("no"); APIs that report only P(yes) (Cohere, llama-server, vLLM `/score`) give the
 * probability. The facade derives the other number once.
 */
export type EngineRelevance = { logit: number } | { probability: number };

export type EngineScore = EngineRelevance & {
  inputTokens: number;
  window?: WindowInfo;
};

export interface ScoreGroupOptions {
  signal?: AbortSignal;
  /** Called with the document's index each time one document is done. */
  onScored?: (documentIndex: number) => void;
}

/** Counters an engine keeps for `/metrics` and benchmarks. */
export interface EngineStats {
  /** Scoring items waiting for a free sequence / endpoint. */
  queueDepth: number;
  /** Items being evaluated now. */
  active: number;
  /** Tokens actually evaluated by the model (after prefix reuse). */
  evaluatedTokens: number;
  /** Tokens of all prompts scored (what evaluation would cost without reuse). */
  promptTokens: number;
  /** Bytes of key/value tensors held by the engine's prefix cache (the ONNX engine's; absent on engines with fixed
   * key/value cells or none). */
  prefixCacheBytes?: number;
}

export interface RerankEngine {
  readonly info: EngineInfo;
  /** Scores in input order. Rejects with a `RerankerError`. */
  scoreGroup(group: ScoreGroup, options?: ScoreGroupOptions): Promise<EngineScore[]>;
  stats(): EngineStats;
  /** Whether the engine can score now; read on every `/ready`, so it answers at once. */
  health(): EngineHealth;
  /** Extra status for `/ready` (e.g. per-endpoint health of a remote fleet). */
  status?(): Record<string, unknown>;
  close(): Promise<void>;
}
