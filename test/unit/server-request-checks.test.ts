// The server's checks that need no model: limit resolution and workload estimates, error → HTTP mapping,
// validation field paths, and API key checks.
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtemp, writeFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import {
  DEFAULT_SERVER_LIMITS,
  checkWorkload,
  resolveServerLimits,
} from '../../src/server/server-limits.js';
import { toHttpError, validationField } from '../../src/server/http-errors.js';
import { bearerToken, createApiKeyCheck, readApiKeysFile } from '../../src/server/api-key-check.js';
import {
  AbortedError,
  EngineUnavailableError,
  InvalidInputError,
  LimitExceededError,
  OverloadedError,
  RerankerError,
  TimeoutError,
  resolveRerankOptions,
  type RerankOptions,
} from '../../src/index.js';

const limits = resolveServerLimits({ maxDocumentsPerRequest: 10, maxQueryCharacters: 20, maxTokensPerRequest: 2000 });

function limitOf(fn: () => void): string | undefined {
  try {
    fn();
  } catch (error) {
    if (error instanceof LimitExceededError) return error.limit;
    throw error;
  }
  return undefined;
}

describe('server limits', () => {
  it('applies defaults and rejects non-integer or zero limits', () => {
    assert.deepEqual(resolveServerLimits(), DEFAULT_SERVER_LIMITS);
    assert.equal(resolveServerLimits({ maxQueuedRequests: 0 }).maxQueuedRequests, 0);
    const invalid = (field: string) => (error: unknown) => error instanceof InvalidInputError && error.field === field;
    assert.throws(() => resolveServerLimits({ maxDocumentsPerRequest: 0 }), invalid('maxDocumentsPerRequest'));
    assert.throws(() => resolveServerLimits({ bodyLimit: 1.5 }), invalid('bodyLimit'));
  });

  /** Options as the server resolves them before its workload check. */
  const resolved = (options: RerankOptions = {}) => resolveRerankOptions(options, 40_960);

  it('names the limit a workload exceeds: documents, query length, instruction length, tokens', () => {
    const ok = { options: resolved(), queries: [{ field: 'query', text: 'q' }] };
    assert.equal(limitOf(() => checkWorkload(limits, { ...ok, groups: [{ queryIndex: 0, documents: Array(10).fill('d') }] })), undefined);
    assert.equal(limitOf(() => checkWorkload(limits, { ...ok, groups: [{ queryIndex: 0, documents: Array(11).fill('d') }] })), 'maxDocumentsPerRequest');
    assert.equal(
      limitOf(() => checkWorkload(limits, { ...ok, queries: [{ field: 'query', text: 'x'.repeat(21) }], groups: [{ queryIndex: 0, documents: ['d'] }] })),
      'maxQueryCharacters',
    );
    assert.equal(
      limitOf(() => checkWorkload(limits, { ...ok, options: resolved({ instruction: 'i'.repeat(21) }), groups: [{ queryIndex: 0, documents: ['d'] }] })),
      'maxQueryCharacters',
    );
    assert.equal(limitOf(() => checkWorkload(limits, { ...ok, groups: [{ queryIndex: 0, documents: ['w'.repeat(40_000)] }] })), 'maxTokensPerRequest');
  });

  it('caps each pair at maxLength when estimating tokens, but not in windows mode (a long document is read whole)', () => {
    const workload = { queries: [{ field: 'query', text: 'q' }], groups: [{ queryIndex: 0, documents: ['w'.repeat(40_000)] }] };
    assert.equal(limitOf(() => checkWorkload(limits, { ...workload, options: resolved({ maxLength: 512 }) })), undefined);
    assert.equal(limitOf(() => checkWorkload(limits, { ...workload, options: resolved({ maxLength: 512, longDocuments: 'windows' }) })), 'maxTokensPerRequest');
  });

  it('counts the evidence sentences of the documents that may be returned: all of them, or the top_n longest', () => {
    // Estimated: 4 documents of 250 tokens and one of 38 after an 81-token prefix: 1,443 prompt tokens alone, 2,481
    // with every body again, 1,693 with the longest one only (the limit here is 2,000).
    const long = 'word '.repeat(200);
    const workload = { queries: [{ field: 'query', text: 'q' }], groups: [{ queryIndex: 0, documents: [long, long, long, long, 'word '.repeat(30)] }] };
    assert.equal(limitOf(() => checkWorkload(limits, { ...workload, options: resolved() })), undefined);
    assert.equal(limitOf(() => checkWorkload(limits, { ...workload, options: resolved({ evidence: 3 }) })), 'maxTokensPerRequest');
    assert.equal(limitOf(() => checkWorkload(limits, { ...workload, options: resolved({ evidence: 3, topN: 1 }) })), undefined);
    // Spans are never truncated: a document cut to maxLength for its own score is read whole for its evidence.
    const huge = { queries: [{ field: 'query', text: 'q' }], groups: [{ queryIndex: 0, documents: ['w '.repeat(4_000)] }] };
    assert.equal(limitOf(() => checkWorkload(limits, { ...huge, options: resolved({ maxLength: 512 }) })), undefined);
    assert.equal(limitOf(() => checkWorkload(limits, { ...huge, options: resolved({ maxLength: 512, evidence: 1 }) })), 'maxTokensPerRequest');
  });

  it('refuses top_n above the documents limit as invalid input naming top_n', () => {
    const workload = { queries: [{ field: 'query', text: 'q' }], groups: [{ queryIndex: 0, documents: ['d'] }] };
    assert.doesNotThrow(() => checkWorkload(limits, { ...workload, options: resolved({ topN: 10 }) }));
    assert.throws(
      () => checkWorkload(limits, { ...workload, options: resolved({ topN: 11 }) }),
      (error: unknown) => error instanceof InvalidInputError && error.field === 'top_n',
    );
  });
});

