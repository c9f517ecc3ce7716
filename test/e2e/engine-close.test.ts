// What `close()` releases and how long it may take (issue 18): the llama.cpp engine disposes the llama.cpp runtime it
// created, and closing the ONNX engine's session worker returns within its bound even with long runs still in it
// (which fail with `aborted`; the worker ends by itself after them, never stopped inside onnxruntime).
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { createReranker, isRerankerError } from '../../src/index.js';
import { readRerankerGguf } from '../../src/engines/local/gguf-checks.js';
import { GgufTensorFile } from '../../src/engines/onnx/gguf-tensors.js';
import { readQwen3Config } from '../../src/engines/onnx/qwen3-config.js';
import { WorkerSession } from '../../src/engines/onnx/worker-session.js';
import { ensureTestModel } from '../helpers/test-models.js';

describe('closing the llama.cpp engine', () => {
  it("disposes the llama.cpp runtime it created (node-llama-cpp's Llama holds a process 'beforeExit' listener until then)", async () => {
    const model = await ensureTestModel('tiny');
    const listeners = process.listenerCount('beforeExit');
    const scores: number[] = [];
    // Twice: a runtime disposed by one engine leaves the next engine's runtime working.
    for (let round = 0; round < 2; round++) {
      const ranker = await createReranker({ model, engine: 'llama-cpp', gpu: false, cacheSize: 0 });
      assert.ok(process.listenerCount('beforeExit') > listeners);
      scores.push((await ranker.score([{ query: 'q', document: 'd' }]))[0]!.logit);
      await ranker.close();
      assert.equal(process.listenerCount('beforeExit'), listeners, `round ${round}`);
    }
    assert.equal(scores[1], scores[0]);
  });
});

describe("closing the ONNX engine's session worker", () => {
  it('returns within its bound while long runs are still queued in the worker, failing them with aborted', async () => {
    const path = await ensureTestModel('tiny');
    const file = await GgufTensorFile.fromFileInfo(path, (await readRerankerGguf(path)).info);
    const config = readQwen3Config(file);
    file.close();
    const session = await WorkerSession.start(file.layout, config, { threads: 1 });
    // Two 8,000-token documents, one run each (as the engine keeps two runs in the worker): seconds of work.
    const document = Array.from({ length: 8000 }, (_, i) => 100 + (i % 5000));
    const runs = Array.from({ length: 2 }, () => session.score([document]));
    const outcomes = Promise.allSettled(runs);
    const started = performance.now();
    await session.close(100);
    const took = performance.now() - started;
    assert.ok(took < 1000, `close took ${took.toFixed(0)} ms`);
    const settled = await outcomes;
    const aborted = settled.filter((s) => s.status === 'rejected' && isRerankerError(s.reason) && s.reason.code === 'aborted');
    assert.equal(aborted.length, 2, JSON.stringify(settled.map((s) => s.status)));
  });
});
