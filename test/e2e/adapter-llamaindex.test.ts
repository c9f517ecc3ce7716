// qwen-ranker/llamaindex as a node postprocessor of LlamaIndex's own VectorStoreIndex query engine (retrieval
// only: no LLM is involved). The embedding is a deterministic letter histogram: retrieval only has to hand every
// node to the postprocessor, whose order and scores are the library's.
import { describe, it, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { BaseEmbedding, Document, MetadataMode, Settings, VectorStoreIndex } from 'llamaindex';
import { MockLLM } from '@llamaindex/core/llms/mock';
import { QwenRankerPostprocessor } from '../../src/adapters/llamaindex/index.js';
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

/** Counts of the letters a–z: deterministic, local, and good enough to retrieve from five documents. */
class LetterHistogramEmbedding extends BaseEmbedding {
  constructor() {
    super();
  }
  async getTextEmbedding(text: string): Promise<number[]> {
    const counts = new Array<number>(26).fill(0);
    for (const char of text.toLowerCase()) {
      const code = char.charCodeAt(0) - 97;
      if (code >= 0 && code < 26) counts[code]! += 1;
    }
    return counts;
  }
}

describe('qwen-ranker/llamaindex in index.asQueryEngine({ nodePostprocessors })', () => {
  let rerankers: AdapterRerankers;
  let index: VectorStoreIndex;
  before(async () => {
    rerankers = await startAdapterRerankers();
    Settings.embedModel = new LetterHistogramEmbedding();
    // The query engine builds its answer synthesizer from Settings.llm; retrieval never calls it.
    Settings.llm = new MockLLM();
    index = await VectorStoreIndex.fromDocuments(texts.map((text, i) => new Document({ text, id_: `doc-${i}` })));
  });
  after(async () => {
    await rerankers?.close();
  });

  for (const name of ['local', 'remote'] as const) {
    it(`${name}: retrieval returns the library's top N as {node, score}, best first`, async () => {
      const reranker = rerankers[name];
      const expected = await rerankers.library.rerank(query, texts, { topN: 3 });
      const engine = index.asQueryEngine({
        retriever: index.asRetriever({ similarityTopK: texts.length }),
        nodePostprocessors: [new QwenRankerPostprocessor({ reranker, topN: 3 })],
      });
      const nodes = await engine.retrieve({ query });
      assertApproxEqual(
        nodes.map(({ node, score }) => [node.getContent(MetadataMode.NONE), score]),
        expected.results.map((r) => [r.document.text, r.score]),
      );
    });
  }

  it('minScore drops weak nodes; a missing query is an invalid_input error', async () => {
    const reranker = rerankers.local;
    const all = await rerankers.library.rerank(query, texts);
    const minScore = (all.results[1]!.score + all.results[2]!.score) / 2;
    const retrieved = await index.asRetriever({ similarityTopK: texts.length }).retrieve({ query });
    const postprocessor = new QwenRankerPostprocessor({ reranker, minScore });
    const kept = await postprocessor.postprocessNodes(retrieved, query);
    assertApproxEqual(kept.map((n) => [n.node.getContent(MetadataMode.NONE), n.score]), all.results.slice(0, 2).map((r) => [r.document.text, r.score]));
    await assert.rejects(postprocessor.postprocessNodes(retrieved, undefined), { code: 'invalid_input' });
  });
});
