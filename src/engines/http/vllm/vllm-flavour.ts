import type { RemoteFlavour } from '../remote-flavour.js';
import { qwen3DocumentHalf, qwen3QueryHalf } from '../qwen3-prompt-pair.js';
import { readResponse, valuesByIndex } from '../read-response.js';
import { VllmApiScoreResponse, type VllmApiScoreRequest } from './vllm-api.js';

/**
 * vLLM serving Qwen3-Reranker as a sequence classifier (`--hf_overrides` with `is_original_qwen3_reranker`) and
 * without `--chat-template`: vLLM then applies no template of its own and scores `text_1 + text_2`, so the client
 * sends the model-card prompt halves and every instruction reaches the model. (With `--chat-template
 * qwen3_reranker.jinja` vLLM would wrap the halves a second time.)
 */
export const vllmFlavour: RemoteFlavour = {
  kind: 'vllm',
  scorePath: '/score',
  // vllm/entrypoints/serve/instrumentator/health.py: 200 when the engine is alive.
  healthPath: '/health',
  checkInstruction() {},
  buildRequest(batch, model): VllmApiScoreRequest {
    return {
      ...(model === undefined ? {} : { model }),
      text_1: qwen3QueryHalf(batch.instruction, batch.query),
      text_2: batch.documents.map(qwen3DocumentHalf),
      truncate_prompt_tokens: batch.maxLength,
    };
  },
  parseResponse(body, _headers, documentCount) {
    const response = readResponse(VllmApiScoreResponse, body, 'vLLM /score');
    const probabilities = valuesByIndex(
      response.data.map((d) => ({ index: d.index, value: d.score })),
      documentCount,
      'vLLM /score',
    );
    return { relevance: probabilities.map((probability) => ({ probability })), promptTokens: response.usage?.prompt_tokens };
  },
};
