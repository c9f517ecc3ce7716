/** Instruction presets offered next to the free-text instruction. */
import { DEFAULT_INSTRUCTION } from '../../src/spec/types.js';

export interface InstructionPreset {
  id: string;
  label: string;
  instruction: string;
}

/**
 * The first three are the wording Qwen trained and evaluated with: the model card default
 * (https://huggingface.co/Qwen/Qwen3-Reranker-0.6B) and the task prompts of the Qwen3-Embedding evaluation
 * (https://github.com/QwenLM/Qwen3-Embedding, evaluation/task_prompts.json: NFCorpus, CosQA — "retrieval" is their
 * spelling). Legal and product docs have no published prompt; they follow the same "Given X, retrieve Y" pattern.
 */
export const INSTRUCTION_PRESETS: readonly InstructionPreset[] = [
  { id: 'web', label: 'Web search (model card default)', instruction: DEFAULT_INSTRUCTION },
  { id: 'qa', label: 'Question answering', instruction: 'Given a question, retrieve relevant documents that best answer the question' },
  { id: 'code', label: 'Code', instruction: "Given a question about coding, retrieval code or passage that can solve user's question" },
  { id: 'legal', label: 'Legal', instruction: 'Given a legal question, retrieve statutes, case law or contract clauses that answer the question' },
  { id: 'product-docs', label: 'Product docs', instruction: 'Given a user question about a software product, retrieve documentation passages that answer the question' },
];

/** The preset whose text equals `instruction`, or `custom`. */
export function presetIdOf(instruction: string): string {
  return INSTRUCTION_PRESETS.find((preset) => preset.instruction === instruction)?.id ?? 'custom';
}
