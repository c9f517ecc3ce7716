import type * as Ort from 'onnxruntime-node';
import type { EngineScore, EngineStats, RerankEngine, ScoreGroup, ScoreGroupOptions } from '../../spec/engine.js';
import { AbortedError, ModelLoadError, RerankerError } from '../../spec/errors.js';
import type { EngineHealth, EngineInfo } from '../../spec/types.js';
import { integerOption } from '../../core/integer-option.js';
import { evaluatedFrom, scoreThroughQueue, type ScoreJob } from '../local/group-scoring.js';
import { FairJobQueue } from '../local/fair-job-queue.js';
import { firstLine, resolveThreads } from '../local/local-model.js';
import { readRerankerGguf } from '../local/gguf-checks.js';
import { sharedVocabularyRuntime } from '../local/llama-runtime.js';
import { createLocalTokenization, type LocalTokenization } from '../local/local-tokenization.js';
import type { PromptPlanner } from '../local/prompt-tokens.js';
import { GgufTensorFile } from './gguf-tensors.js';
import { readQwen3Config, type Qwen3Config } from './qwen3-config.js';
import { keyValueBytesPerToken, PrefixCache } from './prefix-cache.js';
import { SessionSupervisor } from './session-supervisor.js';
import { WorkerSession } from './worker-session.js';

export interface OnnxEngineOptions {
  /** Path of a Qwen3-Reranker GGUF (plain causal layout or llama.cpp's ranking-head layout). */
  modelPath: string;
  /** Name reported in `info.model`. Default: `modelPath`. */
  modelName?: string;
  /** CPU threads (onnxruntime intra-op threads). Default: the number of physical cores. */
  threads?: number;
  /**
   * Bytes of key/value tensors kept for reuse after the runs that needed them: the caches of recent queries' shared
   * prefixes (instruction and query), least recently used evicted first. A prefix being scored stays cached beyond
   * the budget until its runs end; 0 keeps nothing between runs. Default: `DEFAULT_PREFIX_CACHE_TOKENS` tokens'
   * worth on the file's shape (224 KiB per token on Qwen3-Reranker-0.6B: 448 MiB).
   */
  prefixCacheBytes?: number;
  /** Writes onnxruntime's per-operator profile to `<prefix>_<date>.json` when the engine closes (benchmarks).
   * Default: off. */
  profileFilePrefix?: string;
}

/**
 * The default prefix-cache budget, in tokens of the file's shape: the template and instruction take ~50 tokens, so
 * it keeps ~20 recent queries of a few dozen tokens, or one query of 2,000 tokens (448 MiB on the 0.6B shape).
 */
const DEFAULT_PREFIX_CACHE_TOKENS = 2048;

/**
 * How long `close()` waits for the runs already in the worker (at most `IN_FLIGHT`) before it returns without them
 * (they fail with `aborted`; the worker ends by itself after them, see `WorkerSession.close`): a run of up to
 * `PACK_TOKENS` document tokens takes ~0.4 s on the 0.6B shape; longer documents run alone and longer.
 */
const CLOSE_WAIT_MS = 5_000;

/** Runs sent to the session worker at once (see `drain`). */
const IN_FLIGHT = 2;

/**
 * Short documents of one query share a run, packed one after another, up to this many evaluated tokens: a run
 * streams every weight once, however few its tokens (a 1-token run takes ~20 ms), while the attention over packed
 * neighbours (masked, but computed: its cost grows with rows × keys) grows with the pack. Measured on the full-size
 * Q8_0 model after a 60-token prefix, ms per document, two rounds: 47-token documents 181/179 alone, 169/189 by 2,
 * 171/182 by 3; 20-token ones 85/91 alone, 78/83 by 4, 80/87 by 7; 70-token ones 259/292 alone, 254/283 by 2;
 * 100-token ones 358/408 alone, 371/455 by 2.
 */
const PACK_TOKENS = 100;

/**
 * The ONNX Runtime engine: builds the Qwen3 graph from the GGUF's own tensors (qwen3-graph.ts) and scores
 * documents after their query's shared prefix, whose key/value cache is computed once and passed as `past`; short
 * documents of one query are packed into one run (`PACK_TOKENS`).
 * Graph building and runs happen in a worker thread (session-worker.ts), so the event loop stays free.
 * Tokenization is llama.cpp's (node-llama-cpp with `vocabOnly`) through the tokenization shared with the llama.cpp
 * engine (engines/local/local-tokenization.ts), so token counts equal that engine's and long documents never stall
 * the event loop; so this engine still starts llama.cpp's runtime, to tokenize and to read the GGUF header (a
 * JavaScript tokenizer would remove that).
 */
