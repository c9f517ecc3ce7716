// Error codes cross the ONNX engine's worker boundary (issue 18): a file the session worker finds bad stays
// `not_a_reranker` on the main thread, and `engine: 'auto'` reports it instead of falling back to llama.cpp.
import { describe, it, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createReranker, isRerankerError } from '../../src/index.js';
import { ensureTestModel } from '../helpers/test-models.js';

describe('a GGUF that lacks a tensor only the session worker reads', () => {
  let dir: string;
  let modelPath: string;
  before(async () => {
    // The tiny model with one tensor renamed (same length, so the file stays a valid GGUF): the main thread's
    // checks (metadata, tensor types) pass, and the worker finds blk.0.attn_q_norm.weight missing as it builds
    // the graph. llama.cpp refuses the file too, with its own model_load_failed.
    const bytes = readFileSync(await ensureTestModel('tiny'));
    const name = Buffer.from('blk.0.attn_q_norm.weight');
    const at = bytes.indexOf(name);
    assert.ok(at > 0);
    bytes[at + name.length - 1] = 'x'.charCodeAt(0);
    dir = mkdtempSync(join(tmpdir(), 'qwen-ranker-worker-errors-'));
    modelPath = join(dir, 'missing-q-norm.gguf');
    writeFileSync(modelPath, bytes);
  });
  after(() => rmSync(dir, { recursive: true, force: true }));

  for (const options of [{ engine: 'onnx' }, { engine: 'auto', gpu: false }] as const) {
    it(`is refused as not_a_reranker with engine: '${options.engine}', naming the tensor`, async () => {
      await assert.rejects(createReranker({ model: modelPath, ...options }), (error: unknown) => {
        assert.ok(isRerankerError(error), String(error));
        assert.equal(error.code, 'not_a_reranker', error.message);
        assert.match(error.message, /blk\.0\.attn_q_norm\.weight/);
        assert.match(error.message, /onnxruntime/); // the ONNX engine's answer, not llama.cpp's after a fallback
        return true;
      });
    });
  }
});
