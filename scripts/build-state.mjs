// Whether dist/ and web/dist/ (what `npm run build` writes) are older than the sources they are built from. Used by
// `prepare` (scripts/prepare.mjs), which builds only then, and by the tests that run the built CLI
// (test/helpers/built-package.ts), which refuse a stale build.
import { readdirSync, statSync } from 'node:fs';
import { join } from 'node:path';

/** Inputs of the build: folders walked whole, and single files. */
const sources = ['src', 'web/src', 'web/index.html', 'web/vite.config.ts', 'tsconfig.json', 'tsconfig.build.json', 'package.json'];
/** One output of each half of the build: tsc's and vite's. */
const outputs = ['dist/cli/main.js', 'web/dist/index.html'];

function newest(path) {
  const stat = statSync(path);
  if (!stat.isDirectory()) return stat.mtimeMs;
  // A folder's own time changes when a file in it is added, removed or renamed.
  return Math.max(stat.mtimeMs, ...readdirSync(path).map((name) => newest(join(path, name))));
}

/** `'missing'`, `'stale'` (a source changed after the build) or `'fresh'`, for the package at `root`. */
export function buildState(root) {
  let built = Infinity;
  for (const output of outputs) {
    try {
      built = Math.min(built, statSync(join(root, output)).mtimeMs);
    } catch {
      return 'missing';
    }
  }
  return Math.max(...sources.map((source) => newest(join(root, source)))) > built ? 'stale' : 'fresh';
}