describe('error → HTTP mapping', () => {
  const map = (error: unknown) => toHttpError(error, { bodyLimit: 1234 });

  it('maps each error code to its status, with Retry-After on overload and unavailability', () => {
    assert.equal(map(new InvalidInputError('documents[2]', 'bad')).status, 400);
    assert.deepEqual(map(new InvalidInputError('documents[2]', 'bad')).body, { error: { code: 'invalid_input', message: 'bad', field: 'documents[2]' } });
    const limit = map(new LimitExceededError('documents', 'maxDocumentsPerRequest', 5, 'too many'));
    assert.equal(limit.status, 422);
    assert.equal(limit.body.error.limit, 'maxDocumentsPerRequest');
    assert.equal(limit.body.error.max, 5);
    const overloaded = map(new OverloadedError('busy', 7));
    assert.equal(overloaded.status, 429);
    assert.equal(overloaded.retryAfterSeconds, 7);
    const unavailable = map(new EngineUnavailableError('loading', { retryAfterSeconds: 3 }));
    assert.equal(unavailable.status, 503);
    assert.equal(unavailable.retryAfterSeconds, 3);
    const timeout = map(new TimeoutError('slow'));
    assert.equal(timeout.status, 503);
    assert.ok(timeout.retryAfterSeconds! >= 1);
    assert.equal(map(new RerankerError('unauthorized', 'no key')).status, 401);
    assert.equal(map(new AbortedError()).status, 499);
  });

  it('maps fastify body errors: too large → 413 naming bodyLimit, bad JSON → 400, wrong media type → 415', () => {
    const tooLarge = map(Object.assign(new Error('x'), { code: 'FST_ERR_CTP_BODY_TOO_LARGE', statusCode: 413 }));
    assert.equal(tooLarge.status, 413);
    assert.equal(tooLarge.body.error.limit, 'bodyLimit');
    assert.equal(tooLarge.body.error.max, 1234);
    assert.equal(map(Object.assign(new Error('x'), { code: 'FST_ERR_CTP_INVALID_JSON_BODY', statusCode: 400 })).status, 400);
    assert.equal(map(Object.assign(new Error('x'), { code: 'FST_ERR_CTP_INVALID_MEDIA_TYPE', statusCode: 415 })).status, 415);
  });

  it('hides the message of unexpected errors behind a 500 internal_error', () => {
    const http = map(new Error('secret stack detail'));
    assert.equal(http.status, 500);
    assert.equal(http.body.error.code, 'internal_error');
    assert.ok(!http.body.error.message.includes('secret'));
  });

  it('names validation fields as JSON paths', () => {
    assert.equal(validationField('/documents/3'), 'documents[3]');
    assert.equal(validationField('/documents/3/text'), 'documents[3].text');
    assert.equal(validationField('', { missingProperty: 'query' }), 'query');
    assert.equal(validationField('', { additionalProperty: 'bogus' }), 'bogus');
    assert.equal(validationField(''), null);
  });
});

describe('API keys', () => {
  it('accepts any configured key as a Bearer token and nothing else', () => {
    const check = createApiKeyCheck(['key-one', 'key-two']);
    assert.equal(check('Bearer key-one'), true);
    assert.equal(check('bearer key-two'), true);
    assert.equal(check('Bearer key-three'), false);
    assert.equal(check('Bearer key-on'), false);
    assert.equal(check('Basic key-one'), false);
    assert.equal(check('key-one'), false);
    assert.equal(check(undefined), false);
  });

  it('parses the Bearer token', () => {
    assert.equal(bearerToken('Bearer abc'), 'abc');
    assert.equal(bearerToken('Bearer  abc '), 'abc');
    assert.equal(bearerToken('Bearer a b'), undefined);
    assert.equal(bearerToken('Bearer '), undefined);
  });

  it('reads a keys file: one per line, blank lines and # comments ignored', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'qwen-ranker-keys-'));
    try {
      const path = join(dir, 'keys.txt');
      await writeFile(path, '# team keys\nalpha\n\n  beta  \r\n#gamma\n');
      assert.deepEqual(await readApiKeysFile(path), ['alpha', 'beta']);
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
  });
});
