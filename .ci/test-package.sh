#!/usr/bin/env bash
# The package as users get it: `npm pack`, then, in an empty folder, nothing but `npm install <tarball>`; the CLI,
# the library and every subpath export must work from there. Tests, source maps and fixtures must stay out.
set -euo pipefail
cd "$(dirname "$0")/.."
root="$PWD"
model="$(npm run --silent demo-model)"
tmp="$(mktemp -d)"
trap 'rm -rf "$tmp"' EXIT

# `prepare` (the build) already ran in `npm test`.
tarball="$tmp/$(npm pack --ignore-scripts --silent --pack-destination "$tmp")"
echo "tarball: $(basename "$tarball"), $(stat -c %s "$tarball") bytes packed, $(tar -tzf "$tarball" | wc -l) files"
if tar -tzf "$tarball" | grep -E '\.map$|^package/(test|src|bench|scripts|examples|\.ci|\.cache)/|fixtures|\.gguf$'; then
  echo "the tarball holds files users do not need (listed above)" >&2
  exit 1
fi

mkdir "$tmp/app"
cd "$tmp/app"
npm install --no-audit --no-fund --loglevel=error "$tarball"

npx qwen-ranker --help >/dev/null 2>npx.err
if grep -i 'npm warn' npx.err; then
  echo "npx in an app that installed the package printed an npm warning (above)" >&2
  exit 1
fi
printf 'Rerankers order search results.\nBananas are yellow.\n' >documents.txt
npx qwen-ranker rerank --model "$model" --query 'how are search results ordered' --documents documents.txt --json >cli.json 2>/dev/null
# A file, not `node -e`: node-llama-cpp tests its binary in a child forked with this process's execArgv.
cat >check.mjs <<'CHECK'
import { readFileSync } from 'node:fs';
import { createReranker } from 'qwen-ranker';

const cli = JSON.parse(readFileSync('cli.json', 'utf8'));
// The engine `auto` must have picked: llama.cpp while onnxruntime-node is absent, the ONNX engine once installed.
if (cli.usage.engine !== process.argv[3]) throw new Error(`the CLI ran on ${cli.usage.engine}, expected ${process.argv[3]}`);
const reranker = await createReranker({ model: process.argv[2], cacheSize: 0 });
const { results } = await reranker.rerank('how are search results ordered', ['Rerankers order search results.', 'Bananas are yellow.']);
await reranker.close();
if (results.length !== 2 || cli.results.length !== 2 || results.some((r, i) => r.index !== cli.results[i].index)) {
  throw new Error(`library and CLI disagree: ${JSON.stringify({ results, cli: cli.results })}`);
}
for (const subpath of ['server', 'kb', 'eval', 'ai-sdk', 'langchain', 'llamaindex', 'mastra']) await import(`qwen-ranker/${subpath}`);
console.log('package ok: the CLI, the library and every subpath export work from the installed tarball');
CHECK
# onnxruntime-node's install script fetches CUDA libraries from nuget.org; offline it fails and npm drops the
# optional package, so this install has llama.cpp only and `auto` must fall back to it.
if [ -d node_modules/onnxruntime-node ]; then expected=onnx; else expected=llama-cpp; fi
node check.mjs "$model" "$expected"
# Adding onnxruntime-node as a user would (skipping the nuget download: the CPU binaries are in the npm package)
# makes `auto` the ONNX engine, whose session worker must load from the installed dist/.
if [ "$expected" = llama-cpp ]; then
  ONNXRUNTIME_NODE_INSTALL=skip npm install --no-audit --no-fund --loglevel=error "onnxruntime-node@$(node -p "require('$root/node_modules/onnxruntime-node/package.json').version")"
  npx qwen-ranker rerank --model "$model" --query 'how are search results ordered' --documents documents.txt --json >cli.json 2>/dev/null
  node check.mjs "$model" onnx
fi
# The README's library example, run as a user would from an app that installed the package (`qwen-ranker` resolves
# to the tarball's files here, not to the checkout).
cp "$root/examples/rerank.mjs" .
example="$(node rerank.mjs "$model")"
grep -q '^pair: ' <<<"$example" || { echo "examples/rerank.mjs did not print its pair score: $example" >&2; exit 1; }
echo "package ok: examples/rerank.mjs runs against the installed package (Node $(node --version))"
