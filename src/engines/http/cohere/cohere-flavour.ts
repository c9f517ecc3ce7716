import type { RemoteFlavour } from '../remote-flavour.js';
import { readResponse } from '../read-response.js';
import { relevanceScoresInOrder, onlyDefaultInstruction, queryDocumentsRequest } from '../rerank-api-shared.js';
import { CohereApiRerankResponse, type CohereApiRerankRequest } from './cohere-api.js';

/**
 * Any Cohere-v2-compatible reranker. The API has no instruction field, so the server's own prompt applies: for a
 * qwen-ranker peer that is the model card's default instruction; other instructions are refused rather than
 * silently dropped. `relevance_score` is taken as the probability.
 */
export const cohereFlavour: RemoteFlavour = {
  kind: 'cohere',
  scorePath: '/v2/rerank',
  // Not part of Cohere's API; qwen-ranker, vLLM and TEI serve it. A 404 here counts as "no health route".
  healthPath: '/health',
  checkInstruction: onlyDefaultInstruction(
    'the Cohere rerank API has no instruction field; only the default instruction can be used with --engine cohere',
  ),
  buildRequest: (batch, model): CohereApiRerankRequest => queryDocumentsRequest(batch, model),
  parseResponse(body, _headers, documentCount) {
    const response = readResponse(CohereApiRerankResponse, body, 'Cohere /v2/rerank');
    const tokens = response.meta?.tokens?.input_tokens ?? response.meta?.billed_units?.input_tokens;
    return { relevance: relevanceScoresInOrder(response.results, documentCount, 'Cohere /v2/rerank'), promptTokens: tokens };
  },
};
