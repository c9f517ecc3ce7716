import { mkdirSync, existsSync } from 'node:fs';
import { dirname } from 'node:path';
import { InvalidInputError, NotFoundError } from '../spec/errors.js';
import type { Reranker } from '../spec/types.js';
import { chunkDocumentText, evidenceBeyondPrefixes, spansAfterPrefix } from './chunk/chunk-document-text.js';
import { resolveChunkingOptions } from './chunk/chunker.js';
import type { Embedder } from './embed/embedder.js';
import { ingestFiles, type IngestOptions, type IngestReport } from './ingest/ingest-files.js';
import type { CjkTokenization } from './lexical/cjk-tokenization.js';
import { retrieveCandidates } from './retrieve/first-stage.js';
import { KnowledgeBaseStore, type StoredFile, type StoreSettings } from './store/kb-store.js';
import { askKnowledgeBase, type AskOptions, type AskResult } from './ask/ask.js';
import type { SearchHit, SearchOptions, SearchResult } from './search-types.js';

export interface CreateKnowledgeBaseOptions {
  /** Path of the SQLite file (see `knowledgeBasePath(dir, name)` for named knowledge bases). */
  path: string;
  /** Scores first-stage candidates. Owned by the caller: `close()` does not close it. Default: none (first stage only). */
  reranker?: Reranker;
  /** Embeds chunks at ingest and queries at search, for `'vector'` and `'hybrid'` retrieval. Owned by the caller.
   * Default: none (BM25 only). */
  embedder?: Embedder;
  /** Create the file when missing. Default: false (a missing knowledge base is an `InvalidInputError`). */
  create?: boolean;
  /** Open read-only (the server's search route). Default: false. */
  readonly?: boolean;
  /** Settings of a new knowledge base; an existing one keeps the settings it was created with. */
  chunkTokens?: number;
  overlapTokens?: number;
  cjk?: CjkTokenization;
}

export interface KnowledgeBaseInfo {
  path: string;
  settings: StoreSettings;
  files: number;
  chunks: number;
  vectors: number;
  tokens: number;
}

/** A knowledge base: ingest documents, search them (first stage + rerank), ask an LLM with the best chunks. */
export interface KnowledgeBase extends AsyncDisposable {
  readonly path: string;
  ingest(paths: readonly string[], options?: IngestOptions): Promise<IngestReport>;
  search(query: string, options?: SearchOptions): Promise<SearchResult>;
  ask(question: string, options?: AskOptions): Promise<AskResult>;
  info(): KnowledgeBaseInfo;
  files(): StoredFile[];
  /** Removes files (absolute paths as listed by `files()`); returns how many were present. */
  remove(paths: readonly string[]): number;
  close(): Promise<void>;
}

/**
 * Opens (or creates) a knowledge base. The reranker and embedder are received, never built here, so one loaded
 * model can serve many knowledge bases (the server) and tests can pass any implementation.
 *
 * ```ts
 * await using ranker = await createReranker();
 * await using kb = await createKnowledgeBase({ path: 'docs.sqlite', create: true, reranker: ranker });
 * await kb.ingest(['./docs']);
 * const { results } = await kb.search('how do I install it?', { topN: 3 });
 * ```
 */
