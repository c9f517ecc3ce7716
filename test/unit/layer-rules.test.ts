// The layer rules of docs/architecture.md live in eslint.config.js (import-x/no-restricted-paths), beside the rule
// that errors in src/ carry a code (no-restricted-syntax on plain Errors). These cases lint
// one import line as if it stood in a file of each layer, so a rule that stops firing fails here, not in review.
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { ESLint } from 'eslint';

const eslint = new ESLint();

/** The layer-rule messages ESLint reports for `import … from specifier` written in `file`. */
async function layerViolations(file: string, specifier: string): Promise<string[]> {
  const [result] = await eslint.lintText(`import type { X } from '${specifier}';\nexport type Y = X;\n`, { filePath: file });
  return result!.messages.filter((m) => m.ruleId === 'import-x/no-restricted-paths').map((m) => m.message);
}

const forbidden: Array<[file: string, specifier: string]> = [
  ['src/spec/types.ts', '../core/reranker.js'],
  ['src/core/reranker.ts', '../engines/llama-cpp/index.js'],
  ['src/core/reranker.ts', '../models/registry.js'],
  ['src/engines/http/http-engine.ts', '../llama-cpp/index.js'],
  ['src/engines/llama-cpp/llama-cpp-engine.ts', '../../server/index.js'],
  ['src/models/registry.ts', '../engines/http/index.js'],
  ['src/kb/knowledge-base.ts', '../core/reranker.js'],
  ['src/kb/knowledge-base.ts', '../eval/index.js'],
  ['src/eval/run-evaluation.ts', '../engines/llama-cpp/index.js'],
  ['src/server/create-app.ts', '../core/reranker.js'],
  ['src/server/create-app.ts', '../kb/store/kb-store.js'],
  ['src/cli/commands/rerank.ts', '../../engines/llama-cpp/index.js'],
  ['src/index.ts', './server/index.js'],
  ['web/src/app.tsx', '../../src/core/reranker.js'],
  ['web/src/app.tsx', '../../src/index.js'],
];

const allowed: Array<[file: string, specifier: string]> = [
  ['src/core/reranker.ts', '../spec/engine.js'],
  ['src/engines/http/http-engine.ts', '../../core/token-estimate.js'],
  ['src/kb/knowledge-base.ts', '../spec/errors.js'],
  ['src/kb/knowledge-base.ts', '../index.js'],
  ['src/eval/bm25-first-stage.ts', '../kb/lexical/lexical-index.js'],
  ['src/server/create-app.ts', '../index.js'],
  ['src/server/create-app.ts', '../kb/index.js'],
  ['src/cli/commands/serve.ts', '../../server/index.js'],
  ['src/create-reranker.ts', './engines/http/index.js'],
  ['web/src/app.tsx', '../../src/spec/types.js'],
];

describe('layer rules (eslint.config.js)', () => {
  for (const [file, specifier] of forbidden) {
    it(`refuses ${specifier} in ${file}`, async () => {
      const messages = await layerViolations(file, specifier);
      assert.equal(messages.length, 1, `expected one layer violation, got ${JSON.stringify(messages)}`);
      assert.match(messages[0]!, /docs\/architecture\.md|may import only/);
    });
  }
  for (const [file, specifier] of allowed) {
    it(`allows ${specifier} in ${file}`, async () => {
      assert.deepEqual(await layerViolations(file, specifier), []);
    });
  }
});

describe('coded errors (eslint.config.js)', () => {
  const plainErrors = async (file: string) => {
    const [result] = await eslint.lintText("export function f(): never {\n  throw new Error('x');\n}\n", { filePath: file });
    return result!.messages.filter((m) => m.ruleId === 'no-restricted-syntax');
  };
  it('refuses a plain Error in src/ (a user would meet an error without a code)', async () => {
    assert.equal((await plainErrors('src/core/scoring.ts')).length, 1);
  });
  it('allows it in tests', async () => {
    assert.deepEqual(await plainErrors('test/unit/spec-errors.test.ts'), []);
  });
});
