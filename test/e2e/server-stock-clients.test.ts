// Stock clients, unchanged, against a live server over real HTTP: cohere-ai (v2 and v1 clients), LangChain's
// CohereRerank, the AI SDK's Cohere provider, LlamaIndex's Cohere reranker, and raw Jina / TEI / vLLM bodies with
// every documented field of those APIs. Each answer is compared with the library's own ranking.
import { describe, it, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { createRequire } from 'node:module';
import { CohereClient, CohereClientV2 } from 'cohere-ai';
import { rerank } from 'ai';
import { createCohere } from '@ai-sdk/cohere';
import { CohereRerank as LangChainCohereRerank } from '@langchain/cohere';
import { Document } from '@langchain/core/documents';
import { CohereRerank as LlamaIndexCohereRerank } from '@llamaindex/cohere';
import { TextNode } from '@llamaindex/core/schema';
import { createReranker, type Reranker } from '../../src/index.js';
import { ensureTestModel } from '../helpers/test-models.js';
import { assertApproxEqual, post, startTestServer, type TestServer } from '../helpers/server-harness.js';

const query = 'how do rerankers order search results';
const documents = [
  'A reranker scores each query and document pair.',
  'Bananas are rich in potassium.',
  'Search results are reordered by relevance scores.',
  'The weather in Lisbon is mild.',
];

type LangChainCohereClient = NonNullable<NonNullable<ConstructorParameters<typeof LangChainCohereRerank>[0]>['client']>;
/** The CohereClient of the cohere-ai release @langchain/cohere itself depends on (it builds its own client from it). */
const { CohereClient: LangChainCohereClient } = createRequire(import.meta.resolve('@langchain/cohere'))('cohere-ai') as {
  CohereClient: new (options: { token: string; environment: string }) => LangChainCohereClient;
};

describe('stock clients against the server', () => {
  let reranker: Reranker;
  let server: TestServer;
  before(async () => {
    reranker = await createReranker({ model: await ensureTestModel('tiny'), cacheSize: 0 });
    server = await startTestServer({ reranker });
  });
  after(async () => {
    await server?.close();
    await reranker?.close();
  });

  it('cohere-ai CohereClientV2.rerank (POST /v2/rerank) with maxTokensPerDoc and priority', async () => {
    const expected = await reranker.rerank(query, documents, { topN: 3 });
    const client = new CohereClientV2({ token: 'unused', environment: server.url });
    const response = await client.rerank({ model: 'rerank-v3.5', query, documents, topN: 3, maxTokensPerDoc: 4096, priority: 0 });
    assertApproxEqual(response.results.map((r) => [r.index, r.relevanceScore]), expected.results.map((r) => [r.index, r.score]));
  });

  it('cohere-ai CohereClient.rerank (v1, POST /v1/rerank) with rankFields, returnDocuments and maxChunksPerDoc', async () => {
    const expected = await reranker.rerank(query, documents, { topN: 2 });
    const client = new CohereClient({ token: 'unused', environment: server.url });
    const response = await client.rerank({
      model: 'rerank-english-v3.0',
      query,
      documents: documents.map((text) => ({ text })),
      topN: 2,
      rankFields: ['text'],
      returnDocuments: true,
      maxChunksPerDoc: 10,
    });
    assertApproxEqual(
      response.results.map((r) => [r.index, r.relevanceScore, r.document?.text]),
      expected.results.map((r) => [r.index, r.score, r.document.text]),
    );
  });

  it("@langchain/cohere CohereRerank (with a client of its own cohere-ai) returns the library's top N", async () => {
    const expected = await reranker.rerank(query, documents, { topN: 3 });
    const compressor = new LangChainCohereRerank({
      model: 'rerank-english-v3.0',
      topN: 3,
      client: new LangChainCohereClient({ token: 'unused', environment: server.url }),
    });
    const compressed = await compressor.compressDocuments(documents.map((pageContent) => new Document({ pageContent })), query);
    assertApproxEqual(
      compressed.map((d) => [d.pageContent, d.metadata.relevanceScore]),
      expected.results.map((r) => [r.document.text, r.score]),
    );
  });

  it("@ai-sdk/cohere with baseURL .../v2 through ai's rerank(), with providerOptions.cohere", async () => {
    const expected = await reranker.rerank(query, documents, { topN: 2 });
    const cohere = createCohere({ baseURL: `${server.url}/v2`, apiKey: 'unused' });
    const result = await rerank({
      model: cohere.reranking('rerank-v3.5'),
      query,
      documents,
      topN: 2,
      providerOptions: { cohere: { maxTokensPerDoc: 4096, priority: 0 } },
    });
    assertApproxEqual(result.ranking.map((r) => [r.originalIndex, r.score]), expected.results.map((r) => [r.index, r.score]));
  });

  it('@ai-sdk/cohere drops an instruction in providerOptions (its option schema keeps only maxTokensPerDoc and priority)', async () => {
    const plain = await reranker.rerank(query, documents);
    const cohere = createCohere({ baseURL: `${server.url}/v2`, apiKey: 'unused' });
    const result = await rerank({
      model: cohere.reranking('rerank-v3.5'),
      query,
      documents,
      providerOptions: { cohere: { instruction: 'Judge whether the document mentions fruit' } },
    });
    assertApproxEqual(result.ranking.map((r) => [r.originalIndex, r.score]), plain.results.map((r) => [r.index, r.score]));
  });

  it('@llamaindex/cohere CohereRerank with baseUrl (POST /v1/rerank) returns {node, score} best first', async () => {
    const expected = await reranker.rerank(query, documents, { topN: 2 });
    const postprocessor = new LlamaIndexCohereRerank({ baseUrl: server.url, apiKey: 'unused', topN: 2 });
    const nodes = documents.map((text) => ({ node: new TextNode({ text }), score: 0 }));
    const ranked = await postprocessor.postprocessNodes(nodes, query);
    assertApproxEqual(
      ranked.map((n) => [nodes.findIndex((m) => m.node === n.node), n.score]),
      expected.results.map((r) => [r.index, r.score]),
    );
  });

  const rawCases: Array<{ api: string; url: string; body: Record<string, unknown>; read: (body: WireResult) => Array<[number, number]> }> = [
    {
      // cohere-ai 7.x's v2 request (src/serialization/resources/v2/client/requests/V2RerankRequest.ts), with the
      // null @langchain/cohere sends for an unset maxChunksPerDoc
      api: 'Cohere v2 (cohere-ai 7.x)',
      url: '/v2/rerank',
      body: { model: 'rerank-v3.5', query, documents, top_n: 4, rank_fields: ['text'], return_documents: true, max_chunks_per_doc: null },
      read: (body) => body.results.map((r: JinaResult) => [r.index, r.relevance_score]),
    },
    {
      // https://jina.ai/reranker/ (request fields of POST https://api.jina.ai/v1/rerank)
      api: 'Jina',
      url: '/v1/rerank',
      body: { model: 'jina-reranker-v2-base-multilingual', query, documents, top_n: 4, return_documents: false },
      read: (body) => body.results.map((r: JinaResult) => [r.index, r.relevance_score]),
    },
    {
      // huggingface/text-embeddings-inference router/src/http/types.rs `RerankRequest`
      api: 'TEI',
      url: '/rerank',
      body: { query, texts: documents, truncate: true, truncation_direction: 'Right', raw_scores: false, return_text: false },
      read: (body) => body.map((r: { index: number; score: number }) => [r.index, r.score]),
    },
    {
      // vllm-project/vllm vllm/entrypoints/pooling/score/protocol.py `RerankRequest`
      api: 'vLLM',
      url: '/v1/rerank',
      body: { model: 'Qwen/Qwen3-Reranker-0.6B', query, documents, top_n: 0, truncate_prompt_tokens: -1, use_activation: true, priority: 0 },
      read: (body) => body.results.map((r: JinaResult) => [r.index, r.relevance_score]),
    },
  ];
  for (const { api, url, body, read } of rawCases) {
    it(`raw ${api} body on ${url} with its documented fields`, async () => {
      const expected = await reranker.rerank(query, documents);
      const response = await post(`${server.url}${url}`, body);
      assert.equal(response.status, 200, JSON.stringify(response.body));
      assertApproxEqual(read(response.body), expected.results.map((r) => [r.index, r.score]));
    });
  }

  for (const url of ['/v2/rerank', '/v1/rerank']) {
    it(`${url} still refuses an unknown field with a 400 naming it`, async () => {
      const response = await post(`${server.url}${url}`, { query, documents, max_chunk_per_doc: 3 });
      assert.equal(response.status, 400);
      assert.equal(response.body.error.field, 'max_chunk_per_doc');
    });
  }
});

// eslint-disable-next-line @typescript-eslint/no-explicit-any
type WireResult = any;
type JinaResult = { index: number; relevance_score: number };
