// The built package (dist/, written by `npm run build`, which `npm test` runs first): what users run. Tests that start
// the CLI or a script as a separate process run it from here rather than from src/ through tsx, which compiles every
// module again in each child (about 1 s per start on 2 cores, more under load, and over a hundred starts per suite).
import { readdirSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = fileURLToPath(new URL('../../', import.meta.url));

/** Newest modification time of a file under `dir`. */
function newestChange(dir: string): number {
  let newest = 0;
  for (const entry of readdirSync(dir, { withFileTypes: true })) {
    const path = join(dir, entry.name);
    newest = Math.max(newest, entry.isDirectory() ? newestChange(path) : statSync(path).mtimeMs);
  }
  return newest;
}

let checked = false;

/**
 * The absolute path of `relative` inside dist/, once dist/ is known to be built from the current src/: a stale
 * build would test old code, so it fails with what to run instead.
 */
export function builtFile(relative: string): string {
  if (!checked) {
    let built: number;
    try {
      built = statSync(join(root, 'dist/cli/main.js')).mtimeMs;
    } catch {
      throw new Error('dist/ is missing: run `npm run build` (npm test does) before this test');
    }
    if (newestChange(join(root, 'src')) > built) throw new Error('dist/ is older than src/: run `npm run build` (npm test does) before this test');
    checked = true;
  }
  return join(root, 'dist', relative);
}
