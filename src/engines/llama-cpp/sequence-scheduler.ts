import type { ControlledEvaluateInputItem, LlamaContext, LlamaContextSequence, Token } from 'node-llama-cpp';
import { RerankerError } from '../../spec/errors.js';
import { commonPrefixLength } from '../../core/prompt-plan.js';
import { evaluatedFrom, type ScoreJob } from '../local/group-scoring.js';
import { FairJobQueue } from '../local/fair-job-queue.js';

/**
 * Where logit(yes) − logit(no) is read after a prompt's last token. `logits`: llama.cpp's language-model head, for
 * the two answer tokens only (exact when that head holds the file's answer rows). `ranking-output`: llama.cpp's
 * ranking head (pooling "rank": the softmax over `cls.output.weight`'s rows at the last token), from a context
 * created for it with one sequence.
 */
export type AnswerSource = { kind: 'logits'; tokens: readonly [yes: Token, no: Token] } | { kind: 'ranking-output'; rows: readonly [yes: number, no: number] };

interface Worker {
  sequence: LlamaContextSequence;
  /** Largest prompt this worker's sequence holds. */
  capacity: number;
  groupId: number | undefined;
}

/**
 * Spreads scoring jobs over context sequences. Every worker owns one sequence and loops: take a job, make the
 * sequence hold the job's shared prefix (reusing whatever common prefix it already holds), evaluate the rest with
 * logits requested for the last token only, read logit(yes) − logit(no), then erase the document tokens so the
 * prefix stays for the next document of the same query.
 *
 * Workers run concurrently; node-llama-cpp batches the tokens that several sequences queue in the same cycle
 * into one llama_decode, so short documents of one or several requests are evaluated together (continuous
 * batching: a job from a new request is taken as soon as any sequence is free).
 */
export class SequenceScheduler {
  /** Where the engine's groups queue their jobs (the queue both local engines use: which request goes next). */
  readonly queue = new FairJobQueue(() => this.dispatch());
  private readonly idle: Worker[] = [];
  private readonly workers: Worker[] = [];
  /** Shared prefixes being evaluated right now, keyed by their tokens: other workers wait and copy. */
  private readonly prefixBuilds = new Map<string, Promise<void>>();
  active = 0;
  evaluatedTokens = 0;
  promptTokens = 0;

  constructor(
    workers: Array<{ sequence: LlamaContextSequence; capacity: number }>,
    private readonly answer: AnswerSource,
  ) {
    this.addWorkers(workers);
  }

  /** Adds sequences (e.g. a larger context for long prompts, created when first needed). */
  addWorkers(workers: Array<{ sequence: LlamaContextSequence; capacity: number }>): void {
    for (const w of workers) {
      const worker = { ...w, groupId: undefined };
      this.workers.push(worker);
      this.idle.push(worker);
    }
    this.dispatch();
  }

  get queueDepth(): number {
    return this.queue.size;
  }

  get maxCapacity(): number {
    return Math.max(...this.workers.map((w) => w.capacity), 0);
  }

  close(error: unknown): void {
    this.queue.close(error);
  }

  private dispatch(): void {
    while (this.queue.size > 0 && this.idle.length > 0) {
      const picked = this.pick();
      if (!picked) return;
      const { worker, job } = picked;
      this.idle.splice(this.idle.indexOf(worker), 1);
      void this.run(worker, job);
    }
  }

  /**
   * Chooses the next (worker, job): the queue's next group (fewest queued jobs first, see FairJobQueue) whose next
   * prompt fits an idle worker. A group with fewer queued jobs than idle workers leaves the rest to the next group,
   * so a new request starts as soon as the engine has room. Within the group, an idle worker that already holds its
   * prefix is preferred, else the smallest that fits.
   */
  private pick(): { worker: Worker; job: ScoreJob } | undefined {
    let worker: Worker | undefined;
    const taken = this.queue.take((job) => {
      const fitting = this.idle.filter((w) => w.capacity >= job.tokens.length);
      if (fitting.length === 0) return undefined;
      worker = fitting.find((w) => w.groupId === job.groupId) ?? fitting.reduce((a, b) => (a.capacity <= b.capacity ? a : b));
      return [job];
    });
    return taken && worker ? { worker, job: taken[0]! } : undefined;
  }

  private async run(worker: Worker, job: ScoreJob): Promise<void> {
    this.active++;
    try {
      job.resolve(await this.evaluate(worker, job));
    } catch (error) {
      worker.groupId = undefined;
      job.reject(error);
    } finally {
      this.active--;
      this.idle.push(worker);
      this.dispatch();
    }
  }

  private async evaluate(worker: Worker, job: ScoreJob): Promise<number> {
    const { sequence } = worker;
    worker.groupId = job.groupId;
    await this.loadSharedPrefix(worker, job);
    const held = sequence.contextTokens;
    // Reuse the longest common prefix already in the KV cache, but always evaluate at least the last token.
    const reuse = evaluatedFrom(job, commonPrefixLength(held, job.tokens));
    if (reuse < held.length) await sequence.eraseContextTokenRanges([{ start: reuse, end: held.length }]);
    // Token ids come from this model's own tokenizer (engines/local/prompt-tokens.ts), so they are its Tokens.
    const rest = job.tokens.slice(reuse) as Token[];
    this.evaluatedTokens += rest.length;
    this.promptTokens += job.tokens.length;
    const logit = await this.evaluateAnswer(sequence, rest);
    // Keep the shared prefix for the next document of this query; drop this document's tokens.
    await sequence.eraseContextTokenRanges([{ start: job.sharedLength, end: sequence.nextTokenIndex }]);
    return logit;
  }

