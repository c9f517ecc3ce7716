// The ONNX engine's prefix cache (issue 18): the key/value tensors of recent queries' shared prefixes are bounded by
// bytes, least recently used out first, and a prefix a run is using is held by that run, never freed under it.
import { describe, it, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { createReranker, isRerankerError, type Reranker } from '../../src/index.js';
import { createApp } from '../../src/server/index.js';
import { ensureTestModel } from '../helpers/test-models.js';
import { spawnCli } from '../helpers/run-cli.js';
import { get, waitFor } from '../helpers/server-harness.js';

/** Queries of one token count (one digit apart), so their prefixes hold the same bytes. */
const queries = ['topic number 1', 'topic number 2', 'topic number 3'];

describe('ONNX engine prefix cache, bounded by bytes', () => {
  let model: string;
  /** The default budget, which holds every prefix of these tests: the reference scores and one prefix's bytes. */
  let unbounded: Reranker;
  let prefixBytes: number;
  before(async () => {
    model = await ensureTestModel('tiny');
    unbounded = await createReranker({ model, engine: 'onnx', cacheSize: 0 });
    await unbounded.rerank(queries[0]!, ['a document']);
    prefixBytes = unbounded.stats().prefixCacheBytes!;
    assert.ok(prefixBytes > 0);
  });
  after(() => unbounded.close());

  it('evicts the least recently used prefix once their bytes pass the budget, and shows the bytes in /metrics', async () => {
    const budget = Math.floor(2.5 * prefixBytes);
    const ranker = await createReranker({ model, engine: 'onnx', cacheSize: 0, prefixCacheBytes: budget });
    try {
      const held: number[] = [];
      for (const query of queries) {
        await ranker.rerank(query, ['a document']);
        held.push(ranker.stats().prefixCacheBytes!);
      }
      assert.deepEqual(held, [prefixBytes, 2 * prefixBytes, 2 * prefixBytes]);
      assert.equal(ranker.status().cachedPrefixes, 2);
      // Query 2 is still cached, query 1 was evicted: only query 1's prefix is evaluated again.
      const evaluated = async (query: string) => {
        const before = ranker.stats().evaluatedTokens;
        await ranker.rerank(query, ['a document']);
        return ranker.stats().evaluatedTokens - before;
      };
      const reused = await evaluated(queries[1]!);
      const reevaluated = await evaluated(queries[0]!);
      assert.ok(reevaluated - reused >= 20, `query 1 evaluated ${reevaluated} tokens, query 2 ${reused}`);
      assert.equal(ranker.stats().prefixCacheBytes, 2 * prefixBytes);

      const app = createApp({ reranker: ranker, webUi: false });
      try {
        const metrics = (await app.inject({ method: 'GET', url: '/metrics' })).body;
        assert.match(metrics, new RegExp(`^qwen_ranker_engine_prefix_cache_bytes ${2 * prefixBytes}$`, 'm'));
      } finally {
        await app.close();
      }
    } finally {
      await ranker.close();
    }
  });

  it('holds a prefix while its runs use it, past the budget, then frees it; scores as an unbounded cache does', async () => {
    // Budget 0: every prefix is over budget, so only the holds of the runs using it keep it. A request's runs
    // overlap (two in the worker at a time), so while its documents run its prefix is always held and is evaluated
    // once, as with a cache that keeps everything; freed under a run, it would be evaluated again for the next one.
    const ranker = await createReranker({ model, engine: 'onnx', cacheSize: 0, prefixCacheBytes: 0 });
    try {
      // 150-token documents: one run each (runs pack at most 100 evaluated tokens); three requests at once.
      const documents = Array.from({ length: 8 }, (_, i) => `document ${i} ${'words of a longer passage '.repeat(30)}`);
      const fresh = ['subject number 1', 'subject number 2', 'subject number 3'];
      const scoreAll = async (reranker: Reranker) => {
        const before = reranker.stats().evaluatedTokens;
        const logits = await Promise.all(fresh.map(async (query) => (await reranker.score(documents.map((document) => ({ query, document })))).map((s) => s.logit)));
        return { logits, evaluated: reranker.stats().evaluatedTokens - before };
      };
      let heldBeyondBudget = 0;
      const sampler = setInterval(() => (heldBeyondBudget = Math.max(heldBeyondBudget, ranker.stats().prefixCacheBytes!)), 1);
      let bounded: Awaited<ReturnType<typeof scoreAll>>;
      try {
        bounded = await scoreAll(ranker);
      } finally {
        clearInterval(sampler);
      }
      const reference = await scoreAll(unbounded);
      assert.deepEqual(bounded.logits, reference.logits);
      assert.equal(bounded.evaluated, reference.evaluated, 'tokens evaluated with budget 0 and with a cache that keeps everything');
      assert.ok(heldBeyondBudget >= prefixBytes, `held at most ${heldBeyondBudget} bytes while scoring`);
      assert.equal(ranker.stats().prefixCacheBytes, 0);
      assert.equal(ranker.status().cachedPrefixes, 0);
    } finally {
      await ranker.close();
    }
  });

  it('takes its budget from `serve --prefix-cache-bytes`', async () => {
    const server = spawnCli(['serve', '--model', model, '--engine', 'onnx', '--prefix-cache-bytes', '4096', '--port', '0', '--log-level', 'silent']);
    let output = '';
    server.stderr!.on('data', (d) => (output += d));
    try {
      await waitFor(() => /serving .* on onnx/.test(output), 60_000, 'the server to be ready');
      const url = /listening on (http:\/\/\S+)/.exec(output)![1]!;
      const ready = await get(`${url}/ready`);
      assert.equal(ready.body.engine_status.prefixCacheBudgetBytes, 4096);
    } finally {
      server.kill('SIGTERM');
    }
  });

  it('refuses a negative budget with invalid_input naming the option', async () => {
    await assert.rejects(createReranker({ model, engine: 'onnx', prefixCacheBytes: -1 }), (error: unknown) => {
      assert.ok(isRerankerError(error) && error.code === 'invalid_input', String(error));
      assert.match(error.message, /prefixCacheBytes/);
      return true;
    });
  });
});
