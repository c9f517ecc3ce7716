// resolveRerankOptions is the one place scoring options get defaults and checks (the facade and the server both
// call it); these cases pin its defaults, its bounds and the caller's field names in errors.
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { DEFAULT_INSTRUCTION, DEFAULT_MAX_LENGTH, InvalidInputError, resolveRerankOptions } from '../../src/index.js';

const CONTEXT = 40_960;
const invalid = (field: string) => (e: unknown) => e instanceof InvalidInputError && e.field === field;

describe('resolveRerankOptions', () => {
  it('applies the documented defaults', () => {
    assert.deepEqual(resolveRerankOptions({}, CONTEXT), {
      instruction: DEFAULT_INSTRUCTION,
      maxLength: DEFAULT_MAX_LENGTH,
      longDocuments: 'truncate',
      windowOverlap: undefined,
      topN: undefined,
      minScore: 0,
      evidence: undefined,
    });
  });

  it('keeps an empty instruction empty (the reference does) and reads null as the default', () => {
    assert.equal(resolveRerankOptions({ instruction: '' }, CONTEXT).instruction, '');
    assert.equal(resolveRerankOptions({ instruction: null }, CONTEXT).instruction, DEFAULT_INSTRUCTION);
  });

  it('returns the same values when given its own result', () => {
    const once = resolveRerankOptions({ instruction: 'x', maxLength: 512, longDocuments: 'windows', windowOverlap: 16, topN: 3, minScore: 0.2, evidence: 2 }, CONTEXT);
    assert.deepEqual(resolveRerankOptions(once, CONTEXT), once);
  });

  it('bounds maxLength by the engine context', () => {
    assert.equal(resolveRerankOptions({ maxLength: CONTEXT }, CONTEXT).maxLength, CONTEXT);
    assert.throws(() => resolveRerankOptions({ maxLength: CONTEXT + 1 }, CONTEXT), invalid('maxLength'));
    assert.throws(() => resolveRerankOptions({ maxLength: 0 }, CONTEXT), invalid('maxLength'));
    assert.throws(() => resolveRerankOptions({ maxLength: 1.5 }, CONTEXT), invalid('maxLength'));
  });

  it('refuses bad values naming the option', () => {
    assert.throws(() => resolveRerankOptions({ topN: 0 }, CONTEXT), invalid('topN'));
    assert.throws(() => resolveRerankOptions({ evidence: 0 }, CONTEXT), invalid('evidence'));
    assert.throws(() => resolveRerankOptions({ evidence: 2.5 }, CONTEXT), invalid('evidence'));
    assert.throws(() => resolveRerankOptions({ evidence: '3' as unknown as number }, CONTEXT), invalid('evidence'));
    assert.throws(() => resolveRerankOptions({ minScore: Number.NaN }, CONTEXT), invalid('minScore'));
    assert.throws(() => resolveRerankOptions({ windowOverlap: -1 }, CONTEXT), invalid('windowOverlap'));
    assert.throws(() => resolveRerankOptions({ longDocuments: 'split' as 'windows' }, CONTEXT), invalid('longDocuments'));
    assert.throws(() => resolveRerankOptions({ instruction: 7 as unknown as string }, CONTEXT), invalid('instruction'));
  });

  it("names the caller's fields in errors (a wire format's max_tokens_per_doc, top_n)", () => {
    const fields = { maxLength: 'max_tokens_per_doc', topN: 'top_n' };
    assert.throws(() => resolveRerankOptions({ maxLength: CONTEXT + 1 }, CONTEXT, fields), invalid('max_tokens_per_doc'));
    assert.throws(() => resolveRerankOptions({ topN: -2 }, CONTEXT, fields), invalid('top_n'));
  });
});
