// A caller's callback cannot break a local engine (issue 18): an `onProgress` that throws fails its own request with
// the code callback_failed, a request beside it completes, nothing is left unsettled or rejected unhandled, and the
// next request works. Through the public API, on both local engines and the generated tiny model.
import { describe, it, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { createReranker, isRerankerError, type Reranker } from '../../src/index.js';
import { ensureTestModel } from '../helpers/test-models.js';

/** Rejects when `promise` has not settled after `ms` (a request that never settles would otherwise hang the test). */
function within<T>(promise: Promise<T>, ms: number, what: string): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<never>((_, reject) => (timer = setTimeout(() => reject(new Error(`${what} did not settle within ${ms} ms`)), ms)));
  return Promise.race([promise, timeout]).finally(() => clearTimeout(timer));
}

const documents = Array.from({ length: 12 }, (_, i) => `Document ${i} is about topic ${i * 7}: short enough to be packed with others.`);

for (const engine of ['onnx', 'llama-cpp'] as const) {
  describe(`a throwing onProgress on the ${engine} engine`, () => {
    let reranker: Reranker;
    const unhandled: unknown[] = [];
    const onUnhandled = (reason: unknown) => unhandled.push(reason);
    before(async () => {
      reranker = await createReranker({ model: await ensureTestModel('tiny'), engine });
      process.on('unhandledRejection', onUnhandled);
    });
    after(async () => {
      process.off('unhandledRejection', onUnhandled);
      await reranker?.close();
    });

    it('fails that request with callback_failed, completes the one beside it, and leaves no unhandled rejection', async () => {
      assert.equal(reranker.info.engine, engine);
      let calls = 0;
      const failing = reranker.rerank('which topic?', documents, {
        onProgress: () => {
          if (++calls === 3) throw new Error('progress bar exploded');
        },
      });
      const beside = reranker.rerank('another query', documents.map((d) => `${d} (beside)`));
      await assert.rejects(within(failing, 30_000, 'the request with the throwing callback'), (error: unknown) => {
        assert.ok(isRerankerError(error), String(error));
        assert.equal(error.code, 'callback_failed');
        assert.equal((error.cause as Error).message, 'progress bar exploded');
        return true;
      });
      assert.equal((await within(beside, 30_000, 'the request beside it')).results.length, documents.length);
      // Runs already sent to the engine when the callback threw settle after the rejection; give them time to.
      await new Promise((resolve) => setTimeout(resolve, 500));
      assert.deepEqual(unhandled, []);
    });

    it('scores the same documents on the next request', async () => {
      const { results } = await within(reranker.rerank('which topic?', documents), 30_000, 'the next request');
      assert.equal(results.length, documents.length);
      assert.deepEqual(unhandled, []);
    });

    it('fails score() with callback_failed when onProgress throws on a cached result', async () => {
      await reranker.rerank('cached query', documents.slice(0, 2));
      const pairs = documents.slice(0, 2).map((document) => ({ query: 'cached query', document }));
      await assert.rejects(
        within(reranker.score(pairs, { onProgress: () => { throw new Error('no'); } }), 30_000, 'score()'),
        (error: unknown) => isRerankerError(error) && error.code === 'callback_failed',
      );
    });
  });
}
