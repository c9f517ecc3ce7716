// Worst /health latency while a server on a local engine reranks the largest requests its limits allow, with the
// machine kept busy by another process (one busy loop per core), and where the main thread's time goes.
// Usage: tsx bench/health-under-load.ts [--engine onnx|llama-cpp] [--busy N] [--rounds R]
import { spawn } from 'node:child_process';
import { availableParallelism } from 'node:os';
import { monitorEventLoopDelay } from 'node:perf_hooks';
import { parseArgs } from 'node:util';
import { createReranker } from '../src/index.js';
import { createApp } from '../src/server/index.js';
import { ensureTestModel } from '../test/helpers/test-models.js';

const { values } = parseArgs({ options: { engine: { type: 'string', default: 'onnx' }, busy: { type: 'string' }, rounds: { type: 'string', default: '3' } } });
const engine = values.engine as 'onnx' | 'llama-cpp';
const busyLoops = Number(values.busy ?? availableParallelism());

const reranker = await createReranker({ model: await ensureTestModel('tiny'), engine });
const app = createApp({ reranker, webUi: false });
const url = await app.listen({ port: 0, host: '127.0.0.1' });
// The load generator is a separate process: a client on this event loop would measure its own JSON work too.
const client = `
const url = process.argv[1];
const document = '知识库检索'.repeat(120_000);
const bodies = [0, 1, 2, 3].map((i) => JSON.stringify({ query: 'q' + i, documents: [document] }));
(async () => {
  let slowest = 0, polls = 0, done = false, due = performance.now();
  const work = Promise.all(bodies.map((body) => fetch(url + '/v1/rerank', { method: 'POST', headers: { 'content-type': 'application/json' }, body }).then((r) => r.json())));
  work.finally(() => (done = true));
  const started = performance.now();
  while (!done) {
    const response = await fetch(url + '/health');
    await response.arrayBuffer();
    const answered = performance.now();
    slowest = Math.max(slowest, answered - due);
    polls++;
    await new Promise((resolve) => setTimeout(resolve, 20));
    due = answered + 20;
  }
  const results = await work;
  console.log(JSON.stringify({ slowest, polls, ms: performance.now() - started, tokens: results.map((r) => r.usage?.prompt_tokens) }));
})();`;

const busy = Array.from({ length: busyLoops }, () => spawn(process.execPath, ['-e', 'const end = Date.now() + 600_000; while (Date.now() < end);'], { stdio: 'ignore' }));
try {
  for (let round = 0; round < Number(values.rounds); round++) {
    const histogram = monitorEventLoopDelay({ resolution: 5 });
    histogram.enable();
    const output = await new Promise<string>((resolve, reject) => {
      const child = spawn(process.execPath, ['-e', client, url], { stdio: ['ignore', 'pipe', 'inherit'] });
      let text = '';
      child.stdout.on('data', (chunk: Buffer) => (text += chunk.toString()));
      child.on('exit', (code) => (code === 0 ? resolve(text) : reject(new Error(`client exited ${code}`))));
    });
    histogram.disable();
    const result = JSON.parse(output) as { slowest: number; polls: number; ms: number; tokens: number[] };
    console.log(`${engine}, ${busyLoops} busy loops, round ${round + 1}: slowest /health ${Math.round(result.slowest)} ms over ${result.polls} polls in ${Math.round(result.ms)} ms; server event-loop delay max ${Math.round(histogram.max / 1e6)} ms, p99 ${Math.round(histogram.percentile(99) / 1e6)} ms; tokens ${result.tokens.join(',')}`);
  }
} finally {
  for (const child of busy) child.kill();
  await app.close();
  await reranker.close();
}
