import type { EngineScore, ScoreGroup } from '../../spec/engine.js';
import { ContextOverflowError, ModelLoadError, throwIfAborted } from '../../spec/errors.js';
import { planPrompts, type PlannedPrompt } from '../../core/prompt-plan.js';
import { formatBody, NO_TOKEN_ID, QWEN3_RERANKER_PREFIX, QWEN3_RERANKER_SUFFIX, YES_TOKEN_ID } from '../../core/template.js';

/** The model's own tokenizer (llama.cpp's, through node-llama-cpp), as every local engine uses it. */
export interface PromptTokenizer {
  /** Short fixed strings: `specialTokens: true` parses `<|im_start|>`-style control tokens. */
  tokenize(text: string, specialTokens: boolean): readonly number[];
  /** User text, plain (control tokens stay literal). With `enough`, may return only a prefix of the tokens, but
   * then at least `enough` of them, each equal to the whole text's. */
  tokenizeBody(text: string, enough?: number): Promise<readonly number[]>;
  detokenize(tokens: readonly number[]): string;
}

/**
 * Turns score groups into token prompts (the reference's truncation, windows, shared-prefix length) and window
 * logits back into one score per document. Shared by the local engines so that they tokenize identically.
 */
export class PromptPlanner {
  private readonly prefix: readonly number[];
  private readonly suffix: readonly number[];

  /** Refuses a vocabulary where "yes"/"no" are not the single tokens the model card names. */
  constructor(
    private readonly tokenizer: PromptTokenizer,
    modelPath: string,
  ) {
    const yes = tokenizer.tokenize('yes', false);
    const no = tokenizer.tokenize('no', false);
    if (yes.length !== 1 || yes[0] !== YES_TOKEN_ID || no.length !== 1 || no[0] !== NO_TOKEN_ID) {
      throw new ModelLoadError('not_a_reranker', `${modelPath} does not have the Qwen3 vocabulary ("yes" = ${YES_TOKEN_ID}, "no" = ${NO_TOKEN_ID})`);
    }
    this.prefix = tokenizer.tokenize(QWEN3_RERANKER_PREFIX, true);
    this.suffix = tokenizer.tokenize(QWEN3_RERANKER_SUFFIX, true);
  }

  /**
   * The prompts of a group for an engine whose context holds `maxContextTokens`: `plan` between two cancellation
   * checks (tokenizing can take a while), refusing any prompt longer than the context.
   */
  async planWithin(group: ScoreGroup, maxContextTokens: number, signal: AbortSignal | undefined): Promise<{ plans: PlannedPrompt[][]; longest: number }> {
    throwIfAborted(signal);
    const plans = await this.plan(group);
    throwIfAborted(signal);
    const longest = Math.max(...plans.flat().map((p) => p.tokens.length), 0);
    if (longest > maxContextTokens) {
      throw new ContextOverflowError('maxLength', longest, maxContextTokens, `a prompt of ${longest} tokens exceeds the model's context of ${maxContextTokens}`);
    }
    return { plans, longest };
  }

  /** The prompt(s) of each document, in input order (several per document in `windows` mode). */
  async plan(group: ScoreGroup): Promise<PlannedPrompt[][]> {
    const anchorBody = await this.tokenizer.tokenizeBody(formatBody(group.instruction, group.query, ''));
    // Truncation keeps at most this many body tokens, so a longer body needs only its first tokens (one more
    // shows that it was cut); windows read the whole body.
    const enough = group.longDocuments === 'truncate' ? group.maxLength - this.prefix.length - this.suffix.length + 1 : undefined;
    const plans: PlannedPrompt[][] = [];
    for (const document of group.documents) {
      plans.push(
        planPrompts({
          prefix: this.prefix,
          suffix: this.suffix,
          anchorBody,
          // The body is tokenized in one piece, like the reference, so token counts match exactly; user text is
          // plain text, so "<|im_end|>" inside a document stays literal characters.
          body: await this.tokenizer.tokenizeBody(formatBody(group.instruction, group.query, document), enough),
          maxLength: group.maxLength,
          mode: group.longDocuments,
          windowOverlap: group.windowOverlap,
        }),
      );
    }
    return plans;
  }

  /** A document split into windows scores as its best window; its token usage is the sum over windows. */
  combineWindows(prompts: readonly PlannedPrompt[], logits: readonly number[]): EngineScore {
    let best = 0;
    for (let i = 1; i < logits.length; i++) if (logits[i]! > logits[best]!) best = i;
    const inputTokens = prompts.reduce((sum, p) => sum + p.tokens.length, 0);
    const window = prompts[best]!.window;
    if (!window) return { logit: logits[best]!, inputTokens };
    const { documentTokens, ...position } = window;
    return { logit: logits[best]!, inputTokens, window: { ...position, text: this.tokenizer.detokenize(documentTokens) } };
  }
}
