// Server throughput and latency: real HTTP on loopback against `createApp`, with 1, 4 and 16 concurrent clients,
// comparing the server's batched scheduling (many requests admitted at once, their documents interleaved on the
// engine's sequences) with one request at a time (maxConcurrentRequests = 1).
import { readFileSync } from 'node:fs';
import { createReranker, type Reranker } from '../src/index.js';
import { createApp } from '../src/server/index.js';

export interface ServerBenchOptions {
  /** Concurrent client counts. Default: [1, 4, 16]. */
  clients?: number[];
  /** Requests per setting, shared by its clients (each sends its share one after the other), so every setting
   * does the same work. Default: 16. */
  requestsPerSetting?: number;
  /** Documents per request, one table block each: 4 fill the engine's sequences on their own; 1 cannot, which is
   * where scoring several requests together matters. Default: [4, 1]. */
  documentsPerRequest?: number[];
  /** Characters per document (SciFact abstracts cut to length; about 4 characters per token). Default: 400. */
  documentCharacters?: number;
}

export interface ServerBenchRow {
  documentsPerRequest: number;
  scheduling: 'batched' | 'one at a time';
  clients: number;
  requests: number;
  seconds: number;
  requestsPerSecond: number;
  documentsPerSecond: number;
  p50Ms: number;
  p95Ms: number;
  p99Ms: number;
}

const log = (message: string) => process.stderr.write(`${message}\n`);
const dataDir = new URL('../../shared/data/scifact/', import.meta.url);

/** Runs the server benchmark on `modelPath` (score cache off, a distinct real query per request). */
export async function runServerBench(modelPath: string, options: ServerBenchOptions = {}): Promise<{ rows: ServerBenchRow[]; markdown: string }> {
  const { clients = [1, 4, 16], requestsPerSetting = 16, documentsPerRequest = [4, 1], documentCharacters = 400 } = options;
  const { queries, documents: allDocuments } = loadScifact(requestsPerSetting + 1, Math.max(...documentsPerRequest), documentCharacters);
  // No cache: every request is computed, so batched and one-at-a-time do the same work.
  const reranker = await createReranker({ model: modelPath, cacheSize: 0 });
  const rows: ServerBenchRow[] = [];
  let queryCursor = 0;
  try {
    const modes = [['batched', 16], ['one at a time', 1]] as const;
    const settings = documentsPerRequest.flatMap((documentCount) => modes.map(([scheduling, maxConcurrentRequests]) => ({ documentCount, scheduling, maxConcurrentRequests })));
    for (const { documentCount, scheduling, maxConcurrentRequests } of settings) {
      const documents = allDocuments.slice(0, documentCount);
      const app = createApp({ reranker, webUi: false, limits: { maxConcurrentRequests, maxQueuedRequests: 1024, requestTimeoutMs: 0 } });
      const url = await app.listen({ port: 0, host: '127.0.0.1' });
      try {
        await rerankOver(url, queries[queries.length - 1]!, documents); // warm-up: compute buffers, HTTP connections
        for (const clientCount of clients) {
          log(`bench: server, ${documentCount} document(s) per request, ${scheduling}, ${clientCount} client(s)…`);
          const latencies: number[] = [];
          const started = performance.now();
          await Promise.all(
            Array.from({ length: clientCount }, async () => {
              for (let i = 0; i < Math.ceil(requestsPerSetting / clientCount); i++) {
                const query = queries[queryCursor++ % (queries.length - 1)]!;
                const t = performance.now();
                await rerankOver(url, query, documents);
                latencies.push(performance.now() - t);
              }
            }),
          );
          const seconds = (performance.now() - started) / 1000;
          const requests = latencies.length;
          rows.push({
            documentsPerRequest: documentCount,
            scheduling,
            clients: clientCount,
            requests,
            seconds,
            requestsPerSecond: requests / seconds,
            documentsPerSecond: (requests * documents.length) / seconds,
            p50Ms: percentile(latencies, 50),
            p95Ms: percentile(latencies, 95),
            p99Ms: percentile(latencies, 99),
          });
          log(`  ${(requests / seconds).toFixed(2)} requests/s, p50 ${percentile(latencies, 50).toFixed(0)} ms`);
        }
      } finally {
        await app.close();
      }
    }
  } finally {
    await reranker.close();
  }
  return { rows, markdown: formatRows(rows, reranker, { requestsPerSetting, documentsPerRequest, documentCharacters }) };
}

