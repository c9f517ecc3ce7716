/** Public types shared by every layer. No runtime code beyond constants lives here. */

/** A candidate document: plain text, or an object whose `id` and `metadata` come back untouched. */
export type DocumentInput = string | { id?: string | number; text: string; metadata?: Record<string, unknown> };

/** What to do with a prompt longer than `maxLength`: cut the document body (the reference rule), or score
 * overlapping token windows of the document and keep the best. */
export type LongDocumentMode = 'truncate' | 'windows';

export interface ScoringOptions {
  /** Task instruction for the judge. `null`/`undefined` → the model card's web-search instruction; `''` is kept
   * as an empty instruction (as the reference does). Default: `DEFAULT_INSTRUCTION`. */
  instruction?: string | null;
  /** Maximum prompt length in tokens (prefix + body + suffix). Only the body is truncated. Default: 8192. */
  maxLength?: number;
  /** Long-document handling. Default: `'truncate'`. */
  longDocuments?: LongDocumentMode;
  /** Tokens shared by consecutive windows in `'windows'` mode. Default: a quarter of the window, at most 256. */
  windowOverlap?: number;
  /** Cancels queued work. In-flight evaluations finish, their results are discarded. */
  signal?: AbortSignal;
  /** Called after each document (or pair) is scored, with the count done so far and the total. */
  onProgress?: (done: number, total: number) => void;
}

export interface RerankOptions extends ScoringOptions {
  /** Keep only the best `topN` results. Default: all. */
  topN?: number;
  /** Drop results whose `score` is below this probability. Default: 0 (keep all). */
  minScore?: number;
  /** Give each returned result (after `topN` and `minScore`) its best `evidence` sentences, each scored by the
   * same model as a document of its own. An integer ≥ 1. Default: off. */
  evidence?: number;
}

/** A span of a result's document text that makes it relevant: a sentence (or a token window of a long one),
 * scored with the same query and instruction exactly as `score()` would score `text` as a document. */
export interface EvidenceSpan {
  /** Offsets in the document's JavaScript string: `text === document.text.slice(start, end)`. */
  start: number;
  end: number;
  text: string;
  /** Relevance probability of the span: sigmoid(logit). */
  score: number;
  /** logit("yes") − logit("no") for the span. */
  logit: number;
}

/** The window of a long document that produced its score (`longDocuments: 'windows'`). */
export interface WindowInfo {
  /** 0-based index of the winning window. */
  index: number;
  /** Number of windows the document was split into. */
  count: number;
  /** Token range of the winning window within the document's tokens, `[start, end)`. */
  startToken: number;
  endToken: number;
  /** The winning window's text, when the engine can recover it. */
  text?: string;
}

export interface ScoreResult {
  /** Relevance probability: sigmoid(logit). */
  score: number;
  /** logit("yes") − logit("no") at the last position. */
  logit: number;
  /** Tokens of the full prompt the judge read (all windows summed in `'windows'` mode). */
  inputTokens: number;
  /** Present only when the document was split into windows. */
  window?: WindowInfo;
  /** True when the score came from the score cache. */
  cached: boolean;
}

export interface RerankedDocument {
  text: string;
  id?: string | number;
  metadata?: Record<string, unknown>;
}

export interface RerankResult extends ScoreResult {
  /** Position of the document in the input list. */
  index: number;
  document: RerankedDocument;
  /** With `evidence: N`: at most N spans of the document, best first. Absent without it. */
  evidence?: EvidenceSpan[];
}

export interface RerankUsage {
  /** Documents scored (cache hits included). */
  documents: number;
  /** Sum of `inputTokens` over all documents, plus the prompts of the evidence spans scored (with `evidence`). */
  inputTokens: number;
  /** With `evidence`: the spans scored for the returned results (cache hits included). Absent without it. */
  evidenceSpans?: number;
  /** Documents answered from the score cache. */
  cachedDocuments: number;
}

export interface RerankResponse {
  /** Sorted by descending score, after `minScore` and `topN`. */
  results: RerankResult[];
  usage: RerankUsage;
  model: string;
  instruction: string;
  durationMs: number;
}