export async function createOnnxEngine(options: OnnxEngineOptions): Promise<RerankEngine> {
  const started = performance.now();
  const threads = resolveThreads(options.threads);
  // onnxruntime-node loads here only to fail early, with a clear error, when the optional package is missing;
  // the session itself runs in a worker thread (session-worker.ts).
  await loadOnnxRuntime();
  // llama.cpp's binary and vocabulary (for the tokenizer) load while the worker builds the graph.
  const runtime = sharedVocabularyRuntime();
  runtime.catch(() => undefined);
  const gguf = await readRerankerGguf(options.modelPath);
  const file = await GgufTensorFile.fromFileInfo(options.modelPath, gguf.info);
  let config: Qwen3Config;
  try {
    file.checkTypes();
    config = readQwen3Config(file);
  } finally {
    file.close();
  }
  const bytesPerToken = keyValueBytesPerToken(config);
  const prefixCacheBytes = integerOption(options.prefixCacheBytes, DEFAULT_PREFIX_CACHE_TOKENS * bytesPerToken, 'prefixCacheBytes', { min: 0 });
  const [vocabulary, session] = await Promise.allSettled([
    runtime.then((llama) => llama.loadModel({ modelPath: options.modelPath, vocabOnly: true })),
    SessionSupervisor.start(() => WorkerSession.start(file.layout, config, { threads, profileFilePrefix: options.profileFilePrefix })),
  ]);
  if (vocabulary.status === 'rejected' || session.status === 'rejected') {
    if (vocabulary.status === 'fulfilled') await vocabulary.value.dispose();
    if (session.status === 'fulfilled') await session.value.close(CLOSE_WAIT_MS);
    const error: unknown = vocabulary.status === 'rejected' ? vocabulary.reason : (session as PromiseRejectedResult).reason;
    if (error instanceof RerankerError) throw error;
    throw new ModelLoadError('model_load_failed', `cannot load ${options.modelPath}: ${firstLine(error)}`, { cause: error });
  }
  const model = vocabulary.value;
  let tokenization: LocalTokenization;
  try {
    // Throws when the vocabulary is not Qwen3's.
    tokenization = await createLocalTokenization(model, options.modelPath);
  } catch (error) {
    await session.value.close(CLOSE_WAIT_MS);
    await model.dispose();
    throw error;
  }
  const { planner, bodyTokenizer } = tokenization;
  const closeTokenizers = async () => {
    await bodyTokenizer.close();
    await model.dispose();
  };
  const info: EngineInfo = {
    engine: 'onnx',
    model: options.modelName ?? options.modelPath,
    device: 'cpu',
    demo: gguf.facts.demo,
    loadTimeMs: Math.round(performance.now() - started),
    maxContextTokens: config.contextLength,
  };
  const prefixes = new PrefixCache(session.value, prefixCacheBytes, bytesPerToken);
  return new OnnxEngine(session.value, prefixes, planner, threads, info, closeTokenizers);
}

/** onnxruntime-node is an optional dependency, imported only when this engine is chosen. */
export async function loadOnnxRuntime(): Promise<typeof Ort> {
  try {
    return await import('onnxruntime-node');
  } catch (error) {
    throw new ModelLoadError('model_load_failed', `the ONNX engine needs the optional package onnxruntime-node, which is not installed or did not load (${firstLine(error)})`, { cause: error });
  }
}

class OnnxEngine implements RerankEngine {
  private nextGroupId = 1;
  private readonly queue = new FairJobQueue(() => this.drain());
  private closed = false;
  /** Runs sent to the worker and not yet settled, and the documents in them. */
  private runs = 0;
  private active = 0;
  private evaluatedTokens = 0;
  private promptTokens = 0;

  constructor(
    private readonly session: SessionSupervisor,
    private readonly prefixes: PrefixCache,
    private readonly planner: PromptPlanner,
    private readonly threads: number,
    readonly info: EngineInfo,
    private readonly closeTokenizers: () => Promise<void>,
  ) {}

  async scoreGroup(group: ScoreGroup, options: ScoreGroupOptions = {}): Promise<EngineScore[]> {
    if (this.closed) throw new RerankerError('closed', 'the engine has been closed');
    const { plans } = await this.planner.planWithin(group, this.info.maxContextTokens, options.signal);
    return scoreThroughQueue(this.queue, this.nextGroupId++, plans, this.planner, options);
  }

