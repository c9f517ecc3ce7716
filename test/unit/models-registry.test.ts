import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { parseHfUri, formatHfUri } from '../../src/models/hf-uri.js';
import { DEFAULT_MODEL, KNOWN_MODELS, knownModelUri } from '../../src/models/registry.js';

describe('model registry', () => {
  it('lists 0.6B, 4B and 8B Qwen3-Reranker GGUF repos', () => {
    assert.deepEqual(
      KNOWN_MODELS.map((m) => m.sizeClass),
      ['0.6B', '4B', '8B'],
    );
    for (const model of KNOWN_MODELS) assert.match(model.repo, /^[\w.-]+\/Qwen3-Reranker-(0\.6B|4B|8B)-GGUF$/);
  });

  it('has a default model that is the 0.6B Q8_0 entry of the registry', () => {
    const [small] = KNOWN_MODELS;
    assert.ok(small);
    assert.equal(DEFAULT_MODEL, knownModelUri(small));
    assert.equal(formatHfUri(parseHfUri(DEFAULT_MODEL)), DEFAULT_MODEL);
    assert.ok(small.quantizations.some((q) => q.name === 'Q8_0'));
  });

  it('orders each model’s quantizations by size, and bigger models are bigger', () => {
    for (const model of KNOWN_MODELS) {
      const sizes = model.quantizations.map((q) => q.approximateBytes);
      assert.deepEqual(sizes, [...sizes].sort((a, b) => a - b), model.name);
      assert.ok(model.quantizations.some((q) => q.name === model.defaultQuantization), model.name);
    }
    const q8 = KNOWN_MODELS.map((m) => m.quantizations.find((q) => q.name === 'Q8_0')?.approximateBytes ?? 0);
    assert.deepEqual(q8, [...q8].sort((a, b) => a - b));
  });

  it('makes valid hf: URIs for every quantization', () => {
    for (const model of KNOWN_MODELS) {
      for (const q of model.quantizations) {
        const uri = parseHfUri(knownModelUri(model, q.name));
        assert.equal(uri.kind === 'quantization' && uri.quantization, q.name);
      }
    }
  });
});