export async function createKnowledgeBase(options: CreateKnowledgeBaseOptions): Promise<KnowledgeBase> {
  if (!options.create && !existsSync(options.path)) {
    throw new NotFoundError('knowledgeBase', `knowledge base ${options.path} does not exist (ingest files into it first)`);
  }
  const settings: Partial<StoreSettings> = {
    // Checked before anything is written: a knowledge base keeps its settings for good.
    ...(options.create && !existsSync(options.path) ? resolveChunkingOptions(options) : {}),
    ...(options.cjk === undefined ? {} : { cjk: options.cjk }),
  };
  if (options.create) mkdirSync(dirname(options.path), { recursive: true });
  const store = KnowledgeBaseStore.open(options.path, { create: options.create ?? false, readonly: options.readonly ?? false, settings });
  const { reranker, embedder } = options;

  const search = async (query: string, searchOptions: SearchOptions = {}): Promise<SearchResult> => {
    const k = searchOptions.k ?? 50;
    const topN = searchOptions.topN ?? 5;
    const retrieval = searchOptions.retrieval ?? (embedder && store.settings.embeddingModel ? 'hybrid' : 'bm25');
    const rerank = (searchOptions.rerank ?? reranker !== undefined) && reranker !== undefined;
    if (searchOptions.rerank && !reranker) throw new InvalidInputError('rerank', 'reranking needs a reranker');
    if (searchOptions.evidence !== undefined && !rerank) throw new InvalidInputError('evidence', 'evidence spans are scored by the reranker: they need reranking');
    if (!query.trim()) throw new InvalidInputError('query', 'the query is empty');

    const firstStageStarted = performance.now();
    const found = await retrieveCandidates(store, embedder, query, retrieval, k);
    const chunks = store.chunksByIds(found.map((candidate) => candidate.chunkId));
    const candidates: SearchHit[] = found.flatMap((candidate) => {
      const chunk = chunks.get(candidate.chunkId);
      return chunk ? [{ chunk, firstStageRank: candidate.rank, firstStageScore: candidate.score, rank: candidate.rank }] : [];
    });
    const firstStageMs = performance.now() - firstStageStarted;

    if (!rerank || candidates.length === 0) {
      return { query, retrieval, reranked: false, candidates, results: candidates.slice(0, topN), timings: { firstStageMs, rerankMs: 0 }, rerankTokens: 0 };
    }
    const rerankStarted = performance.now();
    const documents = candidates.map((hit) => chunkDocumentText(hit.chunk));
    const prefixLength = (index: number) => documents[index]!.length - candidates[index]!.chunk.text.length;
    const { evidence } = searchOptions;
    const response = await reranker!.rerank(
      query,
      documents,
      {
        topN,
        minScore: searchOptions.minScore ?? 0,
        ...(evidence === undefined ? {} : { evidence: evidenceBeyondPrefixes(evidence, documents.map((documentText, index) => ({ documentText, prefixLength: prefixLength(index) }))) }),
        ...(searchOptions.instruction === undefined ? {} : { instruction: searchOptions.instruction }),
        ...(searchOptions.signal ? { signal: searchOptions.signal } : {}),
        ...(searchOptions.onProgress ? { onProgress: searchOptions.onProgress } : {}),
      },
    );
    const results = response.results.map((result, index): SearchHit => {
      const hit = candidates[result.index]!;
      const spans = result.evidence && spansAfterPrefix(result.evidence, prefixLength(result.index), hit.chunk.text).slice(0, evidence);
      return { ...hit, rank: index + 1, score: result.score, ...(spans ? { evidence: spans } : {}) };
    });
    return {
      query,
      retrieval,
      reranked: true,
      candidates,
      results,
      timings: { firstStageMs, rerankMs: performance.now() - rerankStarted },
      rerankTokens: response.usage.inputTokens,
      ...(response.usage.evidenceSpans === undefined ? {} : { evidenceSpans: response.usage.evidenceSpans }),
    };
  };

  const knowledgeBase: KnowledgeBase = {
    path: options.path,
    ingest: (paths, ingestOptions) => ingestFiles(store, paths, embedder, ingestOptions),
    search,
    ask: (question, askOptions) => askKnowledgeBase(search, question, askOptions),
    info: () => ({ path: options.path, settings: { ...store.settings }, ...store.counts() }),
    files: () => store.listFiles(),
    remove: (paths) => paths.filter((path) => store.removeFile(path)).length,
    close: async () => store.close(),
    [Symbol.asyncDispose]: async () => store.close(),
  };
  return knowledgeBase;
}
