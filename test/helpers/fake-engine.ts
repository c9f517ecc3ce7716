/**
 * A fake `RerankEngine` for specifying the facade (`createRerankerFromEngine`) without llama.cpp: scores are a
 * deterministic function of the pair, every call is recorded, and a gate can hold calls so that tests stage
 * concurrency and cancellation. The facade's engines are real elsewhere; this fake exists only because the
 * facade's own logic (cache, dedupe, ordering, usage) must be specified one behaviour at a time.
 * Pattern: the AI SDK's `MockRerankingModelV3` (vercel/ai packages/ai/src/test/mock-reranking-model-v3.ts).
 */
import { createHash } from 'node:crypto';
import { untilAborted } from '../../src/core/abort-signals.js';
import { throwIfAborted, type EngineHealth, type EngineInfo, type EngineScore, type EngineStats, type RerankEngine, type ScoreGroup, type ScoreGroupOptions } from '../../src/index.js';

export interface FakePair {
  instruction: string;
  query: string;
  document: string;
}

export interface FakeEngineOptions {
  /** Reported as `info.model`. Default: `'fake-model'`. */
  model?: string;
  /** Reported as `info.maxContextTokens`. Default: 32768. */
  maxContextTokens?: number;
  /** The logit of a pair. Default: `hashLogit`. */
  logit?: (pair: FakePair) => number;
  /** What the engine answers: the logit (local engines), or only the probability sigmoid(logit) (Cohere-style
   * APIs, src/spec/engine.ts `EngineRelevance`). Default: `'logit'`. */
  answers?: 'logit' | 'probability';
}

/** A logit in [-4, 4) from a hash of the pair: stable across runs, different for different pairs. */
export function hashLogit(pair: FakePair): number {
  const digest = createHash('sha256').update(JSON.stringify([pair.instruction, pair.query, pair.document])).digest();
  return (digest.readUInt32BE(0) / 2 ** 32) * 8 - 4;
}

/** Token count the fake reports for a pair: one per character of the user text (easy to compute in a test). */
export function fakeInputTokens(pair: FakePair): number {
  return pair.instruction.length + pair.query.length + pair.document.length;
}

export class FakeEngine implements RerankEngine {
  readonly info: EngineInfo;
  /** Every `scoreGroup` call, in arrival order. */
  readonly calls: ScoreGroup[] = [];
  private readonly logit: (pair: FakePair) => number;
  private readonly answers: 'logit' | 'probability';
  private gate: Promise<void> | undefined;
  private openGate: (() => void) | undefined;
  private failure: Error | undefined;
  private readonly callWaiters: Array<{ count: number; resolve: () => void }> = [];
  closed = false;
  /** What `health()` answers. Default: ready. */
  currentHealth: EngineHealth = { ready: true };

  constructor(options: FakeEngineOptions = {}) {
    this.info = { engine: 'fake', model: options.model ?? 'fake-model', device: 'none', demo: true, loadTimeMs: 0, maxContextTokens: options.maxContextTokens ?? 32_768 };
    this.logit = options.logit ?? hashLogit;
    this.answers = options.answers ?? 'logit';
  }

  /** Documents the engine was asked to score, over all calls. */
  get scoredDocuments(): string[] {
    return this.calls.flatMap((call) => [...call.documents]);
  }

  /** Holds every call (pending and future) until `release()`. */
  hold(): void {
    this.gate ??= new Promise<void>((resolve) => (this.openGate = resolve));
  }

  release(): void {
    this.openGate?.();
    this.gate = undefined;
    this.openGate = undefined;
  }

  /** The next call rejects with `error` (after the gate). */
  failNextCall(error: Error): void {
    this.failure = error;
  }

  /** Resolves once the engine has received `count` calls in total. */
  waitForCalls(count: number): Promise<void> {
    if (this.calls.length >= count) return Promise.resolve();
    return new Promise((resolve) => this.callWaiters.push({ count, resolve }));
  }

  /** The logit and token count the fake gives one pair (what a test expects back). */
  expected(pair: FakePair): { logit: number; inputTokens: number } {
    return { logit: this.logit(pair), inputTokens: fakeInputTokens(pair) };
  }

  async scoreGroup(group: ScoreGroup, options: ScoreGroupOptions = {}): Promise<EngineScore[]> {
    // Like the real engines: an aborted signal rejects with its reason when that is a RerankerError (e.g. the
    // server's TimeoutError), otherwise with an AbortedError (src/spec/errors.ts `throwIfAborted`).
    throwIfAborted(options.signal);
    this.calls.push(group);
    for (const waiter of this.callWaiters.filter((w) => this.calls.length >= w.count)) {
      this.callWaiters.splice(this.callWaiters.indexOf(waiter), 1);
      waiter.resolve();
    }
    if (this.gate) await untilAborted(this.gate, options.signal);
    const failure = this.failure;
    this.failure = undefined;
    if (failure) throw failure;
    return group.documents.map((document, i) => {
      const { logit, inputTokens } = this.expected({ instruction: group.instruction, query: group.query, document });
      options.onScored?.(i);
      return this.answers === 'logit' ? { logit, inputTokens } : { probability: 1 / (1 + Math.exp(-logit)), inputTokens };
    });
  }

  stats(): EngineStats {
    return { queueDepth: 0, active: 0, evaluatedTokens: 0, promptTokens: 0 };
  }

  health(): EngineHealth {
    return this.currentHealth;
  }

  async close(): Promise<void> {
    this.closed = true;
  }
}
