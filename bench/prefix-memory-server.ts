// Child process of the prefix-memory bench (prefix-memory.ts): a server on the ONNX engine (`createApp`, as `serve`
// builds it, server defaults), alone in its process so that its peak resident set size is the server's own. It
// sends its URL over IPC, answers each `memory` message with its resident sizes, and exits on `exit`.
import { createReranker } from '../src/index.js';
import { createApp } from '../src/server/index.js';

export type MemoryBenchMessage = { type: 'listening'; url: string } | { type: 'memory'; residentBytes: number; peakResidentBytes: number };

const [modelPath, budget] = process.argv.slice(2);
if (!modelPath || !process.send) throw new Error('usage: a child process with IPC, argv: <model.gguf> [prefixCacheBytes]');
const send = (message: MemoryBenchMessage) => process.send!(message);

const reranker = await createReranker({ model: modelPath, engine: 'onnx', ...(budget === undefined ? {} : { prefixCacheBytes: Number(budget) }) });
const app = createApp({ reranker, webUi: false });
send({ type: 'listening', url: await app.listen({ port: 0, host: '127.0.0.1' }) });
process.on('message', (message: 'memory' | 'exit') => {
  if (message === 'memory') {
    // maxRSS is in kibibytes (https://nodejs.org/api/process.html#processresourceusage).
    send({ type: 'memory', residentBytes: process.memoryUsage.rss(), peakResidentBytes: process.resourceUsage().maxRSS * 1024 });
    return;
  }
  void app
    .close()
    .then(() => reranker.close())
    .then(() => process.disconnect());
});
