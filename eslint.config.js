// ESLint flat config: typescript-eslint's recommended rules (syntax-level, fast: no type information needed;
// `tsc --noEmit` does the type checking).
import js from '@eslint/js';
import tseslint from 'typescript-eslint';

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
    files: ['web/src/**'],
    languageOptions: { globals: { window: 'readonly', document: 'readonly', navigator: 'readonly', sessionStorage: 'readonly', localStorage: 'readonly', Blob: 'readonly', File: 'readonly', FileReader: 'readonly', HTMLElement: 'readonly', KeyboardEvent: 'readonly', DragEvent: 'readonly', ClipboardEvent: 'readonly', Event: 'readonly', requestAnimationFrame: 'readonly' } },
  },
);
