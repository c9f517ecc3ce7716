import type { Llama, LlamaContext, LlamaContextOptions, LlamaModel, Token } from 'node-llama-cpp';
import type { EngineScore, EngineStats, RerankEngine, ScoreGroup, ScoreGroupOptions } from '../../spec/engine.js';
import { AbortedError, ContextOverflowError, InvalidInputError, ModelLoadError, RerankerError, throwIfAborted } from '../../spec/errors.js';
import { integerOption } from '../../core/integer-option.js';
import type { EngineHealth, EngineInfo } from '../../spec/types.js';
import { scoreThroughQueue } from '../local/group-scoring.js';
import type { PromptPlanner } from '../local/prompt-tokens.js';
import { firstLine, resolveThreads } from '../local/local-model.js';
import { createLlamaRuntime } from '../local/llama-runtime.js';
import { createLocalTokenization } from '../local/local-tokenization.js';
import { NO_TOKEN_ID, YES_TOKEN_ID } from '../../core/template.js';
import { languageModelHeadIsAnswerHead, readRerankerGguf, type RerankerGguf } from '../local/gguf-checks.js';
import type { BodyTokenizer } from '../local/body-tokenizer.js';
import { SequenceScheduler, type AnswerSource } from './sequence-scheduler.js';

export interface LocalEngineOptions {
  /** Path of a Qwen3-Reranker GGUF (plain causal layout or llama.cpp's ranking-head layout). */
  modelPath: string;
  /** Name reported in `info.model`. Default: `modelPath`. */
  modelName?: string;
  /** Backend: `'auto'` picks CUDA, Metal or Vulkan when present, else CPU; `false` forces CPU. Default: `'auto'`. */
  gpu?: 'auto' | false | 'cuda' | 'metal' | 'vulkan';
  /** CPU threads. Default: the number of physical cores. */
  threads?: number;
  /** Context sequences scored in parallel (batched into one decode). Default: 4. */
  sequences?: number;
  /** KV cells per sequence. Prompts longer than this run on a second, single-sequence context sized to them
   * (created on first use). Small contexts evaluate faster on CPU. Default: 1024. */
  sequenceContextSize?: number;
  /** Tokens per llama_decode batch. Default: 512. */
  batchSize?: number;
  /** Flash attention. Off by default because llama.cpp's CPU flash-attention kernel rounds the query to F16:
   * measured on the golden cases, the worst score error grew from 3.1e-4 to 3.7e-3, past the reference tolerance.
   * `'auto'` lets llama.cpp decide per backend (faster on some GPUs). Default: `false`. */
  flashAttention?: 'auto' | boolean;
  /** Element type of the key/value cache. `'f16'` (llama.cpp's default) halves the cache's memory and rounds keys
   * and values (and, for the products with them, queries and attention weights) to F16. `'f32'` rounds nothing:
   * the engine then computes exactly what the ONNX engine computes (measured on a Q8_0 file's golden cases: equal
   * within 1e-7 on 13 of 16, against 2.7e-2 apart with F16). Default: `'f16'`. */
  kvCacheType?: 'f16' | 'f32';
}

/** Size of the context created for prompts that do not fit a sequence; grows to the prompt when larger. */
const LONG_CONTEXT_TOKENS = 8192;

const GPU_CHOICES = ['auto', false, 'cuda', 'metal', 'vulkan'] as const;
const KV_CACHE_TYPES = ['f16', 'f32'] as const;

type ResolvedLocalEngineOptions = Required<Omit<LocalEngineOptions, 'modelName'>> & { modelName: string };

/** Defaults and checks of every local option, before anything is loaded: a bad value is an `InvalidInputError`
 * naming it, never a native failure (or 1,300 threads) later. */
