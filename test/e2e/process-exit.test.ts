// A script that scores and never calls close() still exits (issue 18): no worker thread of a local engine keeps the
// process alive when idle. Long texts (> 64 Ki characters with no safe cut) go through the body tokenizer's worker
// thread (engines/local/body-tokenizer.ts), short ones do not; both local engines, in a child process with a deadline.
import { describe, it, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { ensureTestModel } from '../helpers/test-models.js';
import { builtFile } from '../helpers/built-package.js';

/** After the script prints its scores, the process must be gone within this long (it hung for ever before). */
const EXIT_AFTER_SCORING_MS = 15_000;

const SCRIPT = `
import { createReranker } from ${JSON.stringify(pathToFileURL(builtFile('index.js')).href)};
const [model, engine, size] = process.argv.slice(2);
const reranker = await createReranker({ model, engine });
// 70,000 characters of Chinese without punctuation: no safe cut, so tokenized whole, on the worker thread.
const document = size === 'long' ? '知识库检索'.repeat(14_000) : 'A short document about rerankers.';
// maxLength 512: the text still goes through the worker whole; scoring 8,192 tokens would only cost time here.
const { results } = await reranker.rerank('which one?', [document], { maxLength: 512 });
console.log('scored', results.length, reranker.info.engine);
// no close(): the process must exit by itself
`;

/** Runs the script; resolves with its output, exit code and how long it lived after printing its scores. */
function runScript(file: string, args: string[]): Promise<{ stdout: string; stderr: string; code: number | null; afterScoringMs: number }> {
  return new Promise((resolve) => {
    const child = spawn(process.execPath, [file, ...args], { stdio: ['ignore', 'pipe', 'pipe'] });
    let stdout = '';
    let stderr = '';
    let scoredAt: number | undefined;
    let deadline: NodeJS.Timeout | undefined;
    child.stdout.on('data', (chunk: Buffer) => {
      stdout += chunk.toString();
      if (scoredAt === undefined && stdout.includes('scored')) {
        scoredAt = performance.now();
        deadline = setTimeout(() => child.kill('SIGKILL'), EXIT_AFTER_SCORING_MS);
      }
    });
    child.stderr.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
    // A script that never gets to score is killed too (so a broken load cannot hang the suite).
    const overall = setTimeout(() => child.kill('SIGKILL'), 180_000);
    child.on('exit', (code) => {
      clearTimeout(overall);
      clearTimeout(deadline);
      resolve({ stdout, stderr, code, afterScoringMs: scoredAt === undefined ? Number.NaN : performance.now() - scoredAt });
    });
  });
}

describe('a script that never closes its reranker exits by itself', () => {
  let dir: string;
  let file: string;
  let model: string;
  before(async () => {
    model = await ensureTestModel('tiny');
    dir = mkdtempSync(join(tmpdir(), 'qwen-ranker-exit-'));
    file = join(dir, 'no-close.mjs');
    writeFileSync(file, SCRIPT);
  });
  after(() => rmSync(dir, { recursive: true, force: true }));

  for (const engine of ['onnx', 'llama-cpp'] as const) {
    for (const size of ['short', 'long'] as const) {
      it(`on the ${engine} engine after a ${size} text`, async (t) => {
        const { stdout, stderr, code, afterScoringMs } = await runScript(file, [model, engine, size]);
        assert.match(stdout, new RegExp(`scored 1 ${engine}`), stderr.slice(-500));
        t.diagnostic(`exited ${Math.round(afterScoringMs)} ms after scoring`);
        assert.equal(code, 0, `killed ${EXIT_AFTER_SCORING_MS} ms after scoring: something keeps the process alive`);
      });
    }
  }
});
