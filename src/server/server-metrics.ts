import { Counter, Gauge, Histogram, Registry, collectDefaultMetrics } from 'prom-client';
import type { EndpointStatus, RerankerStats, RerankUsage } from '../index.js';

export interface ServerMetrics {
  /** Own registry per app, so that several apps in one process (tests) do not collide in prom-client's global. */
  readonly registry: Registry;
  observeRequest(method: string, route: string, status: number, seconds: number): void;
  observeUsage(usage: RerankUsage): void;
}

export interface ServerMetricsSources {
  /** Reranker counters, or undefined while the model loads. */
  rerankerStats: () => RerankerStats | undefined;
  /** Admission control: requests running and waiting. */
  admission: { readonly running: number; readonly queued: number };
  /** Per-endpoint status of a remote engine's fleet; undefined for the local engine or while loading. */
  remoteEndpoints: () => readonly EndpointStatus[] | undefined;
  /** The served model name (never a file path), or undefined while the model loads. */
  modelName: () => string | undefined;
}

/** `qwen_ranker_remote_endpoint_up`: 1 in rotation, 0.5 asked to wait (Retry-After), 0 failing. */
const ENDPOINT_UP: Record<EndpointStatus['state'], number> = { healthy: 1, cooling: 0.5, unhealthy: 0 };

/** Latency buckets in seconds: a cached hit takes milliseconds, a 1000-document CPU request a minute. */
const LATENCY_BUCKETS = [0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30, 60, 120];

/**
 * Prometheus metrics (text format at `/metrics`). Names follow https://prometheus.io/docs/practices/naming/
 * (`_total` for counters, `_seconds` for durations); the `route` label is the route pattern, never the raw URL,
 * to keep cardinality bounded.
 */
