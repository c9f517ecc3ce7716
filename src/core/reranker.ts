import type { EngineScore, RerankEngine, ScoreGroup } from '../spec/engine.js';
import { AbortedError, CallbackError, InvalidInputError, isRerankerError, RerankerError, throwIfAborted } from '../spec/errors.js';
import {
  type DocumentInput,
  type EngineHealth,
  type RerankedDocument,
  type Reranker,
  type RerankOptions,
  type RerankResponse,
  type RerankResult,
  type RerankerStats,
  type ScorePair,
  type ScoreResult,
  type ScoringOptions,
} from '../spec/types.js';
import { untilAborted } from './abort-signals.js';
import { splitEvidenceSpans } from './evidence-spans.js';
import { resolveInstruction, resolveRerankOptions } from './rerank-options.js';
import { logitFromProbability, sigmoid } from './scoring.js';
import { ScoreCache, scoreKey } from './score-cache.js';

export interface RerankerFacadeOptions {
  /** Entries in the LRU score cache, keyed by (model, instruction, query, document, maxLength, long-document
   * mode). `0` disables it. Default: 10000. */
  cacheSize?: number;
}

type GroupSettings = Omit<ScoreGroup, 'documents'>;

/** Wraps an engine with everything engines share: defaults, validation, the score cache, deduplication of
 * identical concurrent pairs, sorting, `topN`, `minScore` and usage. */
export function createRerankerFromEngine(engine: RerankEngine, options: RerankerFacadeOptions = {}): Reranker {
  return new RerankerFacade(engine, options);
}

class RerankerFacade implements Reranker {
  private readonly cache: ScoreCache;
  /** Scores being computed right now, so identical concurrent pairs are computed once. */
  private readonly inFlight = new Map<string, Promise<EngineScore>>();
  private closed = false;

  constructor(
    private readonly engine: RerankEngine,
    options: RerankerFacadeOptions,
  ) {
    this.cache = new ScoreCache(options.cacheSize ?? 10_000);
  }

  get info() {
    return this.engine.info;
  }

  async rerank(query: string, documents: readonly DocumentInput[], options: RerankOptions = {}): Promise<RerankResponse> {
    const started = performance.now();
    const { topN, minScore, evidence, ...settings } = this.resolveSettings(options);
    checkString(query, 'query');
    if (!Array.isArray(documents)) throw new InvalidInputError('documents', 'documents must be an array');
    const docs = documents.map(normalizeDocument);

    const scores = await this.scoreGroup({ ...settings, query }, docs.map((d) => d.text), options);
    const all: RerankResult[] = scores.map((s, index) => ({ index, document: docs[index]!, ...s }));
    const results = all
      .filter((r) => r.score >= minScore)
      .sort((a, b) => b.score - a.score || a.index - b.index)
      .slice(0, topN ?? all.length);
    const evidenceUsage = evidence === undefined ? undefined : await this.addEvidence(results, evidence, { ...settings, query }, options.signal);
    return {
      results,
      usage: {
        documents: all.length,
        inputTokens: all.reduce((sum, r) => sum + r.inputTokens, 0) + (evidenceUsage?.inputTokens ?? 0),
        ...(evidenceUsage ? { evidenceSpans: evidenceUsage.spans } : {}),
        cachedDocuments: all.filter((r) => r.cached).length,
      },
      model: this.engine.info.model,
      instruction: settings.instruction,
      durationMs: performance.now() - started,
    };
  }

  async score(pairs: readonly ScorePair[], options: ScoringOptions = {}): Promise<ScoreResult[]> {
    if (!Array.isArray(pairs)) throw new InvalidInputError('pairs', 'pairs must be an array');
    const { topN: _topN, minScore: _minScore, evidence: _evidence, ...base } = this.resolveSettings(options);
    // Pairs with the same (instruction, query) form one group, so the engine evaluates their prefix once.
    const groups = new Map<string, { settings: GroupSettings; indices: number[]; documents: string[] }>();
    pairs.forEach((pair, i) => {
      if (typeof pair !== 'object' || pair === null) throw new InvalidInputError(`pairs[${i}]`, 'each pair must be an object');
      checkString(pair.query, `pairs[${i}].query`);
      checkString(pair.document, `pairs[${i}].document`);
      const instruction = resolveInstruction(pair.instruction === undefined ? options.instruction : pair.instruction, `pairs[${i}].instruction`);
      const key = JSON.stringify([instruction, pair.query]);
      let group = groups.get(key);
      if (!group) {
        group = { settings: { ...base, instruction, query: pair.query }, indices: [], documents: [] };
        groups.set(key, group);
      }
      group.indices.push(i);
      group.documents.push(pair.document);
    });
    const results = new Array<ScoreResult>(pairs.length);
    let done = 0;
    const onProgress = options.onProgress && (() => callProgress(options.onProgress!, ++done, pairs.length));
    await Promise.all(
      [...groups.values()].map(async (group) => {
        const scores = await this.scoreGroup(group.settings, group.documents, { ...options, onProgress });
        scores.forEach((s, j) => (results[group.indices[j]!] = s));
      }),
    );
    return results;
  }

