// The layer rules of docs/architecture.md live in eslint.config.js (import-x/no-restricted-paths), beside the rule
// that errors in src/ carry a code (no-restricted-syntax on plain Errors). These cases lint
// one import line as if it stood in a file of each layer, so a rule that stops firing fails here, not in review.
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { ESLint } from 'eslint';
import { readdirSync } from 'node:fs';
import { dirname, join, relative } from 'node:path';

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
  ['src/engines/http/http-engine.ts', '../local/group-scoring.js'],
  ['src/engines/local/fair-job-queue.ts', '../onnx/index.js'],
  ['src/engines/local/local-tokenization.ts', '../llama-cpp/index.js'],
  ['src/core/reranker.ts', '../engines/local/fair-job-queue.js'],
  ['src/engines/shared-helper.ts', './onnx/index.js'],
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
  ['src/engines/onnx/onnx-engine.ts', '../local/fair-job-queue.js'],
  ['src/engines/llama-cpp/sequence-scheduler.ts', '../local/group-scoring.js'],
  ['src/engines/local/prompt-tokens.ts', '../../core/prompt-plan.js'],
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

describe('every file of src/ is in a layer zone (eslint.config.js)', () => {
  /** Every .ts file under src/, relative to the repository. */
  const sourceFiles = (dir = 'src'): string[] =>
    readdirSync(dir, { withFileTypes: true }).flatMap((entry) => (entry.isDirectory() ? sourceFiles(join(dir, entry.name)) : entry.name.endsWith('.ts') ? [join(dir, entry.name)] : []));
  const files = sourceFiles();
  it('finds the files (the check below has something to check)', () => {
    assert.ok(files.length > 100 && files.includes('src/engines/local/fair-job-queue.ts'), `${files.length} files`);
  });
  it('refuses, in each file, an import no layer but the CLI may make (a file in no zone would allow it)', async () => {
    const outside: string[] = [];
    for (const file of files) {
      // The CLI is the top layer: nothing else may import it, and it may not import an engine.
      const target = file.startsWith('src/cli/') ? 'src/engines/llama-cpp/index.ts' : 'src/cli/main.ts';
      const specifier = relative(dirname(file), target).replace(/\.ts$/, '.js');
      if ((await layerViolations(file, specifier.startsWith('.') ? specifier : `./${specifier}`)).length === 0) outside.push(file);
    }
    assert.deepEqual(outside, []);
  });
});

describe('native packages only in the folders that own them (eslint.config.js)', () => {
  /** The native-package messages ESLint reports for `code` written in `file`. */
  const nativeViolations = async (file: string, code: string) => {
    const [result] = await eslint.lintText(code, { filePath: file });
    return result!.messages.filter((m) => m.ruleId === 'qwen-ranker/native-packages').map((m) => m.message);
  };
  const forms: Array<[form: string, code: (pkg: string) => string]> = [
    ['a static import', (pkg) => `import { x } from '${pkg}';\nexport const y = x;\n`],
    ['a type-only import', (pkg) => `import type { X } from '${pkg}';\nexport type Y = X;\n`],
    ['a re-export', (pkg) => `export type { X } from '${pkg}';\n`],
    ['a dynamic import', (pkg) => `export const load = () => import('${pkg}');\n`],
    ['import.meta.resolve', (pkg) => `export const where = import.meta.resolve('${pkg}');\n`],
  ];
  for (const [form, code] of forms) {
    it(`refuses node-llama-cpp in src/core as ${form}`, async () => {
      const messages = await nativeViolations('src/core/reranker.ts', code('node-llama-cpp'));
      assert.equal(messages.length, 1, JSON.stringify(messages));
      assert.match(messages[0]!, /node-llama-cpp may be imported only in src\/engines\/llama-cpp\//);
    });
  }
  const refused: Array<[file: string, pkg: string]> = [
    ['src/engines/onnx/onnx-engine.ts', 'node-llama-cpp'],
    ['src/create-reranker.ts', 'node-llama-cpp'],
    ['src/engines/llama-cpp/llama-cpp-engine.ts', 'onnxruntime-node'],
    ['src/engines/local/body-tokenizer.ts', 'onnxruntime-node'],
    ['src/core/scoring.ts', 'onnxruntime-node'],
    ['src/kb/knowledge-base.ts', 'better-sqlite3'],
    ['src/server/create-app.ts', 'better-sqlite3'],
    ['src/kb/embed/embedder.ts', 'node-llama-cpp/dist/index.js'],
  ];
  for (const [file, pkg] of refused) {
    it(`refuses ${pkg} in ${file}`, async () => {
      assert.equal((await nativeViolations(file, forms[0]![1](pkg))).length, 1);
    });
  }
  const allowedIn: Array<[file: string, pkg: string]> = [
    ['src/engines/local/llama-runtime.ts', 'node-llama-cpp'],
    ['src/engines/llama-cpp/sequence-scheduler.ts', 'node-llama-cpp'],
    ['src/kb/embed/llama-cpp-embedder.ts', 'node-llama-cpp'],
    ['src/engines/onnx/qwen3-session.ts', 'onnxruntime-node'],
    ['src/kb/store/kb-store.ts', 'better-sqlite3'],
    ['src/kb/lexical/lexical-index.ts', 'better-sqlite3'],
    ['src/eval/bm25-first-stage.ts', 'better-sqlite3'],
  ];
  for (const [file, pkg] of allowedIn) {
    it(`allows ${pkg} in ${file}`, async () => {
      assert.deepEqual(await nativeViolations(file, forms[0]![1](pkg)), []);
    });
  }
});
