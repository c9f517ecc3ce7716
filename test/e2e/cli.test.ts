// The CLI as a user runs it: a child process per command, real files, the generated tiny model.
import { describe, it, before } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { ensureTestModel } from '../helpers/test-models.js';
import { runCli } from '../helpers/run-cli.js';

const golden = JSON.parse(
  readFileSync(new URL('../../../shared/fixtures/qwen3-tiny-reference/reference.json', import.meta.url), 'utf8'),
) as Array<{ instruction: string | null; query: string; document: string; max_length: number; expected: { score: number; input_tokens: number } }>;

const run = (args: string[], stdin?: string) => runCli(args, stdin === undefined ? {} : { stdin });

describe('qwen-ranker CLI', () => {
  let model: string;
  let dir: string;
  before(async () => {
    model = await ensureTestModel('tiny');
    dir = mkdtempSync(join(tmpdir(), 'qr-cli-'));
  });

  it('rerank --json prints results sorted by score with index, logit and document', async () => {
    const docs = join(dir, 'docs.txt');
    writeFileSync(docs, 'Paris is the capital of France.\n\nThe Eiffel Tower was completed in 1889.\nBerlin is in Germany.\n');
    const { code, stdout, stderr } = await run(['rerank', '--model', model, '--query', 'What is the capital of France?', '--documents', docs, '--json']);
    assert.equal(code, 0, stderr);
    const out = JSON.parse(stdout) as { results: Array<{ index: number; relevance_score: number; logit: number; document: { text: string } }>; usage: { documents: number; input_tokens: number; engine: string } };
    assert.equal(out.results.length, 3, 'blank line skipped');
    const scores = out.results.map((r) => r.relevance_score);
    assert.deepEqual(scores, [...scores].sort((a, b) => b - a));
    assert.deepEqual(out.results.map((r) => r.index).sort(), [0, 1, 2]);
    for (const r of out.results) assert.ok(Math.abs(1 / (1 + Math.exp(-r.logit)) - r.relevance_score) < 1e-9);
    assert.equal(out.results.find((r) => r.index === 1)!.document.text, 'The Eiffel Tower was completed in 1889.');
    assert.equal(out.usage.documents, 3);
    assert.equal(out.usage.engine, 'onnx', 'usage names the engine that ran (auto: ONNX on a CPU)');
    assert.match(stderr, /RANDOM-WEIGHT DEMO/, 'the demo model is labelled');
  });

  it('--engine onnx runs the ONNX Runtime engine and usage says so; an unknown engine is invalid_input', async () => {
    const docs = join(dir, 'engine-docs.txt');
    writeFileSync(docs, 'Paris is the capital of France.\nBerlin is in Germany.\n');
    const forced = await run(['rerank', '-m', model, '-q', 'capital of France', '-d', docs, '--json', '--engine', 'onnx']);
    assert.equal(forced.code, 0, forced.stderr);
    assert.equal((JSON.parse(forced.stdout) as { usage: { engine: string } }).usage.engine, 'onnx');
    const wrong = await run(['rerank', '-m', model, '-q', 'q', '-d', docs, '--engine', 'tensorflow']);
    assert.notEqual(wrong.code, 0);
    assert.match(wrong.stderr, /--engine must be one of auto, onnx, llama-cpp/);
  });

  it('rerank prints a ranked table and honours --top-n; JSONL documents keep their ids', async () => {
    const docs = join(dir, 'docs.jsonl');
    writeFileSync(docs, ['a', 'b', 'c', 'd'].map((t, i) => JSON.stringify({ id: `doc-${i}`, text: `text ${t}` })).join('\n'));
    const table = await run(['rerank', '-m', model, '-q', 'letters', '-d', docs, '--top-n', '2']);
    assert.equal(table.code, 0, table.stderr);
    const lines = table.stdout.trim().split('\n');
    assert.match(lines[0]!, /rank\s+score\s+index\s+document/);
    assert.equal(lines.length, 1 + 2 + 1, 'header, two rows, footer');
    assert.match(lines[1]!, /^\s+1\s+0\.\d{4}\s+\d\s+text [abcd]$/);
    const json = await run(['rerank', '-m', model, '-q', 'letters', '-d', docs, '--json']);
    const ids = (JSON.parse(json.stdout) as { results: Array<{ document: { id: string } }> }).results.map((r) => r.document.id).sort();
    assert.deepEqual(ids, ['doc-0', 'doc-1', 'doc-2', 'doc-3']);
  });

  it('rerank --evidence: --json gives each result its best spans of its text; the table shows the best one under each row', async () => {
    const docs = join(dir, 'evidence-docs.txt');
    writeFileSync(docs, 'Paris is the capital of France. It lies on the Seine. Many tourists visit.\nBerlin is in Germany. It has a wall memorial.\n');
    const args = ['rerank', '-m', model, '-q', 'What is the capital of France?', '-d', docs, '--evidence', '2'];
    const json = await run([...args, '--json']);
    assert.equal(json.code, 0, json.stderr);
    const out = JSON.parse(json.stdout) as {
      results: Array<{ document: { text: string }; evidence: Array<{ start: number; end: number; text: string; score: number; logit: number }> }>;
      usage: { evidence_spans: number };
    };
    for (const result of out.results) {
      assert.equal(result.evidence.length, 2);
      for (const span of result.evidence) assert.equal(result.document.text.slice(span.start, span.end), span.text);
      assert.ok(result.evidence[0]!.score >= result.evidence[1]!.score, 'best first');
    }
    assert.equal(out.usage.evidence_spans, 3 + 2, 'every sentence of both documents is scored');

    const table = await run(args);
    assert.equal(table.code, 0, table.stderr);
    const lines = table.stdout.trim().split('\n');
    for (const [rank, result] of out.results.entries()) {
      const best = result.evidence[0]!;
      assert.equal(lines[2 + rank * 2], `${' '.repeat(21)}↳ ${best.score.toFixed(4)}  ${best.text}`);
    }
    assert.match(lines.at(-1)!, /^2 documents, 5 evidence spans, \d+ tokens/);
  });

  it('rerank --batch prints one line per input line, in order, with an error line for a bad line', async () => {
    const batch = join(dir, 'batch.jsonl');
    writeFileSync(
      batch,
      [
        JSON.stringify({ query: 'capital of France', documents: ['Paris', 'Rome', 'Oslo'], top_n: 2 }),
        JSON.stringify({ query: 'no documents', documents: [] }),
        JSON.stringify({ query: 'code', documents: ['sorted(xs)', 'print(x)'], instruction: 'Given a programming question, retrieve code snippets that answer it' }),
      ].join('\n'),
    );
    const { code, stdout, stderr } = await run(['rerank', '-m', model, '--batch', batch]);
    assert.equal(code, 1, 'a failed line makes the exit code non-zero');
    const lines = stdout.trim().split('\n').map((l) => JSON.parse(l) as { results?: unknown[]; error?: { code: string; line: number } });
    assert.equal(lines.length, 3);
    assert.equal(lines[0]!.results!.length, 2);
    assert.equal(lines[1]!.error!.code, 'invalid_input');
    assert.equal(lines[1]!.error!.line, 2);
    assert.equal(lines[2]!.results!.length, 2);
    assert.doesNotMatch(stderr, /\n\s+at /, 'no stack trace');
  });

  it('score prints one {score, logit, input_tokens} line per pair, matching the reference', async () => {
    const cases = golden.filter((c) => c.max_length === 8192 && c.expected.input_tokens < 1000);
    const input = cases.map((c) => JSON.stringify({ query: c.query, document: c.document, instruction: c.instruction })).join('\n');
    const { code, stdout, stderr } = await run(['score', '--model', model, '--input', '-'], input);
    assert.equal(code, 0, stderr);
    const lines = stdout.trim().split('\n').map((l) => JSON.parse(l) as { score: number; logit: number; input_tokens: number });
    assert.equal(lines.length, cases.length);
    lines.forEach((l, i) => {
      assert.equal(l.input_tokens, cases[i]!.expected.input_tokens);
      assert.ok(Math.abs(l.score - cases[i]!.expected.score) < 2e-3);
    });
  });

  it('score --max-length truncates the document body only', async () => {
    const long = golden.find((c) => c.max_length === 512)!;
    const { stdout } = await run(['score', '-m', model, '--input', '-', '--max-length', '512'], JSON.stringify({ query: long.query, document: long.document }));
    const line = JSON.parse(stdout) as { input_tokens: number; score: number };
    assert.equal(line.input_tokens, 512);
    assert.ok(Math.abs(line.score - long.expected.score) < 2e-3);
  });

  const errorCases: Array<[string, () => string[], RegExp]> = [
    ['a missing documents file', () => ['rerank', '-m', model, '-q', 'q', '-d', join(dir, 'missing.txt')], /cannot read --documents .*no such file/],
    ['an empty documents file', () => (writeFileSync(join(dir, 'empty.txt'), '\n\n'), ['rerank', '-m', model, '-q', 'q', '-d', join(dir, 'empty.txt')]), /contains no documents/],
    ['a missing model', () => ['rerank', '-m', join(dir, 'nope.gguf'), '-q', 'q', '-d', join(dir, 'docs.txt')], /model_not_found/],
    ['a file that is not a GGUF', () => (writeFileSync(join(dir, 'bad.gguf'), 'garbage'), ['rerank', '-m', join(dir, 'bad.gguf'), '-q', 'q', '-d', join(dir, 'docs.txt')]), /not_a_reranker/],
    ['invalid JSON in score input', () => (writeFileSync(join(dir, 'bad.jsonl'), '{"query":"q","document":"d"}\n{oops\n'), ['score', '-m', model, '--input', join(dir, 'bad.jsonl')]), /line 2 of --input is not valid JSON/],
    ['a bad --top-n', () => ['rerank', '-m', model, '-q', 'q', '-d', join(dir, 'docs.txt'), '--top-n', '-3'], /--top-n must be a positive integer/],
  ];
  for (const [name, args, message] of errorCases) {
    it(`fails with one line and a non-zero exit for ${name}`, async () => {
      const { code, stdout, stderr } = await run(args());
      assert.notEqual(code, 0);
      assert.equal(stdout, '');
      assert.match(stderr, message);
      assert.doesNotMatch(stderr, /\n\s+at /, 'no stack trace');
    });
  }
});