  stats(): RerankerStats {
    return { ...this.engine.stats(), cacheHits: this.cache.hits, cacheMisses: this.cache.misses, cacheEntries: this.cache.size };
  }

  health(): EngineHealth {
    return this.closed ? { ready: false, reason: 'the reranker has been closed' } : this.engine.health();
  }

  status(): Record<string, unknown> {
    return this.engine.status?.() ?? {};
  }

  async close(): Promise<void> {
    if (this.closed) return;
    this.closed = true;
    await this.engine.close();
  }

  async [Symbol.asyncDispose](): Promise<void> {
    await this.close();
  }

  private resolveSettings(options: RerankOptions) {
    if (this.closed) throw new RerankerError('closed', 'this reranker has been closed');
    return resolveRerankOptions(options, this.engine.info.maxContextTokens);
  }

  /** Gives each result its `count` best spans. All spans of all results are one group, scored exactly as
   * documents are (cache, sharing, the engine's prefix reuse and packing), so each span's numbers are what
   * `score()` gives it as a document. Progress callbacks count documents only, so none is passed on. */
  private async addEvidence(
    results: RerankResult[],
    count: number,
    settings: GroupSettings,
    signal: AbortSignal | undefined,
  ): Promise<{ inputTokens: number; spans: number }> {
    const spans = results.map((r) => splitEvidenceSpans(r.document.text, { language: documentLanguage(r.document) }));
    const scores = await this.scoreGroup(settings, spans.flat().map((s) => s.text), { signal });
    let next = 0;
    results.forEach((result, i) => {
      const scored = spans[i]!.map((span) => ({ ...span, ...scores[next++]! }));
      result.evidence = scored
        .sort((a, b) => b.score - a.score || a.start - b.start)
        .slice(0, count)
        .map(({ start, end, text, score, logit }) => ({ start, end, text, score, logit }));
    });
    return { inputTokens: scores.reduce((sum, s) => sum + s.inputTokens, 0), spans: scores.length };
  }

  /** Scores `documents` against one (instruction, query): cache first, then identical in-flight pairs, then
   * one engine call for the rest. */
  private async scoreGroup(settings: GroupSettings, documents: readonly string[], options: ScoringOptions): Promise<ScoreResult[]> {
    throwIfAborted(options.signal);
    const total = documents.length;
    let done = 0;
    const progress = () => options.onProgress && callProgress(options.onProgress, ++done, total);
    const keys = documents.map((document) => scoreKey({ ...settings, model: this.engine.info.model, document }));
    const results = new Array<ScoreResult>(total);
    const waits: Array<Promise<void>> = [];
    const missing = new Map<string, number[]>(); // key → indices in `documents`
    // A progress callback that throws on a cached result fails the request once the waits already started settle
    // (none is left unobserved), and nothing more is sent to the engine for it.
    let callbackFailure: unknown;

    keys.forEach((key, i) => {
      const cached = this.cache.get(key);
      if (cached) {
        results[i] = toResult(cached, true);
        try {
          progress();
        } catch (error) {
          callbackFailure ??= error;
        }
        return;
      }
      const pending = this.inFlight.get(key);
      if (pending) {
        waits.push(this.awaitShared(key, pending, settings, documents[i]!, options).then((s) => void ((results[i] = toResult(s, true)), progress())));
        return;
      }
      const indices = missing.get(key);
      if (indices) indices.push(i);
      else missing.set(key, [i]);
    });

    if (missing.size > 0 && callbackFailure === undefined) waits.push(this.computeMissing(settings, documents, missing, results, options.signal, progress));
    // allSettled first so that no rejection is left unobserved, then rethrow the first failure.
    const settled = await Promise.allSettled(waits);
    if (callbackFailure !== undefined) throw callbackFailure;
    const failure = settled.find((s): s is PromiseRejectedResult => s.status === 'rejected');
    if (failure) throw failure.reason;
    return results;
  }

