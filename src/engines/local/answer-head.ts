import { ModelLoadError } from '../../spec/errors.js';
import { NO_TOKEN_ID, YES_TOKEN_ID } from '../../core/template.js';

/** The tensor whose two rows give logit(yes) and logit(no), and those rows' indices. */
export interface AnswerHead {
  tensor: 'cls.output.weight' | 'output.weight' | 'token_embd.weight';
  rows: [yes: number, no: number];
}

/** The tensor llama.cpp's language-model head multiplies by: `output.weight`, else the tied embedding
 * (src/models/qwen3.cpp `load_arch_tensors`: "if output is NULL, init from the input tok embed"). */
export function languageModelHeadTensor(hasTensor: (name: string) => boolean): 'output.weight' | 'token_embd.weight' {
  return hasTensor('output.weight') ? 'output.weight' : 'token_embd.weight';
}

/**
 * The file's answer head. llama.cpp's ranking layout stores the yes/no rows as `cls.output.weight`, labelled by
 * `<arch>.classifier.output_labels` (convert_hf_to_gguf.py `Qwen3Model`, which takes them from the checkpoint's
 * lm_head); it need not equal the embedding's rows (Qwen3-Reranker-8B does not tie its head). The plain causal
 * layout's head is the language-model head's rows of the two answer tokens.
 */
export function resolveAnswerHead(modelPath: string, hasTensor: (name: string) => boolean, archMetadata: Record<string, unknown>): AnswerHead {
  if (!hasTensor('cls.output.weight')) return { tensor: languageModelHeadTensor(hasTensor), rows: [YES_TOKEN_ID, NO_TOKEN_ID] };
  const labels = ((archMetadata.classifier ?? {}) as Record<string, unknown>).output_labels;
  const list = Array.isArray(labels) ? labels.map(String) : ['yes', 'no'];
  const yes = list.indexOf('yes');
  const no = list.indexOf('no');
  if (yes < 0 || no < 0) throw new ModelLoadError('not_a_reranker', `${modelPath}'s classifier labels are ${list.join(', ')}, not yes/no`);
  return { tensor: 'cls.output.weight', rows: [yes, no] };
}
