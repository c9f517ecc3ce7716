// The README's front door as a newcomer meets it: every code block of README.md is a file in examples/ that runs as
// written with plain `node` (no tsx: `import 'qwen-ranker'` resolves to this checkout's dist/ by the package's
// self-reference), and `npx qwen-ranker` works in the checkout after a build with no npm warning. In
// test/portability.txt too, so CI runs it on Node 20 and 24 (Node 22 runs examples/rerank.mjs in the package test). Needs `npm run build` (npm test runs it first).
import { describe, it, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { readFileSync, statSync } from 'node:fs';
import { promisify } from 'node:util';
import { createReranker, type Reranker } from '../../src/index.js';
import { ensureTestModel } from '../helpers/test-models.js';
import { startTestServer, type TestServer } from '../helpers/server-harness.js';

const run = promisify(execFile);
const root = new URL('../../', import.meta.url);
/** Generous: a script loads the model and must then exit by itself; a hang is what this bound catches. */
const TIMEOUT_MS = 120_000;

/** The README's fenced code blocks other than shell: `[language, body]`. */
function readmeCodeBlocks(): Array<[string, string]> {
  const readme = readFileSync(new URL('README.md', root), 'utf8');
  return [...readme.matchAll(/^```(\w*)\n([\s\S]*?)^```$/gm)].filter(([, language]) => language !== 'sh').map(([, language, body]) => [language!, body!]);
}

async function node(args: string[], env: Record<string, string> = {}) {
  return run(process.execPath, args, { cwd: root, timeout: TIMEOUT_MS, env: { ...process.env, ...env } });
}

describe('README examples', () => {
  let model: string;
  before(async () => {
    model = await ensureTestModel('tiny');
  });

  it('every non-shell code block is a runnable examples/*.mjs file, verbatim', () => {
    const blocks = readmeCodeBlocks();
    assert.ok(blocks.length >= 2, `expected the library and Cohere client blocks, found ${blocks.length}`);
    for (const [language, body] of blocks) {
      assert.equal(language, 'js', `a README code block in ${language || 'no language'}: only js examples are run`);
      const file = /^\/\/ (examples\/[\w-]+\.mjs):/.exec(body)?.[1];
      assert.ok(file, `a README js block does not start with "// examples/<name>.mjs:": ${body.slice(0, 80)}`);
      assert.equal(body, readFileSync(new URL(file, root), 'utf8'), `README's block differs from ${file}`);
    }
  });

  it('examples/rerank.mjs ranks, scores a pair and exits by itself', async () => {
    const { stdout } = await node(['examples/rerank.mjs', model]);
    const lines = stdout.trim().split('\n');
    assert.equal(lines.length, 4, stdout);
    for (const line of lines.slice(0, 2)) assert.match(line, /^0\.\d{4}|^1\.0000/);
    assert.match(lines[2]!, /^3 documents, \d+ tokens \(random-weight DEMO model: scores are meaningless\)$/);
    assert.match(lines[3]!, /^pair: [01]\.\d{4}$/);
    // The library's own ranking of the same call, to the printed precision.
    const reranker = await createReranker({ model, cacheSize: 0 });
    try {
      const { results } = await reranker.rerank(
        'How do I install PyTorch?',
        ['PyTorch is an open source machine learning framework.', 'To install PyTorch with pip, run: pip install torch.', 'The Eiffel Tower is in Paris.'],
        { topN: 2, instruction: 'Given a question, retrieve passages that answer it' },
      );
      assert.deepEqual(lines.slice(0, 2).map((l) => l.split(' ')[2]), results.map((r) => `#${r.index}`));
    } finally {
      await reranker.close();
    }
  });

  describe('against a server', () => {
    let reranker: Reranker;
    let server: TestServer;
    before(async () => {
      reranker = await createReranker({ model, cacheSize: 0 });
      server = await startTestServer({ reranker });
    });
    after(async () => {
      await server?.close();
      await reranker?.close();
    });

    it('examples/cohere-client.mjs gets both documents ranked by the stock Cohere client', async () => {
      const { stdout } = await node(['examples/cohere-client.mjs'], { QWEN_RANKER_URL: server.url });
      const expected = await reranker.rerank('what is a reranker?', ['A reranker scores pairs.', 'Bananas.']);
      assert.equal(stdout, expected.results.map((r) => `${r.index} ${r.score.toFixed(4)}\n`).join(''));
    });
  });

  it('npx qwen-ranker works in the checkout after a build, and npm prints no warning', async () => {
    assert.ok((statSync(new URL('dist/cli/main.js', root)).mode & 0o111) !== 0, 'dist/cli/main.js lost its execute bit');
    const { stdout, stderr } = await run('npx', ['--no-install', 'qwen-ranker', '--help'], { cwd: root, timeout: TIMEOUT_MS });
    assert.match(stdout, /^Usage: qwen-ranker /);
    assert.doesNotMatch(stderr, /npm warn/i, stderr);
  });
});