  private async computeMissing(
    settings: GroupSettings,
    documents: readonly string[],
    missing: Map<string, number[]>,
    results: ScoreResult[],
    signal: AbortSignal | undefined,
    progress: () => void,
  ): Promise<void> {
    const entries = [...missing.entries()];
    const deferreds = entries.map(([key]) => {
      let resolve!: (s: EngineScore) => void;
      let reject!: (e: unknown) => void;
      const promise = new Promise<EngineScore>((res, rej) => ((resolve = res), (reject = rej)));
      promise.catch(() => undefined); // observed by whoever shares it; never an unhandled rejection
      this.inFlight.set(key, promise);
      return { key, resolve, reject };
    });
    try {
      const scores = await this.engine.scoreGroup(
        { ...settings, documents: entries.map(([, indices]) => documents[indices[0]!]!) },
        { signal, onScored: (j) => entries[j]![1].forEach(progress) },
      );
      scores.forEach((score, j) => {
        const [key, indices] = entries[j]!;
        this.cache.set(key, score);
        deferreds[j]!.resolve(score);
        for (const i of indices) results[i] = toResult(score, false);
      });
    } catch (error) {
      // Whatever this request was cancelled with (the server aborts with a TimeoutError, for one), its sharers
      // see an AbortedError and re-score the pair for themselves (`awaitShared`).
      // A request failed by its own progress callback counts as cancelled for them too: the pair itself is fine.
      const ownFailure = signal?.aborted || (isRerankerError(error) && error.code === 'callback_failed');
      const shared = ownFailure ? new AbortedError('the request computing this pair was cancelled', { cause: error }) : error;
      for (const d of deferreds) d.reject(shared);
      throw error;
    } finally {
      for (const d of deferreds) this.inFlight.delete(d.key);
    }
  }

  /** Waits for a pair another request is computing. If that request was cancelled (and this one was not), the
   * pair is scored again on this request's behalf instead of failing it. */
  private async awaitShared(key: string, pending: Promise<EngineScore>, settings: GroupSettings, document: string, options: ScoringOptions): Promise<EngineScore> {
    try {
      return await untilAborted(pending, options.signal);
    } catch (error) {
      if (!(error instanceof AbortedError) || options.signal?.aborted) throw error;
      const [score] = await this.engine.scoreGroup({ ...settings, documents: [document] }, { signal: options.signal });
      this.cache.set(key, score!);
      return score!;
    }
  }
}

/** The one place an engine's answer becomes both numbers: a local engine gives the logit, some remote APIs only
 * the probability; the other is derived here, once. */
function toResult(score: EngineScore, cached: boolean): ScoreResult {
  const [probability, logit] = 'logit' in score ? [sigmoid(score.logit), score.logit] : [score.probability, logitFromProbability(score.probability)];
  return { score: probability, logit, inputTokens: score.inputTokens, ...(score.window ? { window: score.window } : {}), cached };
}

/** Calls a caller's progress callback; what it throws becomes a `CallbackError` that fails this request only (the
 * engines and the group scorer reject the request's group with it, so nothing is left waiting). */
function callProgress(onProgress: (done: number, total: number) => void, done: number, total: number): void {
  try {
    onProgress(done, total);
  } catch (error) {
    throw isRerankerError(error) && error.code === 'callback_failed' ? error : new CallbackError('onProgress', error);
  }
}

/** A document's language for sentence splitting: `metadata.language` when it is a string (a BCP 47 tag). */
function documentLanguage(document: RerankedDocument): string | undefined {
  const language = document.metadata?.['language'];
  return typeof language === 'string' ? language : undefined;
}

function checkString(value: unknown, field: string): asserts value is string {
  if (typeof value !== 'string') throw new InvalidInputError(field, `${field} must be a string`);
}

function normalizeDocument(input: DocumentInput, i: number): RerankedDocument {
  if (typeof input === 'string') return { text: input };
  if (typeof input !== 'object' || input === null || typeof input.text !== 'string') {
    throw new InvalidInputError(`documents[${i}]`, `documents[${i}] must be a string or an object with a string "text"`);
  }
  return {
    text: input.text,
    ...(input.id === undefined ? {} : { id: input.id }),
    ...(input.metadata === undefined ? {} : { metadata: input.metadata }),
  };
}
