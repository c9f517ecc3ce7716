// Issue 12 from the command line, as a careless user would hit it: bad settings refused before anything is written,
// one damaged file not breaking the others, bad lines and bad files reported as one line, hostile file names
// escaped. Child processes on real files and the generated tiny model.
import { describe, it, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { closeSync, existsSync, mkdirSync, mkdtempSync, openSync, readFileSync, rmSync, statSync, truncateSync, copyFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { ScoreJournal } from '../../src/eval/score-journal.js';
import { ensureTestModel } from '../helpers/test-models.js';
import { cliPath, runCli } from '../helpers/run-cli.js';

const scifact = fileURLToPath(new URL('../../../shared/data/scifact', import.meta.url));

let model: string;
let dir: string;
before(async () => {
  model = await ensureTestModel('tiny');
  dir = mkdtempSync(join(tmpdir(), 'qr-cli-reliability-'));
  writeFileSync(join(dir, 'note.txt'), 'The zephyrine valve must be closed before startup.\n');
});
after(() => dir && rmSync(dir, { recursive: true, force: true }));

/** The error lines of a failed command: exactly one, `qwen-ranker: error [code] …`. */
function oneErrorLine(stderr: string, code: string): string {
  const lines = stderr.split('\n').filter((line) => line.trim() !== '' && !line.includes('RANDOM-WEIGHT DEMO'));
  assert.equal(lines.length, 1, `one line expected, got:\n${stderr}`);
  assert.match(lines[0]!, new RegExp(`^qwen-ranker: error \\[${code}\\]`));
  return lines[0]!;
}

describe('kb ingest settings are checked before a knowledge base exists', () => {
  for (const [flags, flag] of [
    [['--chunk-tokens', '32'], '--overlap'],
    [['--chunk-tokens', '100', '--overlap', '100'], '--overlap'],
    [['--chunk-tokens', '1000000'], '--chunk-tokens'],
  ] as const) {
    it(`exits 2 naming ${flag} for ${flags.join(' ')}, leaving no knowledge base`, async () => {
      const kbDir = join(dir, `kb-${flags.join('')}`);
      const result = await runCli(['kb', 'ingest', join(dir, 'note.txt'), '--kb', 'notes', '--kb-dir', kbDir, ...flags]);
      assert.equal(result.code, 2, result.stderr);
      assert.ok(oneErrorLine(result.stderr, 'invalid_input').includes(flag));
      assert.ok(!existsSync(join(kbDir, 'notes.sqlite')), 'no knowledge base left behind');
      const retry = await runCli(['kb', 'ingest', join(dir, 'note.txt'), '--kb', 'notes', '--kb-dir', kbDir]);
      assert.equal(retry.code, 0, retry.stderr);
    });
  }
});

describe('kb list with a damaged knowledge base', () => {
  it('lists the readable ones and marks the damaged one with its code', async () => {
    const kbDir = join(dir, 'kb-list');
    assert.equal((await runCli(['kb', 'ingest', join(dir, 'note.txt'), '--kb', 'good', '--kb-dir', kbDir])).code, 0);
    writeFileSync(join(kbDir, 'broken.sqlite'), 'not a database at all '.repeat(50));
    const text = await runCli(['kb', 'list', '--kb-dir', kbDir]);
    assert.equal(text.code, 0, text.stderr);
    assert.match(text.stdout, /^good: 1 files/m);
    assert.match(text.stdout, /^broken: unreadable \[corrupt_knowledge_base\]/m);
    const json = await runCli(['kb', 'list', '--kb-dir', kbDir, '--json']);
    const entries = JSON.parse(json.stdout) as Array<{ name: string; files?: number; error?: { code: string } }>;
    assert.deepEqual(entries.map((e) => [e.name, e.files ?? e.error?.code]), [['broken', 'corrupt_knowledge_base'], ['good', 1]]);
  });
});

describe('file names are escaped in ingest and search output', () => {
  it('prints a name holding a newline and an escape sequence as escapes', async () => {
    const docs = join(dir, 'hostile');
    mkdirSync(docs);
    const name = 'evil\nqwen-ranker: forged line \u001b[31mred.txt';
    writeFileSync(join(docs, name), 'The marmalune tides follow the moon.\n');
    writeFileSync(join(docs, 'broken\u001b]0;title\u0007.pdf'), 'not a pdf');
    const kbDir = join(dir, 'kb-hostile');
    const ingest = await runCli(['kb', 'ingest', docs, '--kb', 'h', '--kb-dir', kbDir, '--no-progress']);
    const search = await runCli(['kb', 'search', 'marmalune', '--kb', 'h', '--kb-dir', kbDir, '--no-rerank']);
    assert.equal(search.code, 0, search.stderr);
    for (const output of [ingest.stdout, ingest.stderr, search.stdout]) {
      // eslint-disable-next-line no-control-regex -- looking for control characters is the point
      assert.ok(!/[\u0000-\u0009\u000b-\u001f]/.test(output), `no control characters in ${JSON.stringify(output)}`);
      assert.ok(!output.split('\n').some((line) => line.startsWith('qwen-ranker: forged line')), 'no forged line');
    }
    assert.ok(search.stdout.includes('evil\\nqwen-ranker: forged line \\u001b[31mred.txt'), search.stdout);
    assert.ok(ingest.stderr.includes('broken\\u001b]0;title\\u0007.pdf'), ingest.stderr);
  });
});

describe('rerank and model loading', () => {
  it('refuses --threads 10000 at once with exit 2 naming threads', async () => {
    const started = Date.now();
    const result = await runCli(['rerank', '-m', model, '-q', 'q', '--threads', '10000', '-d', join(dir, 'note.txt')]);
    assert.equal(result.code, 2, result.stderr);
    assert.ok(oneErrorLine(result.stderr, 'invalid_input').includes('threads'));
    assert.ok(Date.now() - started < 30_000);
  });

  it('rerank --batch answers a line that is not JSON with an error line and goes on', async () => {
    const batch = join(dir, 'batch.jsonl');
    writeFileSync(batch, '{"query": "valve", "documents": ["a valve", "a tide"]}\n{not json\n{"query": "tide", "documents": ["the moon"]}\n');
    const result = await runCli(['rerank', '-m', model, '--batch', batch]);
    assert.equal(result.code, 1, result.stderr);
    const lines = result.stdout.trim().split('\n').map((line) => JSON.parse(line) as { results?: unknown[]; error?: { code: string; line: number } });
    assert.equal(lines.length, 3);
    assert.equal(lines[0]!.results?.length, 2);
    assert.deepEqual([lines[1]!.error?.code, lines[1]!.error?.line], ['invalid_input', 2]);
    assert.equal(lines[2]!.results?.length, 1);
  });

  it('refuses a truncated GGUF with exit 2 and one line, no llama.cpp log', async () => {
    const truncated = join(dir, 'truncated.gguf');
    copyFileSync(model, truncated);
    truncateSync(truncated, Math.floor(statSync(model).size * 0.6));
    const result = await runCli(['rerank', '-m', truncated, '-q', 'q', '-d', join(dir, 'note.txt')]);
    assert.equal(result.code, 2, result.stderr);
    assert.ok(oneErrorLine(result.stderr, 'not_a_reranker').includes('truncated'));
  });

  it('reports a full stdout (> /dev/full) as one error line and exit 1, no stack trace', async () => {
    const full = openSync('/dev/full', 'w');
    const child = spawn(process.execPath, [cliPath(), 'rerank', '-m', model, '-q', 'valve', '-d', join(dir, 'note.txt'), '--json'], {
      stdio: ['ignore', full, 'pipe'],
    });
    closeSync(full);
    let stderr = '';
    child.stderr!.on('data', (d) => (stderr += d));
    const code = await new Promise<number | null>((resolve) => child.on('close', resolve));
    assert.equal(code, 1, stderr);
    assert.match(stderr, /^qwen-ranker: error cannot write to stdout: ENOSPC$/m);
    assert.ok(!stderr.includes('    at '), stderr);
  });
});

describe('eval', () => {
  it('exits 2 when the run file names no document of the dataset', async () => {
    const runFile = join(dir, 'other.run');
    writeFileSync(runFile, 'q1 Q0 doc-a 1 3.2 other\nq1 Q0 doc-b 2 1.1 other\nq9 Q0 doc-c 1 0.5 other\n');
    const result = await runCli(['eval', '--dataset', scifact, '--run', runFile, '--no-rerank', '--queries', '3', '--out', join(dir, 'eval-other')]);
    assert.equal(result.code, 2, result.stderr);
    assert.ok(oneErrorLine(result.stderr, 'invalid_input').includes('other.run'));
  });

  it('drops a cut-off last line of the score cache, so the next record is kept', () => {
    const path = join(dir, 'scores.jsonl');
    const key = { model: 'm', instruction: null };
    const first = new ScoreJournal(path, key);
    first.store('q1', { scores: new Map([['d1', 1.5]]), durationMs: 3, tokens: 10 });
    writeFileSync(path, `${readFileSync(path, 'utf8')}{"qid":"q2","ms":4,"tok`, { flag: 'w' });
    const second = new ScoreJournal(path, key);
    second.store('q3', { scores: new Map([['d3', -0.5]]), durationMs: 5, tokens: 12 });
    const third = new ScoreJournal(path, key);
    assert.equal(third.size, 2);
    assert.ok(third.lookup('q1', ['d1']));
    assert.ok(third.lookup('q3', ['d3']), 'the record after the cut-off line survives');
  });
});