  stats(): EngineStats {
    return {
      queueDepth: this.queue.size,
      active: this.active,
      evaluatedTokens: this.evaluatedTokens,
      promptTokens: this.promptTokens,
      prefixCacheBytes: this.prefixes.bytes,
    };
  }

  health(): EngineHealth {
    return this.closed ? { ready: false, reason: 'the engine has been closed' } : this.session.health();
  }

  status(): Record<string, unknown> {
    return { threads: this.threads, cachedPrefixes: this.prefixes.size, prefixCacheBytes: this.prefixes.bytes, prefixCacheBudgetBytes: this.prefixes.budgetBytes };
  }

  async close(): Promise<void> {
    if (this.closed) return;
    this.closed = true;
    this.queue.close(new AbortedError('the engine is closing'));
    await this.session.close(CLOSE_WAIT_MS);
    await this.closeTokenizers();
  }

  /**
   * Keeps `IN_FLIGHT` runs sent to the worker, which does them one at a time (a run already spreads over every
   * thread): the next run is already waiting there when one ends, instead of after a round trip through this
   * thread (measured: 60 × 40-token documents took 15% longer with one in flight).
   */
  private drain(): void {
    for (let pack = this.runs < IN_FLIGHT ? this.next() : undefined; pack && !this.closed; pack = this.runs < IN_FLIGHT ? this.next() : undefined) {
      this.runs++;
      this.active += pack.length;
      const started = pack;
      void this.evaluate(started)
        .then(
          (logits) => started.forEach((job, i) => settleJob(() => job.resolve(logits[i]!))),
          (error: unknown) => started.forEach((job) => settleJob(() => job.reject(error))),
        )
        .finally(() => {
          this.runs--;
          this.active -= started.length;
          this.drain();
        });
    }
  }

  /**
   * The next run: the queue's next request (fewest queued documents first, see FairJobQueue), with as many of
   * that request's next documents as fit in `PACK_TOKENS` beside its first.
   */
  private next(): readonly ScoreJob[] | undefined {
    return this.queue.take((first, queued) => {
      const prefix = sharedPrefix(first);
      const pack = [first];
      let tokens = first.tokens.length - prefix.length;
      // Only after a prefix: with no past, GroupQueryAttention runs a "first prompt", and a document packed second
      // scored 5e-6 off its lone score (every prompt of ours has a prefix; this keeps the rule exact regardless).
      for (const job of prefix.length > 0 ? queued : []) {
        if (tokens >= PACK_TOKENS) break;
        if (job === first) continue;
        const shared = sharedPrefix(job);
        const rest = job.tokens.length - shared.length;
        if (tokens + rest > PACK_TOKENS || !sameTokens(shared, prefix)) continue;
        pack.push(job);
        tokens += rest;
      }
      return pack;
    });
  }

  /** Scores a pack after its shared prefix, whose key/value cache (evaluated once per query) the run holds until it ends. */
  private async evaluate(pack: readonly ScoreJob[]): Promise<number[]> {
    const shared = sharedPrefix(pack[0]!);
    const prefix = shared.length > 0 ? this.prefixes.acquire(shared) : undefined;
    try {
      if (prefix?.evaluated) this.evaluatedTokens += shared.length;
      const past = await prefix?.handle;
      const rests = pack.map((job) => job.tokens.slice(shared.length));
      for (const job of pack) {
        this.evaluatedTokens += job.tokens.length - shared.length;
        this.promptTokens += job.tokens.length;
      }
      return await this.session.score(rests, past);
    } finally {
      prefix?.release();
    }
  }
}

/**
 * Settles one job of a run. A job's callbacks belong to its group (engines/local/group-scoring.ts), which catches what a
 * caller's callback throws and fails that group itself; this guard is the engine's own line: one throwing job must
 * neither leave the run's other jobs unsettled nor end the drain loop in an unhandled rejection.
 */
function settleJob(settle: () => void): void {
  try {
    settle();
  } catch {
    // Nothing to report it to: the job's owner has already seen the failure it raised.
  }
}

/** The part of a prompt evaluated once per query (group-scoring.ts `evaluatedFrom`). */
function sharedPrefix(job: ScoreJob): readonly number[] {
  return job.tokens.slice(0, evaluatedFrom(job, job.sharedLength));
}

function sameTokens(a: readonly number[], b: readonly number[]): boolean {
  return a.length === b.length && a.every((token, i) => token === b[i]);
}