function resolveLocalEngineOptions(options: LocalEngineOptions): ResolvedLocalEngineOptions {
  if (!GPU_CHOICES.includes(options.gpu ?? 'auto')) {
    throw new InvalidInputError('gpu', `gpu must be one of ${GPU_CHOICES.map(String).join(', ')}, got ${String(options.gpu)}`);
  }
  const flashAttention = options.flashAttention ?? false;
  if (flashAttention !== 'auto' && typeof flashAttention !== 'boolean') {
    throw new InvalidInputError('flashAttention', `flashAttention must be "auto", true or false, got ${String(flashAttention)}`);
  }
  const kvCacheType = options.kvCacheType ?? 'f16';
  if (!KV_CACHE_TYPES.includes(kvCacheType)) {
    throw new InvalidInputError('kvCacheType', `kvCacheType must be one of ${KV_CACHE_TYPES.join(', ')}, got ${String(kvCacheType)}`);
  }
  return {
    modelPath: options.modelPath,
    modelName: options.modelName ?? options.modelPath,
    gpu: options.gpu ?? 'auto',
    threads: resolveThreads(options.threads),
    // llama.cpp's limit on sequences per context (LLAMA_MAX_SEQ, llama-cparams.h).
    sequences: integerOption(options.sequences, 4, 'sequences', { min: 1, max: 256 }),
    sequenceContextSize: integerOption(options.sequenceContextSize, 1024, 'sequenceContextSize', { min: 64 }),
    batchSize: integerOption(options.batchSize, 512, 'batchSize', { min: 1 }),
    flashAttention,
    kvCacheType,
  };
}

export async function createLlamaCppEngine(options: LocalEngineOptions): Promise<RerankEngine> {
  const started = performance.now();
  const settings = resolveLocalEngineOptions(options);
  const gguf = await readRerankerGguf(settings.modelPath);
  const loadError = (error: unknown) =>
    new ModelLoadError('model_load_failed', `cannot load ${settings.modelPath}: ${firstLine(error)}`, { cause: error });
  let llama: Llama;
  try {
    llama = await createLlamaRuntime({ gpu: settings.gpu, maxThreads: settings.threads });
  } catch (error) {
    throw loadError(error);
  }
  // From here on the engine owns `llama` (and the model): every failure releases them.
  let model: LlamaModel | undefined;
  try {
    model = await llama.loadModel({ modelPath: settings.modelPath }).catch((error: unknown) => {
      throw loadError(error);
    });
    return await LlamaCppEngine.create(llama, model, settings, gguf, started);
  } catch (error) {
    await model?.dispose();
    await llama.dispose();
    throw error;
  }
}

class LlamaCppEngine implements RerankEngine {
  private nextGroupId = 1;
  private longContextSize = 0;
  private longContextPending: Promise<void> | undefined;
  private closed = false;

  private constructor(
    /** The engine's own llama.cpp runtime (`createLlamaCppEngine` gets a new one), disposed on close. */
    private readonly llama: Llama,
    private readonly model: LlamaModel,
    private readonly contexts: LlamaContext[],
    private readonly answerSource: AnswerSource['kind'],
    private readonly scheduler: SequenceScheduler,
    private readonly tokenizer: BodyTokenizer,
    private readonly planner: PromptPlanner,
    private readonly threads: number,
    /** What every context of this engine is created with, besides its size and sequences. */
    private readonly contextOptions: LlamaContextOptions,
    readonly info: EngineInfo,
  ) {}

  static async create(llama: Llama, model: LlamaModel, options: ResolvedLocalEngineOptions, gguf: RerankerGguf, started: number): Promise<LlamaCppEngine> {
    const { planner, bodyTokenizer: tokenizer } = await createLocalTokenization(model, options.modelPath);
    const { flashAttention, threads } = options;
    const kvCacheType = options.kvCacheType === 'f32' ? 'F32' : 'F16';
    const answer = answerSource(options.modelPath, gguf);
    const contextOptions: LlamaContextOptions = {
      threads,
      flashAttention: flashAttention === 'auto' ? undefined : flashAttention,
      experimentalKvCacheKeyType: kvCacheType,
      experimentalKvCacheValueType: kvCacheType,
      failedCreationRemedy: false,
      // node-llama-cpp 3.22's LlamaContext options for LlamaRankingContext's context: embeddings with pooling "rank".
      ...(answer.kind === 'ranking-output' && ({ _embeddings: true, _ranking: true } as LlamaContextOptions)),
    };
    const sequences = answer.kind === 'logits' ? options.sequences : 1;
    // The ranking output is read for a context's sequence 0 only, so parallel documents need contexts of their
    // own: on a GPU one per sequence; on a CPU one, since llama.cpp's threads already use every core.
    const contextCount = answer.kind === 'logits' || llama.gpu === false ? 1 : options.sequences;
    const contexts: LlamaContext[] = [];
    try {
      for (let i = 0; i < contextCount; i++) {
        contexts.push(await model.createContext({ ...contextOptions, sequences, contextSize: options.sequenceContextSize, batchSize: options.batchSize }));
      }
    } catch (error) {
      for (const context of contexts) await context.dispose();
      throw error;
    }
    const workers = contexts.flatMap((context) => Array.from({ length: sequences }, () => ({ sequence: context.getSequence(), capacity: context.contextSize })));
    const scheduler = new SequenceScheduler(workers, answer);
    const info: EngineInfo = {
      engine: 'llama-cpp',
      model: options.modelName,
      device: llama.gpu === false ? 'cpu' : llama.gpu,
      demo: gguf.facts.demo,
      loadTimeMs: Math.round(performance.now() - started),
      maxContextTokens: model.trainContextSize,
    };
    return new LlamaCppEngine(
      llama,
      model,
      contexts,
      answer.kind,
      scheduler,
      tokenizer,
      planner,
      threads,
      contextOptions,
      info,
    );
  }

