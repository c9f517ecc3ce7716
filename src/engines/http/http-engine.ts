import { setMaxListeners } from 'node:events';
import type { EngineScore, EngineStats, RerankEngine, ScoreGroup, ScoreGroupOptions } from '../../spec/engine.js';
import { integerOption } from '../../core/integer-option.js';
import { linkSignals } from '../../core/abort-signals.js';
import { EngineUnavailableError, InvalidInputError, RerankerError, throwIfAborted } from '../../spec/errors.js';
import type { EngineHealth, EngineInfo } from '../../spec/types.js';
import { cohereFlavour } from './cohere/cohere-flavour.js';
import { Fleet } from './fleet.js';
import type { HttpEngineOptions } from './http-engine-options.js';
import { EndpointError, sendJsonRequest } from './http-request.js';
import { llamaServerFlavour } from './llama-server/llama-server-flavour.js';
import { planBatches } from './plan-batches.js';
import type { RemoteEngineKind } from '../../spec/types.js';
import type { RemoteBatch, RemoteFlavour, RemoteScores } from './remote-flavour.js';
import { teiFlavour } from './tei/tei-flavour.js';
import { apportionTokens, estimatePromptTokens } from '../../core/token-estimate.js';
import { vllmFlavour } from './vllm/vllm-flavour.js';

const FLAVOURS: Record<RemoteEngineKind, RemoteFlavour> = {
  vllm: vllmFlavour,
  'llama-server': llamaServerFlavour,
  tei: teiFlavour,
  cohere: cohereFlavour,
};

/** Qwen3-Reranker's context length ("Context Length: 32k", https://huggingface.co/Qwen/Qwen3-Reranker-0.6B). The
 * server may be started with less (`--max-model-len`, `-c`); it then rejects or truncates longer prompts. */
const REMOTE_CONTEXT_TOKENS = 32_768;

interface ResolvedOptions {
  endpoints: string[];
  model: string | undefined;
  headers: Record<string, string>;
  timeoutMs: number;
  maxRetries: number;
  maxDocumentsPerRequest: number;
  maxTokensPerRequest: number;
  healthCheckIntervalMs: number;
  maxConcurrentRequestsPerEndpoint: number;
}

/**
 * Creates an engine that scores on remote servers. Checks every endpoint's health once before returning, but does
 * not fail when none answers: servers of a fleet come and go, and `status()` says which are up.
 */
export async function createHttpEngine(options: HttpEngineOptions): Promise<RerankEngine> {
  const started = performance.now();
  const flavour = FLAVOURS[options.kind];
  if (!flavour) throw new InvalidInputError('engine', `unknown remote engine "${String(options.kind)}"; use one of ${Object.keys(FLAVOURS).join(', ')}`);
  const resolved = resolveOptions(options);
  const fleet = new Fleet({
    endpoints: resolved.endpoints,
    healthPath: flavour.healthPath,
    headers: resolved.headers,
    timeoutMs: resolved.timeoutMs,
    maxRetries: resolved.maxRetries,
    maxConcurrentRequestsPerEndpoint: resolved.maxConcurrentRequestsPerEndpoint,
    healthCheckIntervalMs: resolved.healthCheckIntervalMs,
  });
  await fleet.checkAll();
  fleet.startHealthChecks();
  const info: EngineInfo = {
    engine: flavour.kind,
    model: resolved.model ?? `${flavour.kind}@${resolved.endpoints[0]!}`,
    device: resolved.endpoints.join(', '),
    demo: false,
    loadTimeMs: performance.now() - started,
    maxContextTokens: REMOTE_CONTEXT_TOKENS,
  };
  return new HttpEngine(flavour, fleet, resolved, info);
}

class HttpEngine implements RerankEngine {
  /** Lowered when a server refuses a batch as too large, so later groups are cut smaller from the start. */
  private maxDocumentsPerRequest: number;
  private promptTokens = 0;
  private closed = false;

  constructor(
    private readonly flavour: RemoteFlavour,
    private readonly fleet: Fleet,
    private readonly options: ResolvedOptions,
    readonly info: EngineInfo,
  ) {
    this.maxDocumentsPerRequest = options.maxDocumentsPerRequest;
  }