export function createServerMetrics(sources: ServerMetricsSources): ServerMetrics {
  const registry = new Registry();
  collectDefaultMetrics({ register: registry });

  const requests = new Counter({
    name: 'qwen_ranker_http_requests_total',
    help: 'HTTP requests answered, by method, route and status',
    labelNames: ['method', 'route', 'status'] as const,
    registers: [registry],
  });
  const latency = new Histogram({
    name: 'qwen_ranker_http_request_duration_seconds',
    help: 'HTTP request latency, queueing included',
    labelNames: ['method', 'route'] as const,
    buckets: LATENCY_BUCKETS,
    registers: [registry],
  });
  const documents = new Counter({
    name: 'qwen_ranker_documents_total',
    help: 'Documents (or pairs) scored, cache hits included',
    registers: [registry],
  });
  const inputTokens = new Counter({
    name: 'qwen_ranker_input_tokens_total',
    help: 'Prompt tokens of the scored documents',
    registers: [registry],
  });
  const cachedDocuments = new Counter({
    name: 'qwen_ranker_cached_documents_total',
    help: 'Documents answered from the score cache',
    registers: [registry],
  });

  mirrorCounter(registry, 'qwen_ranker_cache_hits_total', 'Score cache hits (reranker lifetime)', () => sources.rerankerStats()?.cacheHits);
  mirrorCounter(registry, 'qwen_ranker_cache_misses_total', 'Score cache misses (reranker lifetime)', () => sources.rerankerStats()?.cacheMisses);
  mirrorCounter(registry, 'qwen_ranker_engine_evaluated_tokens_total', 'Tokens the model evaluated (after prefix reuse)', () => sources.rerankerStats()?.evaluatedTokens);
  mirrorCounter(registry, 'qwen_ranker_engine_prompt_tokens_total', 'Tokens of all prompts scored (cost without prefix reuse)', () => sources.rerankerStats()?.promptTokens);
  mirrorGauge(registry, 'qwen_ranker_cache_entries', 'Entries in the score cache', () => sources.rerankerStats()?.cacheEntries);
  mirrorGauge(registry, 'qwen_ranker_engine_queue_depth', 'Scoring items waiting for an engine sequence', () => sources.rerankerStats()?.queueDepth);
  mirrorGauge(registry, 'qwen_ranker_engine_active', 'Scoring items being evaluated', () => sources.rerankerStats()?.active);
  mirrorGauge(registry, 'qwen_ranker_engine_prefix_cache_bytes', "Bytes of key/value tensors in the ONNX engine's prefix cache (0 on other engines)", () => sources.rerankerStats()?.prefixCacheBytes);
  mirrorGauge(registry, 'qwen_ranker_requests_running', 'Requests admitted and being scored', () => sources.admission.running);
  mirrorGauge(registry, 'qwen_ranker_requests_queued', 'Requests waiting for admission', () => sources.admission.queued);
  // vLLM labels its metrics with `model_name` (the served name); here one info series carries it.
  new Gauge({
    name: 'qwen_ranker_model_info',
    help: 'The served model: 1, labelled with its served name',
    labelNames: ['model_name'] as const,
    registers: [registry],
    collect() {
      this.reset();
      const name = sources.modelName();
      if (name !== undefined) this.set({ model_name: name }, 1);
    },
  });
  mirrorEndpoints(registry, 'qwen_ranker_remote_endpoint_up', 'Remote endpoint state: 1 healthy, 0.5 cooling (Retry-After), 0 unhealthy', sources, (e) => ENDPOINT_UP[e.state]);
  mirrorEndpoints(registry, 'qwen_ranker_remote_endpoint_active_requests', 'Requests in flight to the remote endpoint', sources, (e) => e.activeRequests);
  mirrorEndpoints(registry, 'qwen_ranker_remote_endpoint_requests_total', 'Requests the remote endpoint answered with scores', sources, (e) => e.requests);
  mirrorEndpoints(registry, 'qwen_ranker_remote_endpoint_failures_total', 'Requests that failed on the remote endpoint', sources, (e) => e.failures);
  mirrorEndpoints(registry, 'qwen_ranker_remote_endpoint_latency_seconds', 'Recent response latency of the remote endpoint', sources, (e) =>
    e.latencyMs === null ? undefined : e.latencyMs / 1000,
  );

  return {
    registry,
    observeRequest(method, route, status, seconds) {
      requests.inc({ method, route, status: String(status) });
      latency.observe({ method, route }, seconds);
    },
    observeUsage(usage) {
      documents.inc(usage.documents);
      inputTokens.inc(usage.inputTokens);
      cachedDocuments.inc(usage.cachedDocuments);
    },
  };
}

/** A counter whose value is read from the reranker at scrape time (the reranker keeps the running total). */
function mirrorCounter(registry: Registry, name: string, help: string, read: () => number | undefined): void {
  new Counter({
    name,
    help,
    registers: [registry],
    collect() {
      this.reset();
      this.inc(read() ?? 0);
    },
  });
}

function mirrorGauge(registry: Registry, name: string, help: string, read: () => number | undefined): void {
  new Gauge({
    name,
    help,
    registers: [registry],
    collect() {
      this.set(read() ?? 0);
    },
  });
}

/** A series per remote endpoint (`endpoint` label = its URL), read from the fleet at scrape time: a counter for
 * `_total` names (the fleet keeps the running totals), a gauge otherwise. */
function mirrorEndpoints(
  registry: Registry,
  name: string,
  help: string,
  sources: ServerMetricsSources,
  read: (endpoint: EndpointStatus) => number | undefined,
): void {
  const values = () =>
    (sources.remoteEndpoints() ?? []).flatMap((endpoint) => {
      const value = read(endpoint);
      return value === undefined ? [] : [{ labels: { endpoint: endpoint.url }, value }];
    });
  const config = { name, help, labelNames: ['endpoint'] as const, registers: [registry] };
  if (name.endsWith('_total')) {
    new Counter({
      ...config,
      collect() {
        this.reset();
        for (const { labels, value } of values()) this.inc(labels, value);
      },
    });
  } else {
    new Gauge({
      ...config,
      collect() {
        this.reset();
        for (const { labels, value } of values()) this.set(labels, value);
      },
    });
  }
}