  async scoreGroup(group: ScoreGroup, options: ScoreGroupOptions = {}): Promise<EngineScore[]> {
    if (this.closed) throw new RerankerError('closed', 'the engine has been closed');
    const { plans, longest } = await this.planner.planWithin(group, this.info.maxContextTokens, options.signal);
    if (longest > this.scheduler.maxCapacity) await this.ensureCapacity(longest);
    throwIfAborted(options.signal);
    return scoreThroughQueue(this.scheduler.queue, this.nextGroupId++, plans, this.planner, options);
  }

  stats(): EngineStats {
    const s = this.scheduler;
    return { queueDepth: s.queueDepth, active: s.active, evaluatedTokens: s.evaluatedTokens, promptTokens: s.promptTokens };
  }

  /** llama.cpp runs in this process: the engine can score until it is closed. */
  health(): EngineHealth {
    return this.closed ? { ready: false, reason: 'the engine has been closed' } : { ready: true };
  }

  status(): Record<string, unknown> {
    return {
      threads: this.threads,
      sequences: this.contexts[0]?.totalSequences,
      sequenceContextSize: this.contexts[0]?.contextSize,
      longContextSize: this.longContextSize || undefined,
      answerHead: this.answerSource,
    };
  }

  async close(): Promise<void> {
    if (this.closed) return;
    this.closed = true;
    this.scheduler.close(new AbortedError('the engine is closing'));
    for (const context of this.contexts) await context.dispose();
    await this.tokenizer.close();
    await this.model.dispose();
    await this.llama.dispose();
  }

  /** Creates (once, or larger when needed) a single-sequence context for prompts longer than a sequence. */
  private async ensureCapacity(tokens: number): Promise<void> {
    while (this.longContextPending) await this.longContextPending;
    if (tokens <= this.scheduler.maxCapacity) return;
    const size = Math.max(LONG_CONTEXT_TOKENS, Math.ceil(tokens / 1024) * 1024);
    this.longContextPending = (async () => {
      const context = await this.model.createContext({ ...this.contextOptions, sequences: 1, contextSize: Math.min(size, this.info.maxContextTokens) });
      this.contexts.push(context);
      this.longContextSize = context.contextSize;
      this.scheduler.addWorkers([{ sequence: context.getSequence(), capacity: context.contextSize }]);
    })();
    try {
      await this.longContextPending;
    } catch (error) {
      throw new ContextOverflowError('maxLength', tokens, this.scheduler.maxCapacity, `cannot allocate a context of ${size} tokens for a ${tokens}-token prompt: ${firstLine(error)}`);
    } finally {
      this.longContextPending = undefined;
    }
  }
}

/**
 * How this file's logit(yes) − logit(no) is read. llama.cpp multiplies the last hidden state by its language-model
 * head (`output.weight`, else the tied embedding); that is the file's answer head unless the file is in the ranking
 * layout with `cls.output.weight` rows that differ from it (an untied head like Qwen3-Reranker-8B's, or rows stored
 * in another type), and then only llama.cpp's ranking output multiplies by the file's head.
 */
function answerSource(modelPath: string, gguf: RerankerGguf): AnswerSource {
  if (languageModelHeadIsAnswerHead(modelPath, gguf)) return { kind: 'logits', tokens: [YES_TOKEN_ID as Token, NO_TOKEN_ID as Token] };
  return { kind: 'ranking-output', rows: gguf.head.rows };
}