  async scoreGroup(group: ScoreGroup, options: ScoreGroupOptions = {}): Promise<EngineScore[]> {
    if (this.closed) throw new RerankerError('closed', 'the remote engine has been closed');
    throwIfAborted(options.signal);
    if (group.longDocuments === 'windows') {
      throw new InvalidInputError('longDocuments', `longDocuments "windows" needs the model's tokenizer and is not available with --engine ${this.flavour.kind}; use "truncate"`);
    }
    this.flavour.checkInstruction(group.instruction);
    const estimates = group.documents.map((d) => estimatePromptTokens(group.instruction, group.query, d));
    const batches = planBatches(estimates, { maxDocuments: this.maxDocumentsPerRequest, maxTokens: this.options.maxTokensPerRequest });
    const results = new Array<EngineScore>(group.documents.length);

    // The first failing batch stops the others: their results could not be used anyway.
    const stop = new AbortController();
    const { signal, dispose } = linkSignals(options.signal, stop.signal);
    setMaxListeners(0, signal); // each batch in flight listens once and detaches when done
    let firstError: unknown;
    await Promise.allSettled(
      batches.map((batch) =>
        this.scoreBatch(group, batch, estimates, results, signal, options.onScored).catch((error: unknown) => {
          if (firstError === undefined) {
            firstError = error;
            stop.abort(error);
          }
        }),
      ),
    ).finally(dispose);
    if (firstError !== undefined) throw firstError;
    return results;
  }

  stats(): EngineStats {
    // Remote servers do not report prefix reuse, so evaluated tokens are the prompt tokens.
    return {
      queueDepth: this.fleet.waitingDocuments(),
      active: this.fleet.activeDocuments(),
      evaluatedTokens: this.promptTokens,
      promptTokens: this.promptTokens,
    };
  }

  /**
   * Ready while some endpoint is healthy (in rotation, or only pausing as its `Retry-After` asked). With none, a
   * request could only probe a failed endpoint; the next periodic health check is when one may be back.
   */
  health(): EngineHealth {
    if (this.closed) return { ready: false, reason: 'the remote engine has been closed' };
    if (this.fleet.healthyCount() > 0) return { ready: true };
    const endpoints = this.fleet.status().map((e) => `${e.url} (${e.lastError ?? e.state})`);
    const reason = `no ${this.flavour.kind} endpoint is healthy: ${endpoints.join(', ')}`;
    const interval = this.options.healthCheckIntervalMs;
    return interval > 0 ? { ready: false, reason, retryAfterSeconds: Math.max(1, Math.ceil(interval / 1000)) } : { ready: false, reason };
  }

  status(): Record<string, unknown> {
    const healthyEndpoints = this.fleet.healthyCount();
    return { engine: this.flavour.kind, ready: healthyEndpoints > 0, healthyEndpoints, endpoints: this.fleet.status() };
  }

  async close(): Promise<void> {
    this.closed = true;
    this.fleet.close();
  }

  /** Scores one batch (document indices of the group) and writes its results; halves it when the server says it
   * is too large. */
  private async scoreBatch(
    group: ScoreGroup,
    batch: readonly number[],
    estimates: readonly number[],
    results: EngineScore[],
    signal: AbortSignal,
    onScored: ((documentIndex: number) => void) | undefined,
  ): Promise<void> {
    const remote: RemoteBatch = {
      instruction: group.instruction,
      query: group.query,
      documents: batch.map((i) => group.documents[i]!),
      maxLength: group.maxLength,
    };
    const batchEstimates = batch.map((i) => estimates[i]!);
    let scores: RemoteScores;
    try {
      scores = await this.fleet.run(
        {
          documents: batch.length,
          tokens: batchEstimates.reduce((a, b) => a + b, 0),
          send: (endpointUrl, requestSignal) => this.send(endpointUrl, remote, requestSignal),
        },
        signal,
      );
    } catch (error) {
      if (error instanceof EndpointError && isTooLarge(error) && batch.length > 1) {
        const half = Math.ceil(batch.length / 2);
        this.maxDocumentsPerRequest = Math.min(this.maxDocumentsPerRequest, half);
        await Promise.all([
          this.scoreBatch(group, batch.slice(0, half), estimates, results, signal, onScored),
          this.scoreBatch(group, batch.slice(half), estimates, results, signal, onScored),
        ]);
        return;
      }
      throw toRerankerError(error, this.flavour.kind);
    }
    const inputTokens = apportionTokens(scores.promptTokens, batchEstimates);
    batch.forEach((documentIndex, j) => {
      results[documentIndex] = { ...scores.relevance[j]!, inputTokens: inputTokens[j]! };
      this.promptTokens += inputTokens[j]!;
      onScored?.(documentIndex);
    });
  }

