// ESLint flat config: typescript-eslint's recommended rules (syntax-level, fast: no type information needed;
// `tsc --noEmit` does the type checking), and the layer rules of docs/architecture.md.
import { readdirSync } from 'node:fs';
import { relative, sep } from 'node:path';
import js from '@eslint/js';
import tseslint from 'typescript-eslint';
import { createNodeResolver, importX } from 'eslint-plugin-import-x';

/**
 * The layers (docs/architecture.md): each folder of src/ with what it may import besides itself. `spec` (types,
 * errors, constants; no runtime dependencies) is importable everywhere. A wrong import fails `npm run lint`.
 * `engines/local` is what only the local engines share (tokenization, GGUF checks, the job queue): the local
 * engines' folders may use it, it uses no engine.
 */
const localEngines = ['engines/llama-cpp', 'engines/onnx'];
const engineFolders = readdirSync('src/engines', { withFileTypes: true })
  .filter((d) => d.isDirectory() && d.name !== 'local')
  .map((d) => `engines/${d.name}`);
const layers = {
  spec: [],
  core: [],
  models: ['core'],
  'engines/local': ['core'],
  ...Object.fromEntries(engineFolders.map((engine) => [engine, localEngines.includes(engine) ? ['core', 'engines/local'] : ['core']])),
  kb: ['index.ts'],
  eval: ['index.ts', 'kb'],
  server: ['index.ts', 'kb/index.ts'],
  adapters: ['index.ts'],
  cli: ['index.ts', 'server/index.ts', 'kb/index.ts', 'eval/index.ts'],
};

/** One `import-x/no-restricted-paths` zone per layer: everything in src/ except spec, itself and what it may use. */
const layerZones = [
  ...Object.entries(layers).map(([folder, allowed]) => ({
    target: `./src/${folder}`,
    from: './src',
    except: [...new Set(['./spec', `./${folder}`, ...allowed.map((path) => `./${path}`)])],
    message: `src/${folder} may import only src/spec${allowed.length > 0 ? `, src/${allowed.join(', src/')}` : ''} and itself (docs/architecture.md).`,
  })),
  // A file directly in src/engines/ belongs to no engine: it gets the narrowest engine rule.
  {
    target: './src/engines/*.*',
    from: './src',
    except: ['./spec', './core'],
    message: 'a file directly in src/engines/ may import only src/spec and src/core (docs/architecture.md); put it in an engine folder.',
  },
  // The public API builds engines lazily; it never reaches up into the interfaces.
  ...['./src/index.ts', './src/create-reranker.ts', './src/create-tokenizer.ts'].map((target) => ({
    target,
    from: './src',
    except: ['./spec', './core', './engines', './models', './index.ts', './create-reranker.ts', './create-tokenizer.ts'],
    message: 'the public API (src/index.ts, src/create-reranker.ts) may import only spec, core, engines and models.',
  })),
  // The workbench runs in a browser: of the library it may use only the spec's types and constants.
  { target: './web/src', from: './src', except: ['./spec'], message: 'web/ may import only src/spec (types and constants).' },
];

/**
 * Native packages and the folders that own them (docs/architecture.md): anywhere else an import of one (static,
 * type-only, dynamic or `import.meta.resolve`) fails lint, so that core stays engine-neutral and a remote-only
 * deployment never loads a native runtime through a stray import.
 */
const nativePackageOwners = {
  'node-llama-cpp': ['src/engines/llama-cpp/', 'src/engines/local/', 'src/kb/embed/llama-cpp-embedder.ts'],
  'onnxruntime-node': ['src/engines/onnx/'],
  'better-sqlite3': ['src/kb/store/', 'src/kb/lexical/', 'src/eval/bm25-first-stage.ts'],
};

/** The rule that enforces `nativePackageOwners`: a local plugin (no published rule knows owners per package). */
const nativePackagesRule = {
  meta: { type: 'problem', schema: [], docs: { description: 'native packages are imported only by the folders that own them' } },
  create(context) {
    const file = relative(process.cwd(), context.filename).split(sep).join('/');
    const check = (node, source) => {
      if (typeof source !== 'string') return;
      const name = Object.keys(nativePackageOwners).find((p) => source === p || source.startsWith(`${p}/`));
      if (!name || nativePackageOwners[name].some((owner) => file === owner || file.startsWith(owner))) return;
      context.report({ node, message: `${name} may be imported only in ${nativePackageOwners[name].join(', ')} (docs/architecture.md).` });
    };
    return {
      ImportDeclaration: (node) => check(node, node.source.value),
      ExportNamedDeclaration: (node) => check(node, node.source?.value),
      ExportAllDeclaration: (node) => check(node, node.source.value),
      ImportExpression: (node) => check(node, node.source.type === 'Literal' ? node.source.value : undefined),
      'CallExpression[callee.type="MemberExpression"][callee.object.type="MetaProperty"][callee.property.name="resolve"]': (node) =>
        check(node, node.arguments[0]?.type === 'Literal' ? node.arguments[0].value : undefined),
    };
  },
};

export default tseslint.config(
  { ignores: ['dist/', 'web/dist/', 'node_modules/', '.cache/', '.scratch/', 'test-output/', 'reports/'] },
  js.configs.recommended,
  ...tseslint.configs.recommended,
  {
    languageOptions: { globals: { process: 'readonly', console: 'readonly', URL: 'readonly', Buffer: 'readonly', setTimeout: 'readonly', clearTimeout: 'readonly', setInterval: 'readonly', clearInterval: 'readonly', performance: 'readonly', AbortController: 'readonly', AbortSignal: 'readonly', fetch: 'readonly', TextEncoder: 'readonly', TextDecoder: 'readonly', structuredClone: 'readonly', queueMicrotask: 'readonly', setImmediate: 'readonly', globalThis: 'readonly' } },
    rules: {
      '@typescript-eslint/no-unused-vars': ['error', { argsIgnorePattern: '^_', varsIgnorePattern: '^_', caughtErrors: 'none' }],
      '@typescript-eslint/consistent-type-imports': 'error',
    },
  },
  {
    files: ['src/**/*.ts', 'web/src/**/*.{ts,tsx}'],
    plugins: { 'import-x': importX },
    settings: { 'import-x/resolver-next': [createNodeResolver({ extensions: ['.ts', '.tsx', '.js'], extensionAlias: { '.js': ['.ts', '.tsx', '.js'] } })] },
    rules: { 'import-x/no-restricted-paths': ['error', { zones: layerZones }] },
  },
  {
    files: ['src/**/*.ts'],
    plugins: { 'qwen-ranker': { rules: { 'native-packages': nativePackagesRule } } },
    rules: { 'qwen-ranker/native-packages': 'error' },
  },
  {
    // Every error a user can meet carries a stable code (the server and the CLI map codes, never messages).
    files: ['src/**/*.ts'],
    rules: {
      'no-restricted-syntax': ['error', {
        selector: "NewExpression[callee.name='Error'], CallExpression[callee.name='Error']",
        message: 'Throw a RerankerError with a code (src/spec/errors.ts), not a plain Error.',
      }],
    },
  },
  {
    files: ['web/src/**'],
    languageOptions: { globals: { window: 'readonly', document: 'readonly', navigator: 'readonly', sessionStorage: 'readonly', localStorage: 'readonly', Blob: 'readonly', File: 'readonly', FileReader: 'readonly', HTMLElement: 'readonly', KeyboardEvent: 'readonly', DragEvent: 'readonly', ClipboardEvent: 'readonly', Event: 'readonly', requestAnimationFrame: 'readonly' } },
  },
);
