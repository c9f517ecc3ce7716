// Request building and response parsing of each remote flavour, against request/response pairs recorded from the
// servers' documentation and source (test/fixtures/remote/*.json name their sources).
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { DEFAULT_INSTRUCTION, InvalidInputError } from '../../src/index.js';
import { cohereFlavour } from '../../src/engines/http/cohere/cohere-flavour.js';
import { EndpointError } from '../../src/engines/http/http-request.js';
import { llamaServerFlavour } from '../../src/engines/http/llama-server/llama-server-flavour.js';
import type { RemoteFlavour } from '../../src/engines/http/remote-flavour.js';
import { teiFlavour } from '../../src/engines/http/tei/tei-flavour.js';
import { vllmFlavour } from '../../src/engines/http/vllm/vllm-flavour.js';

interface Fixture {
  input: { instruction: string; query: string; documents: string[]; maxLength: number; model?: string };
  request: unknown;
  responseHeaders: Record<string, string>;
  response: unknown;
  expected: { probabilities?: number[]; logits?: number[]; promptTokens: number | null };
}

const fixture = (name: string): Fixture => JSON.parse(readFileSync(new URL(`../fixtures/remote/${name}`, import.meta.url), 'utf8')) as Fixture;

const cases: Array<[RemoteFlavour, string]> = [
  [vllmFlavour, 'vllm-score.json'],
  [llamaServerFlavour, 'llama-server-rerank.json'],
  [teiFlavour, 'tei-rerank.json'],
  [cohereFlavour, 'cohere-rerank.json'],
];


for (const [flavour, file] of cases) {
  describe(`${flavour.kind} flavour (${file})`, () => {
    const f = fixture(file);
    const batch = { instruction: f.input.instruction, query: f.input.query, documents: f.input.documents, maxLength: f.input.maxLength };

    it('builds the documented request body', () => {
      assert.deepEqual(flavour.buildRequest(batch, f.input.model), f.request);
    });

    it('reads scores back into input order, as the server gave them (logits or probabilities)', () => {
      const parsed = flavour.parseResponse(f.response, new Headers(f.responseHeaders), f.input.documents.length);
      if (f.expected.logits) assert.deepEqual(parsed.relevance, f.expected.logits.map((logit) => ({ logit })));
      if (f.expected.probabilities) assert.deepEqual(parsed.relevance, f.expected.probabilities.map((probability) => ({ probability })));
      assert.equal(parsed.promptTokens, f.expected.promptTokens ?? undefined);
    });

    it('rejects an answer that misses a document as malformed', () => {
      assert.throws(
        () => flavour.parseResponse(f.response, new Headers(f.responseHeaders), f.input.documents.length + 1),
        (e: unknown) => e instanceof EndpointError && e.failure === 'malformed' && /no score for document/.test(e.message),
      );
    });

    it('rejects an answer of the wrong shape as malformed', () => {
      assert.throws(
        () => flavour.parseResponse({ unexpected: true }, new Headers(), f.input.documents.length),
        (e: unknown) => e instanceof EndpointError && e.failure === 'malformed',
      );
    });

    it('omits the model when none is configured', () => {
      assert.equal(Object.hasOwn(flavour.buildRequest(batch, undefined) as object, 'model'), false);
    });
  });
}

describe('instruction support', () => {
  const custom = 'Given a question, retrieve passages that answer it';

  for (const flavour of [vllmFlavour, teiFlavour]) {
    it(`${flavour.kind} sends a custom instruction inside the prompt`, () => {
      flavour.checkInstruction(custom);
      const body = JSON.stringify(flavour.buildRequest({ instruction: custom, query: 'q', documents: ['d'], maxLength: 512 }, undefined));
      assert.ok(body.includes(`<Instruct>: ${custom}\\n<Query>: q\\n`), body);
    });
  }

  for (const flavour of [llamaServerFlavour, cohereFlavour]) {
    it(`${flavour.kind} accepts the default instruction and refuses any other with invalid_input on "instruction"`, () => {
      flavour.checkInstruction(DEFAULT_INSTRUCTION);
      for (const instruction of [custom, '']) {
        assert.throws(
          () => flavour.checkInstruction(instruction),
          (e: unknown) => e instanceof InvalidInputError && e.code === 'invalid_input' && e.field === 'instruction',
        );
      }
    });
  }
});

describe('response details', () => {
  it('vllm passes maxLength as truncate_prompt_tokens', () => {
    const body = vllmFlavour.buildRequest({ instruction: DEFAULT_INSTRUCTION, query: 'q', documents: ['a'], maxLength: 777 }, undefined) as { truncate_prompt_tokens: number };
    assert.equal(body.truncate_prompt_tokens, 777);
  });

  it('vllm reads usage.prompt_tokens when the server reports it', () => {
    const parsed = vllmFlavour.parseResponse({ data: [{ index: 0, score: 0.5 }], usage: { prompt_tokens: 91, total_tokens: 91 } }, new Headers(), 1);
    assert.equal(parsed.promptTokens, 91);
    assert.deepEqual(parsed.relevance[0], { probability: 0.5 });
  });

  it('cohere reads meta.tokens.input_tokens (qwen-ranker, vLLM) before meta.billed_units.input_tokens', () => {
    const body = { results: [{ index: 0, relevance_score: 0.5 }], meta: { tokens: { input_tokens: 40 }, billed_units: { input_tokens: 7 } } };
    assert.equal(cohereFlavour.parseResponse(body, new Headers(), 1).promptTokens, 40);
  });

  it('a repeated index is malformed even when the count matches', () => {
    const body = { results: [{ index: 0, relevance_score: 0.2 }, { index: 0, relevance_score: 0.3 }] };
    assert.throws(() => cohereFlavour.parseResponse(body, new Headers(), 2), (e: unknown) => e instanceof EndpointError && /repeated/.test(e.message));
  });

  it('tei ignores an x-compute-tokens header that is not a number', () => {
    const parsed = teiFlavour.parseResponse([{ index: 0, score: 1.25 }], new Headers({ 'x-compute-tokens': 'n/a' }), 1);
    assert.deepEqual(parsed, { relevance: [{ logit: 1.25 }], promptTokens: undefined });
  });
});
