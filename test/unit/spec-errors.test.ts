// Errors carry stable codes and fields, and are recognised across two copies of the package (a user's bundle can
// hold two; `instanceof` then fails, the registry-symbol marker does not).
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { ContextOverflowError, InvalidInputError, RerankerError, isRerankerError } from '../../src/index.js';
import { planPrompts } from '../../src/core/prompt-plan.js';
import type * as errors from '../../src/spec/errors.js';

describe('RerankerError', () => {
  it('is recognised by isRerankerError from a second copy of the module, where instanceof fails', async () => {
    // A query string makes Node load the same file again as a separate module instance: a second copy.
    const secondCopy = new URL('../../src/spec/errors.ts?second-copy', import.meta.url).href;
    const copy = (await import(secondCopy)) as typeof errors;
    const foreign = new copy.InvalidInputError('documents', 'from the other copy');
    assert.equal(foreign instanceof RerankerError, false, 'the copies must really be distinct classes');
    assert.equal(isRerankerError(foreign), true);
    assert.equal(copy.isRerankerError(new InvalidInputError('query', 'from this copy')), true);
  });

  it('is not claimed for plain errors or look-alikes', () => {
    assert.equal(isRerankerError(new Error('plain')), false);
    assert.equal(isRerankerError({ code: 'invalid_input', message: 'forged' }), false);
    assert.equal(isRerankerError(null), false);
  });
});

describe('prompt planning errors', () => {
  const prefix = [1, 2, 3];
  const suffix = [4, 5];
  const body = Array.from({ length: 100 }, (_, i) => 10 + i);

  it('a maxLength below the template is context_overflow naming maxLength', () => {
    assert.throws(
      () => planPrompts({ prefix, suffix, anchorBody: body.slice(0, 10), body, maxLength: 5, mode: 'truncate', windowOverlap: undefined }),
      (e: unknown) => e instanceof ContextOverflowError && e.code === 'context_overflow' && e.field === 'maxLength',
    );
  });

  it('a query that leaves no room for windows is context_overflow naming query', () => {
    assert.throws(
      () => planPrompts({ prefix, suffix, anchorBody: body.slice(0, 60), body, maxLength: 70, mode: 'windows', windowOverlap: undefined }),
      (e: unknown) => e instanceof ContextOverflowError && e.field === 'query',
    );
  });

  it('a windowOverlap as large as the window is invalid_input naming windowOverlap', () => {
    assert.throws(
      () => planPrompts({ prefix, suffix, anchorBody: body.slice(0, 10), body, maxLength: 60, mode: 'windows', windowOverlap: 500 }),
      (e: unknown) => e instanceof InvalidInputError && e.field === 'windowOverlap',
    );
  });
});
