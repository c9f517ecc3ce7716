// The two rerankers every adapter test runs through its framework: the library on the generated tiny model, and a
// remote reranker that reaches the same library through a real qwen-ranker server on a loopback port (the
// `cohere` engine speaks to a qwen-ranker peer's /v2/rerank).
import { createReranker, type Reranker } from '../../src/index.js';
import { startTestServer, type TestServer } from './server-harness.js';
import { ensureTestModel } from './test-models.js';

export interface AdapterRerankers {
  /** What the answers are compared with: the library itself (no score cache, so every call computes). */
  library: Reranker;
  /** Handed to the adapters: the library on the same model... */
  local: Reranker;
  /** ...and the library behind a qwen-ranker server, reached over HTTP. */
  remote: Reranker;
  close(): Promise<void>;
}

export async function startAdapterRerankers(): Promise<AdapterRerankers> {
  const model = await ensureTestModel('tiny');
  const library = await createReranker({ model, cacheSize: 0 });
  const local = await createReranker({ model, cacheSize: 0 });
  const server: TestServer = await startTestServer({ reranker: library });
  const remote = await createReranker({ engine: 'cohere', endpoints: [server.url], cacheSize: 0, healthCheckIntervalMs: 0 });
  return {
    library,
    local,
    remote,
    async close() {
      await remote.close();
      await server.close();
      await local.close();
      await library.close();
    },
  };
}
