import assert from 'node:assert/strict';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import {
  availableQuantizations,
  formatHfUri,
  parseHfUri,
  quantizationOf,
  repoDirectory,
  selectGgufFile,
  suggestedFileName,
} from '../../src/models/hf-uri.js';

describe('parseHfUri', () => {
  it('parses hf:owner/repo:QUANT and upper-cases the quantization', () => {
    assert.deepEqual(parseHfUri('hf:giladgd/Qwen3-Reranker-0.6B-GGUF:q8_0'), {
      kind: 'quantization',
      owner: 'giladgd',
      repo: 'Qwen3-Reranker-0.6B-GGUF',
      quantization: 'Q8_0',
    });
  });

  it('parses hf:owner/repo without a quantization', () => {
    assert.deepEqual(parseHfUri('hf:ggml-org/Qwen3-Reranker-0.6B-Q8_0-GGUF'), {
      kind: 'quantization',
      owner: 'ggml-org',
      repo: 'Qwen3-Reranker-0.6B-Q8_0-GGUF',
      quantization: undefined,
    });
  });

  it('parses hf:owner/repo/path/file.gguf', () => {
    assert.deepEqual(parseHfUri('hf:o/r/sub/dir/Model.Q4_K_M.gguf'), { kind: 'file', owner: 'o', repo: 'r', file: 'sub/dir/Model.Q4_K_M.gguf' });
  });

  for (const bad of ['hf:', 'hf:owner', 'hf:/repo', 'hf:owner/', 'hf:owner/repo:Q8:0', 'hf:owner/repo:Q8-0', 'hf:o/r/../x.gguf', 'hf:o/r/a//b.gguf', 'hf:o/r/readme.md', 'hf:../r:Q8_0', 'owner/repo']) {
    it(`rejects ${JSON.stringify(bad)} with invalid_input on the model field`, () => {
      assert.throws(() => parseHfUri(bad), { code: 'invalid_input', field: 'model' });
    });
  }

  it('formats back to the canonical text', () => {
    assert.equal(formatHfUri(parseHfUri('hf:o/r:q4_k_m')), 'hf:o/r:Q4_K_M');
    assert.equal(formatHfUri(parseHfUri('hf:o/r')), 'hf:o/r');
    assert.equal(formatHfUri(parseHfUri('hf:o/r/a/b.gguf')), 'hf:o/r/a/b.gguf');
  });
});

describe('quantization of a file name', () => {
  it('reads the last - or . segment', () => {
    assert.equal(quantizationOf('Qwen3-Reranker-0.6B.Q8_0.gguf'), 'Q8_0');
    assert.equal(quantizationOf('qwen3-reranker-0.6b-q4_k_m.gguf'), 'Q4_K_M');
    assert.equal(quantizationOf('sub/Model-BF16.gguf'), 'BF16');
    assert.equal(quantizationOf('model.gguf'), undefined);
  });
});

describe('selectGgufFile', () => {
  const files = ['README.md', 'M.Q4_K_M.gguf', 'M.Q4_K.gguf', 'M.Q8_0.gguf', 'M-F16.gguf', 'M-BF16.gguf', 'M.Q8_0.gguf.part'];

  it('picks the file whose last segment is the quantization, not a prefix or suffix of it', () => {
    assert.equal(selectGgufFile(files, 'Q4_K'), 'M.Q4_K.gguf');
    assert.equal(selectGgufFile(files, 'Q4_K_M'), 'M.Q4_K_M.gguf');
    assert.equal(selectGgufFile(files, 'F16'), 'M-F16.gguf');
    assert.equal(selectGgufFile(files, 'q8_0'), 'M.Q8_0.gguf');
  });

  it('without a quantization picks the only GGUF, else the Q8_0 one', () => {
    assert.equal(selectGgufFile(['README.md', 'only-model.gguf'], undefined), 'only-model.gguf');
    assert.equal(selectGgufFile(files, undefined), 'M.Q8_0.gguf');
    assert.equal(selectGgufFile(['a.Q4_K_M.gguf', 'a.F16.gguf'], undefined), undefined);
  });

  it('returns undefined for a missing or ambiguous quantization', () => {
    assert.equal(selectGgufFile(files, 'Q5_K_M'), undefined);
    assert.equal(selectGgufFile(['a.Q8_0.gguf', 'b-q8_0.gguf'], 'Q8_0'), undefined);
  });

  it('lists the available quantizations, ignoring non-GGUF files', () => {
    assert.deepEqual(availableQuantizations(files), ['BF16', 'F16', 'Q4_K', 'Q4_K_M', 'Q8_0']);
  });
});

describe('local layout', () => {
  it('stores a repo under <modelsDir>/<owner>/<repo> and suggests giladgd-style names', () => {
    const uri = parseHfUri('hf:giladgd/Qwen3-Reranker-4B-GGUF:Q4_K_M');
    assert.equal(repoDirectory('/m', uri), join('/m', 'giladgd', 'Qwen3-Reranker-4B-GGUF'));
    assert.equal(suggestedFileName(uri), 'Qwen3-Reranker-4B.Q4_K_M.gguf');
    assert.equal(suggestedFileName(parseHfUri('hf:o/Repo-GGUF')), 'Repo.Q8_0.gguf');
    assert.equal(suggestedFileName(parseHfUri('hf:o/r/x/y.gguf')), 'x/y.gguf');
  });
});
