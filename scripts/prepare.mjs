// `prepare` and `npm test`'s build step: builds dist/ and web/dist/ only when one is missing or older than a source.
// npm runs `prepare` after `npm install` in the checkout, and again whenever it installs the checkout as a directory
// dependency, which `npx qwen-ranker` in the checkout does (into npm's npx cache) on its first run. The build deletes
// dist/ before writing it, so an unconditional rebuild there cost ~30 s and pulled dist/ from under anything running
// from it (the CLI tests did, beside the test that runs npx).
import { spawnSync } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { buildState } from './build-state.mjs';

const root = fileURLToPath(new URL('..', import.meta.url));
const state = buildState(root);
if (state !== 'fresh') {
  const npm = process.env.npm_execpath ? [process.execPath, [process.env.npm_execpath]] : ['npm', []];
  const result = spawnSync(npm[0], [...npm[1], 'run', 'build'], { cwd: root, stdio: 'inherit' });
  process.exit(result.status ?? 1);
}
