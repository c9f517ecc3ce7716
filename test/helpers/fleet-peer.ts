// One qwen-ranker server on the tiny test model in a process of its own, for test/e2e/fleet.test.ts (which kills
// it with SIGKILL). Prints its URL on stdout once the model is loaded.
import { serve } from '../../src/server/index.js';
import { ensureTestModel } from './test-models.js';

const model = await ensureTestModel('tiny');
const handle = await serve({ reranker: { model, threads: 1, gpu: false }, port: 0, logLevel: false, webUi: false });
await handle.ready;
process.stdout.write(`${handle.url}\n`);