export interface ScorePair {
  query: string;
  document: string;
  instruction?: string | null;
}

/** Engines that run a GGUF file on this machine. `auto` (the default) is `onnx` on a CPU when it can run the
 * file, else `llama-cpp` (src/create-reranker.ts). */
export const LOCAL_ENGINE_KINDS = ['auto', 'onnx', 'llama-cpp'] as const;
/** Engines that send the work to servers speaking these APIs. */
export const REMOTE_ENGINE_KINDS = ['vllm', 'llama-server', 'tei', 'cohere'] as const;
/** Every engine `createReranker` can run: the one list the CLI, the config file schema and the types derive from. */
export const ENGINE_KINDS = [...LOCAL_ENGINE_KINDS, ...REMOTE_ENGINE_KINDS] as const;

export type LocalEngineKind = (typeof LOCAL_ENGINE_KINDS)[number];
export type RemoteEngineKind = (typeof REMOTE_ENGINE_KINDS)[number];
export type EngineKind = (typeof ENGINE_KINDS)[number];

/** What a running engine says about itself (`/ready`, CLI banners, the workbench's status panel). */
export interface EngineInfo {
  /** Engine kind, e.g. `llama-cpp`, `vllm`. */
  engine: string;
  /** Model name or path as the user gave it. */
  model: string;
  /** Where it runs: `cpu`, `cuda`, `metal`, `vulkan`, or a remote URL list. */
  device: string;
  /** True for a generated random-weight demo model: its scores mean nothing. */
  demo: boolean;
  /** Milliseconds the engine took to become ready. */
  loadTimeMs: number;
  /** Largest prompt in tokens the engine accepts. */
  maxContextTokens: number;
}

/**
 * Whether an engine can score now: what `/ready` answers. Not ready means requests fail until the engine recovers
 * by itself (a worker being restarted, a fleet whose endpoints all fail their health checks) or for good (a worker
 * that died again after its restart).
 */
export type EngineHealth =
  | { ready: true }
  | {
      ready: false;
      /** Why, in one sentence for an operator. */
      reason: string;
      /** Seconds after which asking again may find the engine ready; absent when the engine cannot tell (a final
       * failure that only a new process fixes, or nothing that would notice a recovery by itself). */
      retryAfterSeconds?: number;
    };

/** Qwen3-Reranker model card default instruction (https://huggingface.co/Qwen/Qwen3-Reranker-0.6B, "Usage"). */
export const DEFAULT_INSTRUCTION = 'Given a web search query, retrieve relevant passages that answer the query';

/** Model card default `max_length` (https://huggingface.co/Qwen/Qwen3-Reranker-0.6B). */
export const DEFAULT_MAX_LENGTH = 8192;

export interface RerankerStats extends EngineStatsSnapshot {
  cacheHits: number;
  cacheMisses: number;
  cacheEntries: number;
}

/** Mirror of `EngineStats` (kept here so that `types.ts` stays free of engine imports). */
export interface EngineStatsSnapshot {
  queueDepth: number;
  active: number;
  evaluatedTokens: number;
  promptTokens: number;
  prefixCacheBytes?: number;
}

/** The public reranker: returned by `createReranker`. Owns native resources until `close()`. */
export interface Reranker extends AsyncDisposable {
  readonly info: EngineInfo;
  /** Scores every document against `query` and returns them best first. */
  rerank(query: string, documents: readonly DocumentInput[], options?: RerankOptions): Promise<RerankResponse>;
  /** Scores arbitrary (query, document) pairs; results in input order. */
  score(pairs: readonly ScorePair[], options?: ScoringOptions): Promise<ScoreResult[]>;
  stats(): RerankerStats;
  /** Whether the engine can score now (`/ready` answers 503 while it cannot); not ready once closed. */
  health(): EngineHealth;
  /** Engine-specific status for `/ready`. */
  status(): Record<string, unknown>;
  close(): Promise<void>;
}
