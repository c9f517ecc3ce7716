#!/usr/bin/env node
// Runs node's test runner (through tsx) on the explicit file lists in test/lists/*.txt.
// An explicit list (not a glob) means a missing or renamed test file fails the run instead of silently
// running nothing. Usage: node scripts/run-tests.mjs [list-name | path/to/list.txt ...]   (default: every list in
// test/lists; a path names a list kept elsewhere, such as test/portability.txt)
//
// Files run two at a time (each in its own process): much of a test's time is spent waiting on servers, child
// processes and timers, so two overlap well on a 2-core machine. A file whose assertions bound a latency (marked
// `# alone` in its list) runs afterwards, one at a time, with no other test file beside it.
import { readFileSync, readdirSync, existsSync } from 'node:fs';
import { spawnSync } from 'node:child_process';
import { join } from 'node:path';

const listDir = 'test/lists';
const wanted = process.argv.slice(2);
const lists = wanted.length > 0
  ? wanted.map((name) => (name.endsWith('.txt') ? name : join(listDir, `${name}.txt`)))
  : readdirSync(listDir).filter((f) => f.endsWith('.txt')).sort().map((f) => join(listDir, f));
const shared = [];
const alone = [];
for (const path of lists) {
  if (!existsSync(path)) throw new Error(`test list ${path} does not exist`);
  const entries = readFileSync(path, 'utf8').split('\n').map((line) => {
    const [file, comment = ''] = line.split('#', 2).map((part) => part.trim());
    return { file, alone: comment.startsWith('alone') };
  }).filter((entry) => entry.file);
  if (entries.length === 0) throw new Error(`test list ${path} is empty`);
  for (const entry of entries) {
    if (!existsSync(entry.file)) throw new Error(`test file ${entry.file} (listed in ${path}) does not exist`);
    (entry.alone ? alone : shared).push(entry.file);
  }
}
let status = 0;
for (const [files, concurrency] of [[shared, 2], [alone, 1]]) {
  if (files.length === 0) continue;
  const result = spawnSync(
    process.execPath,
    ['--import', 'tsx', '--test', `--test-concurrency=${concurrency}`, '--test-reporter=spec', ...files],
    { stdio: 'inherit', env: { ...process.env, NODE_ENV: 'test' } },
  );
  status ||= result.status ?? 1;
}
process.exit(status);
