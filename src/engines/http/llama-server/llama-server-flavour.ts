import type { RemoteFlavour } from '../remote-flavour.js';
import { readResponse } from '../read-response.js';
import { relevanceScoresInOrder, onlyDefaultInstruction, queryDocumentsRequest } from '../rerank-api-shared.js';
import { LlamaServerApiRerankResponse, type LlamaServerApiRerankRequest } from './llama-server-api.js';

/**
 * llama-server builds the prompt itself from the GGUF's `tokenizer.chat_template.rerank`, replacing `{query}` and
 * `{document}` (`format_prompt_rerank`, tools/server/server-common.cpp). `convert_hf_to_gguf.py` writes that
 * template for Qwen3-Reranker with the model card's default instruction fixed in it, so the prompt is the model
 * card's for that instruction and no other can be sent (ggml-org/llama.cpp#20009 proposes an `instruction` field;
 * it is not merged). Rank pooling softmaxes the ("yes", "no") head, so `relevance_score` is P(yes) = sigmoid(logit).
 */
export const llamaServerFlavour: RemoteFlavour = {
  kind: 'llama-server',
  scorePath: '/v1/rerank',
  // tools/server/README.md "GET /health": 503 while the model loads, 200 when ready.
  healthPath: '/health',
  checkInstruction: onlyDefaultInstruction(
    'llama-server applies the instruction baked into the GGUF rerank template; only the default instruction can be used with --engine llama-server',
  ),
  // A prompt longer than the physical batch is answered 500 "input (N tokens) is too large to process. increase the
  // physical batch size" (tools/server/server-context.cpp); every endpoint would answer the same.
  isRequestFault: (error) => error.status === 500 && /too large to process|exceeds the available context size/i.test(error.message),
  buildRequest: (batch, model): LlamaServerApiRerankRequest => queryDocumentsRequest(batch, model),
  parseResponse(body, _headers, documentCount) {
    const response = readResponse(LlamaServerApiRerankResponse, body, 'llama-server /v1/rerank');
    return { relevance: relevanceScoresInOrder(response.results, documentCount, 'llama-server /v1/rerank'), promptTokens: response.usage?.prompt_tokens };
  },
};
