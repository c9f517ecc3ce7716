// checkRerankerOptions pairs each option with the engine that takes it, at run time (JavaScript callers, the
// command line): an option another engine would ignore is an invalid_input naming it, before anything loads. No
// model: createReranker refuses before it resolves one.
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { checkRerankerOptions, createReranker, InvalidInputError, type CreateRerankerOptions } from '../../src/index.js';

const refused = (field: string, message: string) => (error: unknown) => {
  assert.ok(error instanceof InvalidInputError, String(error));
  assert.equal(error.code, 'invalid_input');
  assert.equal(error.field, field);
  assert.equal(error.message, message);
  return true;
};

/** Options as a JavaScript caller may pass them, past the compiler. */
const unchecked = (options: Record<string, unknown>) => options as CreateRerankerOptions;

describe('checkRerankerOptions', () => {
  it("accepts each engine's own options, and both local engines' options for auto", () => {
    checkRerankerOptions({ model: 'm', cacheSize: 0, gpu: false, threads: 2, sequences: 2, prefixCacheBytes: 0 });
    checkRerankerOptions({ engine: 'onnx', threads: 2, prefixCacheBytes: 1, profileFilePrefix: 'p', modelsDir: '/tmp' });
    checkRerankerOptions({ engine: 'llama-cpp', gpu: 'cuda', sequences: 4, kvCacheType: 'f32', flashAttention: false });
    checkRerankerOptions({ engine: 'vllm', endpoints: ['http://gpu1:8000'], model: 'm', apiKey: 'k', maxRetries: 0, cacheSize: 1 });
  });

  it('refuses a local option on a remote engine, naming it and the engine', () => {
    assert.throws(() => checkRerankerOptions({ engine: 'vllm', endpoints: ['http://gpu1:8000'], gpu: 'cuda' }), refused('gpu', 'gpu is not an option of the vllm engine'));
    assert.throws(() => checkRerankerOptions({ engine: 'cohere', endpoints: ['http://x'], threads: 2 }), refused('threads', 'threads is not an option of the cohere engine'));
  });

  it("refuses one local engine's option on the other, and a remote option on a local engine", () => {
    assert.throws(() => checkRerankerOptions({ engine: 'onnx', sequences: 4 }), refused('sequences', 'sequences is not an option of the onnx engine'));
    assert.throws(() => checkRerankerOptions({ engine: 'llama-cpp', prefixCacheBytes: 0 }), refused('prefixCacheBytes', 'prefixCacheBytes is not an option of the llama-cpp engine'));
    assert.throws(() => checkRerankerOptions({ timeoutMs: 5 }), refused('timeoutMs', 'timeoutMs is not an option of the auto engine'));
  });

  it('refuses an unknown option and an unknown engine, and ignores options set to undefined', () => {
    assert.throws(() => checkRerankerOptions(unchecked({ engine: 'onnx', prefixCacheByte: 1 })), refused('prefixCacheByte', 'prefixCacheByte is not an option of the onnx engine'));
    assert.throws(() => checkRerankerOptions(unchecked({ engine: 'gguf' })), refused('engine', 'engine must be one of auto, onnx, llama-cpp, vllm, llama-server, tei, cohere, got gguf'));
    checkRerankerOptions({ engine: 'tei', endpoints: ['http://x'], gpu: undefined, modelsDir: undefined });
  });

  it('is what createReranker checks first, before any model is resolved or engine loaded', async () => {
    await assert.rejects(createReranker(unchecked({ engine: 'vllm', endpoints: ['http://127.0.0.1:1'], gpu: 'cuda' })), refused('gpu', 'gpu is not an option of the vllm engine'));
    await assert.rejects(createReranker(unchecked({ model: '/nonexistent/model.gguf', engine: 'onnx', kvCacheType: 'f32' })), refused('kvCacheType', 'kvCacheType is not an option of the onnx engine'));
  });
});