  /** Evaluates the rest of a prompt and reads logit(yes) − logit(no) at its last token. */
  private async evaluateAnswer(sequence: LlamaContextSequence, rest: Token[]): Promise<number> {
    if (this.answer.kind === 'ranking-output') {
      await sequence.controlledEvaluate(rest);
      return rankingOutputLogit(sequence.context, this.answer.rows);
    }
    const [yes, no] = this.answer.tokens;
    // Logits only at the last position, only for the two answer tokens: llama.cpp then computes the output head
    // for that one row (its `inp_out_ids`), not for every prompt token as LlamaRankingContext does.
    const input: ControlledEvaluateInputItem[] = rest.map((token, i) =>
      i === rest.length - 1 ? [token, { generateNext: { logits: { filter: { tokens: [yes, no] } } } }] : token,
    );
    const output = await sequence.controlledEvaluate(input);
    const logits = output[output.length - 1]?.next.logits;
    const yesLogit = logits?.get(yes);
    const noLogit = logits?.get(no);
    if (yesLogit === undefined || noLogit === undefined) throw new RerankerError('engine_failed', 'llama.cpp returned no logits for the answer tokens');
    return yesLogit - noLogit;
  }

  /**
   * Makes the worker's sequence hold the job's shared prefix (system prompt + instruction + query) without
   * evaluating it more than once per context: the first worker that needs a prefix evaluates it alone, the
   * others wait for it and copy its KV cells (llama_memory_seq_cp), which costs a memory copy instead of a
   * forward pass over ~60–100 tokens per sequence.
   */
  private async loadSharedPrefix(worker: Worker, job: ScoreJob): Promise<void> {
    const shared = job.tokens.slice(0, job.sharedLength) as Token[];
    const own = commonPrefixLength(worker.sequence.contextTokens, shared);
    if (own === shared.length) return;
    const key = shared.join(',');
    const building = this.prefixBuilds.get(key);
    if (building) await building.catch(() => undefined);
    // KV cells copy only between sequences of one context.
    const source = this.workers.find(
      (w) =>
        w !== worker &&
        w.sequence.context === worker.sequence.context &&
        w.capacity >= job.sharedLength &&
        commonPrefixLength(w.sequence.contextTokens, shared) === shared.length,
    );
    if (source && (await copySequenceState(worker.sequence, source.sequence, shared.length))) return;
    if (building) return; // copying failed: the job's own evaluation covers the prefix
    const build = (async () => {
      const held = worker.sequence.contextTokens;
      if (own < held.length) await worker.sequence.eraseContextTokenRanges([{ start: own, end: held.length }]);
      this.evaluatedTokens += shared.length - own;
      await worker.sequence.controlledEvaluate(shared.slice(own));
    })();
    this.prefixBuilds.set(key, build);
    try {
      await build;
    } finally {
      this.prefixBuilds.delete(key);
    }
  }
}

/** node-llama-cpp 3.22's internal `LlamaContextSequence._copyStateFromOtherSequence` (dist/evaluator/LlamaContext/
 * LlamaContext.js): copies the source's KV cells under the context lock, then erases the target past
 * `upToTokenIndex`; resolves false when the copy did not line up. Absent in other versions → evaluate instead. */
async function copySequenceState(target: LlamaContextSequence, source: LlamaContextSequence, upToTokenIndex: number): Promise<boolean> {
  const internal = target as unknown as { _copyStateFromOtherSequence?: (other: LlamaContextSequence, upTo: number) => Promise<boolean> };
  if (typeof internal._copyStateFromOtherSequence !== 'function') return false;
  let copied: boolean;
  try {
    copied = (await internal._copyStateFromOtherSequence(source, upToTokenIndex)) && target.nextTokenIndex === upToTokenIndex;
  } catch {
    copied = false;
  }
  // A failed copy may leave the target's token list claiming cells it does not hold: start it clean.
  if (!copied) await target.clearHistory();
  return copied;
}

/** The smallest positive float32 (a subnormal): llama.cpp's softmax underflows to 0 below it. */
const FLOAT32_MIN_POSITIVE = 1.401298464324817e-45;

/**
 * logit(yes) − logit(no) from llama.cpp's ranking output of the context's sequence 0: for Qwen3, the softmax over
 * `cls.output.weight`'s rows (src/llama-graph.cpp `build_pooling`, "softmax for qwen3 reranker"), one float per
 * label (src/llama-context.cpp: "extract the rerank score - n_cls_out floats per sequence"). ln p(yes) − ln p(no)
 * returns the difference of the two rows' products to float32 rounding (about 1e-7 relative); past ±103 a
 * probability underflows and the logit saturates there (the score is 0 or 1 either way). Read through node-llama-cpp
 * 3.22's internal binding `LlamaContext._ctx.getEmbedding`, the call its LlamaRankingContext makes; it reads
 * sequence 0 only, which is why such a context holds one sequence.
 */
function rankingOutputLogit(context: LlamaContext, [yes, no]: readonly [number, number]): number {
  const binding = (context as unknown as { _ctx?: { getEmbedding?: (inputTokens: number, maxSize?: number) => Float64Array } })._ctx;
  if (typeof binding?.getEmbedding !== 'function') throw new RerankerError('engine_failed', 'this node-llama-cpp version does not expose the ranking output');
  const probabilities = binding.getEmbedding(1);
  const pYes = probabilities[yes];
  const pNo = probabilities[no];
  if (pYes === undefined || pNo === undefined) throw new RerankerError('engine_failed', `llama.cpp returned ${probabilities.length} ranking outputs, not the yes/no pair`);
  return Math.log(Math.max(pYes, FLOAT32_MIN_POSITIVE)) - Math.log(Math.max(pNo, FLOAT32_MIN_POSITIVE));
}
