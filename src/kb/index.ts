/** qwen-ranker/kb: ingest documents into an embedded SQLite knowledge base, retrieve, rerank, and ask an LLM. */
export {
  createKnowledgeBase,
  type CreateKnowledgeBaseOptions,
  type KnowledgeBase,
  type KnowledgeBaseInfo,
} from './knowledge-base.js';
export type { SearchOptions, SearchResult, SearchHit } from './search-types.js';
export { searchHitJson, searchResultJson } from './search-json.js';
export { defaultKnowledgeBasesDir, knowledgeBasePath, listKnowledgeBaseNames } from './kb-location.js';
export type { IngestOptions, IngestReport, IngestProgress, IngestedFile } from './ingest/ingest-files.js';
export type { StoredChunk, StoredFile, StoreSettings } from './store/kb-store.js';
export type { RetrievalMode } from './retrieve/first-stage.js';
export { reciprocalRankFusion, RRF_K, type FusedItem } from './retrieve/reciprocal-rank-fusion.js';
export type { CjkTokenization } from './lexical/cjk-tokenization.js';
export { createLexicalIndex, type LexicalIndex, type LexicalIndexOptions, type LexicalHit } from './lexical/lexical-index.js';
export { chunkText, resolveChunkingOptions, DEFAULT_CHUNK_TOKENS, DEFAULT_OVERLAP_TOKENS, type ChunkingOptions, type TextChunk } from './chunk/chunker.js';
export { evidenceBeyondPrefixes, spansAfterPrefix } from './chunk/chunk-document-text.js';
export { loadQwen3TokenCounter, type TokenCounter } from './chunk/qwen3-token-counter.js';
export { SUPPORTED_EXTENSIONS, type FileFormat } from './parse/parse-file.js';
export type { Embedder } from './embed/embedder.js';
export { createLlamaCppEmbedder, DEFAULT_EMBEDDING_INSTRUCTION, type LlamaCppEmbedderOptions } from './embed/llama-cpp-embedder.js';
export { DEFAULT_ASK_MIN_SCORE, DEFAULT_ASK_EVIDENCE, type AskContext, type AskOptions, type AskResult } from './ask/ask.js';
export { evidenceContextText, EXCERPT_SEPARATOR } from './ask/evidence-context.js';
export type { AnswerSource } from './ask/build-prompt.js';
export { sourceLabel } from './ask/build-prompt.js';
export type { ChatEndpointOptions, ChatMessage } from './ask/openai-chat-client.js';
