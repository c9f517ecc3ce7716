// qwen-ranker/langchain inside LangChain's own ContextualCompressionRetriever over a MemoryVectorStore. The
// embeddings are @langchain/core's deterministic SyntheticEmbeddings: retrieval only has to hand every document to
// the compressor, whose order and scores are the library's.
import { describe, it, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { Document } from '@langchain/core/documents';
import { SyntheticEmbeddings } from '@langchain/core/utils/testing';
import { MemoryVectorStore } from '@langchain/classic/vectorstores/memory';
import { ContextualCompressionRetriever } from '@langchain/classic/retrievers/contextual_compression';
import { QwenRankerCompressor } from '../../src/adapters/langchain/index.js';
import { startAdapterRerankers, type AdapterRerankers } from '../helpers/adapter-rerankers.js';
import { assertApproxEqual } from '../helpers/server-harness.js';

const query = 'how do rerankers order search results';
const texts = [
  'A reranker scores each query and document pair.',
  'Bananas are rich in potassium.',
  'Search results are reordered by relevance scores.',
  'The weather in Lisbon is mild.',
  'Rerankers read the query and the document together.',
];

describe('qwen-ranker/langchain in ContextualCompressionRetriever', () => {
  let rerankers: AdapterRerankers;
  let store: MemoryVectorStore;
  before(async () => {
    rerankers = await startAdapterRerankers();
    store = await MemoryVectorStore.fromDocuments(
      texts.map((pageContent, i) => new Document({ pageContent, metadata: { source: `doc-${i}` } })),
      new SyntheticEmbeddings({ vectorSize: 16 }),
    );
  });
  after(async () => {
    await rerankers?.close();
  });

  for (const name of ['local', 'remote'] as const) {
    it(`${name}: the retriever returns the library's top N, best first, with metadata.relevanceScore`, async () => {
      const reranker = rerankers[name];
      const expected = await rerankers.library.rerank(query, texts, { topN: 3 });
      const retriever = new ContextualCompressionRetriever({
        baseCompressor: new QwenRankerCompressor({ reranker, topN: 3 }),
        baseRetriever: store.asRetriever({ k: texts.length }),
      });
      const documents = await retriever.invoke(query);
      assertApproxEqual(
        documents.map((d) => [d.pageContent, d.metadata.source, d.metadata.relevanceScore]),
        expected.results.map((r) => [r.document.text, `doc-${r.index}`, r.score]),
      );
    });
  }

  it('minScore drops weak documents and the retrieved documents are not mutated', async () => {
    const reranker = rerankers.local;
    const all = await rerankers.library.rerank(query, texts);
    const minScore = (all.results[1]!.score + all.results[2]!.score) / 2;
    const inputs = texts.map((pageContent, i) => new Document({ pageContent, metadata: { source: `doc-${i}` } }));
    const compressed = await new QwenRankerCompressor({ reranker, minScore }).compressDocuments(inputs, query);
    assertApproxEqual(compressed.map((d) => d.metadata.relevanceScore), all.results.slice(0, 2).map((r) => r.score));
    assert.ok(inputs.every((d) => !('relevanceScore' in d.metadata)), 'inputs keep their metadata');
  });
});
