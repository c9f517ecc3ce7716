/**
 * qwen-ranker as a LangChain document compressor, e.g. inside `ContextualCompressionRetriever`
 * (`@langchain/classic/retrievers/contextual_compression`). Interface: `BaseDocumentCompressor` in
 * langchain-ai/langchainjs libs/langchain-core/src/retrievers/document_compressors/index.ts.
 */
import type { BaseDocumentCompressor } from '@langchain/core/retrievers/document_compressors';
import type { DocumentInterface } from '@langchain/core/documents';
import type { Reranker, RerankOptions } from '../../index.js';

export interface QwenRankerCompressorOptions extends Omit<RerankOptions, 'signal' | 'onProgress'> {
  /** The reranker that scores (local or remote, from `createReranker`). */
  reranker: Reranker;
}

/**
 * Reranks the retrieved documents by `pageContent` and returns new documents, best first, with
 * `metadata.relevanceScore` (the input documents are left untouched). `topN` and `minScore` cut the list.
 *
 * It implements the compressor interface instead of extending the class, so that importing `qwen-ranker/langchain`
 * loads nothing of LangChain's: retrievers only call `compressDocuments`, and LangChain recognises a compressor by
 * that method (`BaseDocumentCompressor.isBaseDocumentCompressor`).
 */
export class QwenRankerCompressor implements BaseDocumentCompressor {
  private readonly reranker: Reranker;
  private readonly options: RerankOptions;

  constructor({ reranker, ...options }: QwenRankerCompressorOptions) {
    this.reranker = reranker;
    this.options = options;
  }

  async compressDocuments(documents: DocumentInterface[], query: string): Promise<DocumentInterface[]> {
    const { results } = await this.reranker.rerank(
      query,
      documents.map((d) => d.pageContent),
      this.options,
    );
    return results.map(({ index, score }) => {
      const source = documents[index]!;
      return { pageContent: source.pageContent, id: source.id, metadata: { ...source.metadata, relevanceScore: score } };
    });
  }
}