  private async send(endpointUrl: string, batch: RemoteBatch, signal: AbortSignal): Promise<RemoteScores> {
    let response: Awaited<ReturnType<typeof sendJsonRequest>>;
    try {
      response = await sendJsonRequest({
        url: endpointUrl + this.flavour.scorePath,
        method: 'POST',
        headers: this.options.headers,
        body: this.flavour.buildRequest(batch, this.options.model),
        timeoutMs: this.options.timeoutMs,
        signal,
      });
    } catch (error) {
      // Not an EndpointError any more, so the fleet neither retries it nor blames the endpoint.
      if (error instanceof EndpointError && this.flavour.isRequestFault?.(error)) {
        throw new InvalidInputError('documents', `the ${this.flavour.kind} server cannot score these documents: ${error.message}`, { cause: error });
      }
      throw error;
    }
    return this.flavour.parseResponse(response.body, response.headers, batch.documents.length);
  }
}

/**
 * The server refuses the batch for its size: HTTP 413 (TEI's `--max-client-batch-size`: `ErrorType::Validation`
 * in router/src/http/server.rs), or a qwen-ranker peer's 422 `limit_exceeded` on a per-request limit
 * (src/server/server-limits.ts).
 */
function isTooLarge(error: EndpointError): boolean {
  if (error.status === 413) return true;
  const body = error.body as { error?: { code?: unknown; limit?: unknown } } | undefined;
  return error.status === 422 && body?.error?.code === 'limit_exceeded' && (body.error.limit === 'maxDocumentsPerRequest' || body.error.limit === 'maxTokensPerRequest');
}

/** Endpoint errors the fleet does not retry are the request's fault (or the configuration's): say so. */
function toRerankerError(error: unknown, kind: RemoteEngineKind): unknown {
  if (!(error instanceof EndpointError)) return error;
  const status = error.status ?? 0;
  if (status === 401 || status === 403) return new RerankerError('unauthorized', `the ${kind} server refused the API key: ${error.message}`, { cause: error });
  if (status === 400 || status === 413 || status === 422) return new InvalidInputError('documents', `the ${kind} server rejected the request: ${error.message}`, { cause: error });
  return new EngineUnavailableError(`the ${kind} server failed: ${error.message}`, { cause: error, retryable: false });
}

function resolveOptions(options: HttpEngineOptions): ResolvedOptions {
  if (!Array.isArray(options.endpoints) || options.endpoints.length === 0) {
    throw new InvalidInputError('endpoints', `--engine ${options.kind} needs at least one endpoint URL`);
  }
  const endpoints = options.endpoints.map((endpoint, i) => normalizeEndpoint(endpoint, `endpoints[${i}]`));
  if (new Set(endpoints).size !== endpoints.length) throw new InvalidInputError('endpoints', 'an endpoint URL is listed twice');
  return {
    endpoints,
    model: options.model,
    headers: options.apiKey ? { authorization: `Bearer ${options.apiKey}` } : {},
    timeoutMs: integerOption(options.timeoutMs, 60_000, 'timeoutMs', { min: 1 }),
    maxRetries: integerOption(options.maxRetries, 4, 'maxRetries', { min: 0 }),
    maxDocumentsPerRequest: integerOption(options.maxDocumentsPerRequest, 32, 'maxDocumentsPerRequest', { min: 1 }),
    maxTokensPerRequest: options.maxTokensPerRequest === Infinity ? Infinity : integerOption(options.maxTokensPerRequest, Infinity, 'maxTokensPerRequest', { min: 1 }),
    healthCheckIntervalMs: integerOption(options.healthCheckIntervalMs, 5000, 'healthCheckIntervalMs', { min: 0 }),
    maxConcurrentRequestsPerEndpoint: integerOption(options.maxConcurrentRequestsPerEndpoint, 4, 'maxConcurrentRequestsPerEndpoint', { min: 1 }),
  };
}

/** An http(s) base URL without query, fragment or trailing slash, so that routes can be appended. */
function normalizeEndpoint(endpoint: string, field: string): string {
  let url: URL;
  try {
    url = new URL(endpoint);
  } catch {
    throw new InvalidInputError(field, `"${endpoint}" is not a URL; write it like http://gpu1:8000`);
  }
  if (url.protocol !== 'http:' && url.protocol !== 'https:') throw new InvalidInputError(field, `"${endpoint}" must be an http or https URL`);
  if (url.search || url.hash) throw new InvalidInputError(field, `"${endpoint}" must not have a query or fragment`);
  return `${url.origin}${url.pathname.replace(/\/+$/, '')}`;
}
