// The independent float64 reference for Qwen3-Reranker scores on a GGUF: its own GGUF reader, decoders, forward
// pass and prompt (no code shared with src/ or the test-model generator). Other tests compare engines against it.
import { openGgufFile } from './gguf-file-reader.js';
import { createQwen3Forward, type AnswerHeadChoice, type Qwen3Config } from './qwen3-forward.js';
import { referencePromptTokens, type ReferencePromptInput } from './reranker-prompt.js';
import type { MatrixInputs } from './weight-matrix.js';

export type { MatrixInputs } from './weight-matrix.js';
export type { ReferencePromptInput } from './reranker-prompt.js';

export interface ReferenceOptions {
  /** How inputs of products with Q8_0/Q4_0 matrices are taken (see `MatrixInputs`). Default: 'exact'. */
  matrixInputs?: MatrixInputs;
  /** `'embedding'`: score with the embedding's yes/no rows instead of the file's answer head (to show that a test
   * tells the two apart). Default: 'file'. */
  head?: AnswerHeadChoice;
}

export interface ReferenceScore {
  /** logit("yes") − logit("no") at the last position. */
  logit: number;
  /** sigmoid(logit). */
  score: number;
  inputTokens: number;
  tokens: number[];
}

export interface ReferenceModel {
  config: Qwen3Config;
  /** logit("yes") − logit("no") after `tokens`. */
  logit(tokens: readonly number[], options?: ReferenceOptions): Promise<number>;
  /** Scores one query/document pair with the model card's prompt. */
  score(input: ReferencePromptInput, options?: ReferenceOptions): Promise<ReferenceScore>;
  close(): Promise<void>;
  [Symbol.asyncDispose](): Promise<void>;
}

/** Opens a Qwen3 GGUF (F32/F16/BF16/Q8_0/Q4_0 tensors) for reference scoring. */
export async function openReferenceModel(path: string): Promise<ReferenceModel> {
  const file = openGgufFile(path);
  let forward;
  try {
    forward = createQwen3Forward(file);
  } catch (error) {
    file.close();
    throw error;
  }
  let closed = false;
  const logit = async (tokens: readonly number[], options: ReferenceOptions = {}): Promise<number> => {
    if (closed) throw new Error('reference model is closed');
    return forward.answerLogit(tokens, options.matrixInputs ?? 'exact', options.head ?? 'file');
  };
  const close = async (): Promise<void> => {
    if (closed) return;
    closed = true;
    file.close();
  };
  return {
    config: forward.config,
    logit,
    async score(input, options) {
      const tokens = referencePromptTokens(input);
      const value = await logit(tokens, options);
      return { logit: value, score: 1 / (1 + Math.exp(-value)), inputTokens: tokens.length, tokens };
    },
    close,
    [Symbol.asyncDispose]: close,
  };
}
