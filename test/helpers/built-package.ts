// The built package (dist/, written by `npm run build`, which `npm test` runs first): what users run. Tests that start
// the CLI or a script as a separate process run it from here rather than from src/ through tsx, which compiles every
// module again in each child (about 1 s per start on 2 cores, more under load, and over a hundred starts per suite).
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { buildState } from '../../scripts/build-state.mjs';

const root = fileURLToPath(new URL('../../', import.meta.url));
let checked = false;

/**
 * The absolute path of `relative` inside dist/, once dist/ is known to be built from the current sources: a stale
 * build would test old code, so it fails with what to run instead.
 */
export function builtFile(relative: string): string {
  if (!checked) {
    const state = buildState(root);
    if (state !== 'fresh') throw new Error(`dist/ is ${state === 'missing' ? 'missing' : 'older than the sources'}: run \`npm run build\` (npm test does) before this test`);
    checked = true;
  }
  return join(root, 'dist', relative);
}
