#!/usr/bin/env node
// Runs node's test runner (through tsx) on the explicit file lists in test/lists/*.txt.
// An explicit list (not a glob) means a missing or renamed test file fails the run instead of silently
// running nothing. Usage: node scripts/run-tests.mjs [list-name | path/to/list.txt ...]   (default: every list in
// test/lists; a path names a list kept elsewhere, such as test/portability.txt)
import { readFileSync, readdirSync, existsSync } from 'node:fs';
import { spawnSync } from 'node:child_process';
import { join } from 'node:path';

const listDir = 'test/lists';
const wanted = process.argv.slice(2);
const lists = wanted.length > 0
  ? wanted.map((name) => (name.endsWith('.txt') ? name : join(listDir, `${name}.txt`)))
  : readdirSync(listDir).filter((f) => f.endsWith('.txt')).sort().map((f) => join(listDir, f));
const files = [];
for (const path of lists) {
  if (!existsSync(path)) throw new Error(`test list ${path} does not exist`);
  const entries = readFileSync(path, 'utf8').split('\n').map((l) => l.trim()).filter((l) => l && !l.startsWith('#'));
  if (entries.length === 0) throw new Error(`test list ${path} is empty`);
  for (const entry of entries) {
    if (!existsSync(entry)) throw new Error(`test file ${entry} (listed in ${path}) does not exist`);
    files.push(entry);
  }
}
const result = spawnSync(
  process.execPath,
  ['--import', 'tsx', '--test', '--test-concurrency=1', '--test-reporter=spec', ...files],
  { stdio: 'inherit', env: { ...process.env, NODE_ENV: 'test' } },
);
process.exit(result.status ?? 1);
