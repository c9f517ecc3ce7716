import type { LlamaModel, Token } from 'node-llama-cpp';
import { createBodyTokenizer, type BodyTokenizer } from './body-tokenizer.js';
import { PromptPlanner } from './prompt-tokens.js';

/** How a local engine tokenizes: its prompt planner, and the body tokenizer behind it (closed with the engine). */
export interface LocalTokenization {
  planner: PromptPlanner;
  bodyTokenizer: BodyTokenizer;
}

/**
 * The tokenization both local engines use: llama.cpp's tokenizer of `model` (a full model on the llama.cpp engine, a
 * vocabulary-only one on the ONNX engine) for the template's fixed strings, and the body tokenizer for user text,
 * so both engines produce the same prompts. Throws `not_a_reranker` when the vocabulary is not Qwen3's.
 */
export async function createLocalTokenization(model: LlamaModel, modelPath: string): Promise<LocalTokenization> {
  const bodyTokenizer = createBodyTokenizer(model, modelPath);
  try {
    const planner = new PromptPlanner(
      {
        tokenize: (text, special) => model.tokenize(text, special),
        tokenizeBody: (text, enough) => bodyTokenizer.tokenize(text, enough),
        // Token ids come from this model's own tokenizer, so they are its Tokens.
        detokenize: (tokens) => model.detokenize(tokens as Token[]),
      },
      modelPath,
    );
    return { planner, bodyTokenizer };
  } catch (error) {
    await bodyTokenizer.close();
    throw error;
  }
}
