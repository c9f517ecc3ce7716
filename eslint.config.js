// ESLint flat config: typescript-eslint's recommended rules (syntax-level, fast: no type information needed;
// `tsc --noEmit` does the type checking), and the layer rules of docs/architecture.md.
import { readdirSync } from 'node:fs';
import js from '@eslint/js';
import tseslint from 'typescript-eslint';
import { createNodeResolver, importX } from 'eslint-plugin-import-x';

/**
 * The layers (docs/architecture.md): each folder of src/ with what it may import besides itself. `spec` (types,
 * errors, constants; no runtime dependencies) is importable everywhere. A wrong import fails `npm run lint`.
 */
const engineFolders = readdirSync('src/engines', { withFileTypes: true }).filter((d) => d.isDirectory()).map((d) => `engines/${d.name}`);
const layers = {
  spec: [],
  core: [],
  models: ['core'],
  ...Object.fromEntries(engineFolders.map((engine) => [engine, ['core']])),
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
