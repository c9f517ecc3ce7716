// The ONNX engine's prefix cache on its own (src/engines/onnx/prefix-cache.ts): which entries it evicts and when,
// against an evaluator that records the worker requests it would send and settles them when the test says.
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { keyValueBytesPerToken, PrefixCache, type PrefixEvaluator } from '../../src/engines/onnx/prefix-cache.js';
import type { PrefixHandle } from '../../src/engines/onnx/session-protocol.js';

/** Records `extend`/`release` in order, as the worker would receive them; each extend settles on demand. */
function recordingEvaluator() {
  const requests: string[] = [];
  const pending: Array<{ resolve: () => void; reject: (error: Error) => void }> = [];
  let nextId = 1;
  const evaluator: PrefixEvaluator = {
    extend(tokens) {
      const id = nextId++;
      requests.push(`extend ${id}`);
      return new Promise<PrefixHandle>((resolve, reject) => pending.push({ resolve: () => resolve({ id, length: tokens.length }), reject }));
    },
    release(cache) {
      requests.push(`release ${cache.id}`);
    },
  };
  return { evaluator, requests, pending };
}

/** One byte per token keeps the arithmetic readable. */
const tokens = (first: number, count = 10) => Array.from({ length: count }, (_, i) => first + i);

describe('prefix cache', () => {
  it('sizes an entry as F32 keys and values of every layer: 224 KiB per token on the 0.6B shape', () => {
    assert.equal(keyValueBytesPerToken({ layers: 28, kvHeads: 8, headDim: 128 }), 224 * 1024);
  });

  it('evicts least recently used entries past the byte budget, freeing them before the next evaluation is sent', async () => {
    const { evaluator, requests, pending } = recordingEvaluator();
    const cache = new PrefixCache(evaluator, 25, 1);
    for (const first of [100, 200]) {
      const lease = cache.acquire(tokens(first));
      pending.at(-1)!.resolve();
      await lease.handle;
      lease.release();
    }
    cache.acquire(tokens(100)).release(); // 100 is now the most recent
    assert.deepEqual([cache.size, cache.bytes], [2, 20]);
    const third = cache.acquire(tokens(300));
    assert.deepEqual(requests, ['extend 1', 'extend 2', 'release 2', 'extend 3']);
    assert.deepEqual([cache.size, cache.bytes], [2, 20]);
    pending.at(-1)!.resolve();
    await third.handle;
    third.release();
    assert.equal(cache.acquire(tokens(100)).evaluated, false);
  });

  it('never evicts an entry a lease holds or one still being evaluated, then evicts it once released', async () => {
    const { evaluator, requests, pending } = recordingEvaluator();
    const cache = new PrefixCache(evaluator, 0, 1);
    const held = cache.acquire(tokens(100));
    const alsoHeld = cache.acquire(tokens(100));
    assert.deepEqual([held.evaluated, alsoHeld.evaluated], [true, false]);
    const other = cache.acquire(tokens(200)); // over budget: nothing can go, 100 is held and not yet evaluated
    assert.deepEqual(requests, ['extend 1', 'extend 2']);
    pending[0]!.resolve();
    pending[1]!.resolve();
    await Promise.all([held.handle, other.handle]);
    other.release();
    held.release();
    held.release(); // a second release of one lease changes nothing: alsoHeld still holds 100
    assert.deepEqual(requests, ['extend 1', 'extend 2', 'release 2']);
    assert.deepEqual([cache.size, cache.bytes], [1, 10]);
    alsoHeld.release();
    assert.deepEqual(requests, ['extend 1', 'extend 2', 'release 2', 'release 1']);
    assert.deepEqual([cache.size, cache.bytes], [0, 0]);
  });

  it('forgets a failed evaluation (its holders see the error) and evaluates the prefix again on the next request', async () => {
    const { evaluator, requests, pending } = recordingEvaluator();
    const cache = new PrefixCache(evaluator, 100, 1);
    const failed = cache.acquire(tokens(100));
    pending[0]!.reject(new Error('worker failed'));
    await assert.rejects(failed.handle, /worker failed/);
    assert.deepEqual([cache.size, cache.bytes], [0, 0]);
    const again = cache.acquire(tokens(100));
    assert.equal(again.evaluated, true);
    failed.release(); // the failed run ends after the retry began: the new entry stays
    pending[1]!.resolve();
    await again.handle;
    again.release();
    assert.deepEqual([cache.size, cache.bytes], [1, 10]);
    assert.deepEqual(requests, ['extend 1', 'extend 2']);
  });
});
