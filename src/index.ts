/** qwen-ranker public API. Interfaces (CLI, server, web, kb) use only what this file exports. */
export {
  createReranker,
  checkRerankerOptions,
  type CreateRerankerOptions,
  type AutoRerankerOptions,
  type OnnxRerankerOptions,
  type LlamaCppRerankerOptions,
  type RemoteRerankerOptions,
  type UncheckedRerankerOptions,
} from './create-reranker.js';
export { createTokenizer, type CreateTokenizerOptions, type ModelTokenizer } from './create-tokenizer.js';
export { createRerankerFromEngine, type RerankerFacadeOptions } from './core/reranker.js';
export { resolveRerankOptions, type ResolvedRerankOptions, type RerankOptionFields } from './core/rerank-options.js';
export { splitEvidenceSpans, EVIDENCE_SPAN_MAX_TOKENS, type TextSpan, type SplitEvidenceSpansOptions } from './core/evidence-spans.js';
export { estimateTextTokens, estimatePromptTokens, TEMPLATE_TOKENS } from './core/token-estimate.js';
export * from './spec/types.js';
export * from './spec/errors.js';
export type { RerankEngine, ScoreGroup, EngineScore, EngineStats, ScoreGroupOptions } from './spec/engine.js';
export { DEFAULT_MODEL, KNOWN_MODELS, knownModelUri, type KnownModel, type KnownModelQuantization } from './models/registry.js';
export { resolveModelPath, findDownloadedModel, defaultModelsDir, type ResolveModelOptions } from './models/resolve-model.js';
export type { DownloadProgress } from './models/download.js';
export type { EndpointStatus, HttpEngineOptions } from './engines/http/index.js';
