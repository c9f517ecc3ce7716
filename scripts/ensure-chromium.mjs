#!/usr/bin/env node
// First step of `npm test`: the workbench's browser tests drive Debian's Chromium at /usr/bin/chromium (through
// playwright-core, never a test tool's own browser download). When it is missing and this machine allows it (root
// and apt-get), it is installed; otherwise the run stops at once with one line naming what to install.
import { existsSync } from 'node:fs';
import { spawnSync } from 'node:child_process';

const CHROMIUM = '/usr/bin/chromium';
const fix = `npm test needs Debian's chromium at ${CHROMIUM}: run \`sudo apt-get install chromium\` and try again`;

if (!existsSync(CHROMIUM)) {
  const canInstall = process.getuid?.() === 0 && spawnSync('apt-get', ['--version'], { stdio: 'ignore' }).status === 0;
  if (!canInstall) {
    console.error(fix);
    process.exit(1);
  }
  console.error(`installing Debian's chromium (${CHROMIUM} is missing) ...`);
  const aptGet = (...args) =>
    spawnSync('apt-get', args, { stdio: ['ignore', 'ignore', 'inherit'], env: { ...process.env, DEBIAN_FRONTEND: 'noninteractive' } }).status === 0;
  aptGet('update', '-qq');
  if (!aptGet('install', '-y', '-qq', 'chromium') || !existsSync(CHROMIUM)) {
    console.error(fix);
    process.exit(1);
  }
}