async function rerankOver(url: string, query: string, documents: string[]): Promise<void> {
  const response = await fetch(`${url}/v1/rerank`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ query, documents, return_documents: false }),
  });
  if (response.status !== 200) throw new Error(`bench request failed: ${response.status} ${await response.text()}`);
  await response.arrayBuffer();
}

/** Nearest-rank percentile (https://en.wikipedia.org/wiki/Percentile#The_nearest-rank_method). */
function percentile(values: number[], p: number): number {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.max(0, Math.ceil((p / 100) * sorted.length) - 1)] ?? Number.NaN;
}

/** Real SciFact queries (one per request) and abstracts cut to `characters` characters. */
function loadScifact(queryCount: number, documentCount: number, characters: number): { queries: string[]; documents: string[] } {
  const lines = (file: string) => readFileSync(new URL(file, dataDir), 'utf8').split('\n').filter(Boolean).map((l) => JSON.parse(l) as { text: string });
  const queries = lines('queries.jsonl').slice(0, queryCount).map((q) => q.text);
  const documents = lines('corpus.jsonl')
    .filter((d) => d.text.length >= characters)
    .slice(0, documentCount)
    .map((d) => d.text.slice(0, characters));
  if (queries.length < queryCount) throw new Error(`SciFact has only ${queries.length} queries; ${queryCount} needed`);
  return { queries, documents };
}

function formatRows(
  rows: ServerBenchRow[],
  reranker: Reranker,
  workload: { requestsPerSetting: number; documentsPerRequest: number[]; documentCharacters: number },
): string {
  const lines = [
    `Real HTTP on loopback (\`POST /v1/rerank\`), ${workload.documentsPerRequest.join(' or ')} SciFact abstracts of ${workload.documentCharacters} characters per request, a different SciFact query per request, score cache off; ${workload.requestsPerSetting} requests per row, split over its clients (each sends its share one after the other). Engine: ${reranker.info.engine} on ${reranker.info.device}, ${String(reranker.status().sequences ?? '?')} sequences. **Batched**: up to 16 requests admitted at once, their documents interleaved on the engine's sequences; **one at a time**: \`--max-concurrent 1\` (each request still batches its own documents).`,
    '',
    '| documents/request | scheduling | clients | requests | requests/s | documents/s | p50 ms | p95 ms | p99 ms |',
    '|---:|---|---:|---:|---:|---:|---:|---:|---:|',
    ...rows.map(
      (r) =>
        `| ${r.documentsPerRequest} | ${r.scheduling} | ${r.clients} | ${r.requests} | ${r.requestsPerSecond.toFixed(2)} | ${r.documentsPerSecond.toFixed(1)} | ${r.p50Ms.toFixed(0)} | ${r.p95Ms.toFixed(0)} | ${r.p99Ms.toFixed(0)} |`,
    ),
  ];
  const most = Math.max(...rows.map((r) => r.clients));
  for (const documentCount of workload.documentsPerRequest) {
    const at = (scheduling: ServerBenchRow['scheduling']) => rows.find((r) => r.scheduling === scheduling && r.clients === most && r.documentsPerRequest === documentCount);
    const batched = at('batched');
    const serial = at('one at a time');
    if (!batched || !serial) continue;
    lines.push(
      '',
      `${documentCount} document(s) per request, ${most} clients: batched scheduling serves ${(batched.requestsPerSecond / serial.requestsPerSecond).toFixed(2)}× the requests per second of one-at-a-time; p50 ${batched.p50Ms.toFixed(0)} ms vs ${serial.p50Ms.toFixed(0)} ms, p95 ${batched.p95Ms.toFixed(0)} ms vs ${serial.p95Ms.toFixed(0)} ms.`,
    );
  }
  return lines.join('\n');
}
