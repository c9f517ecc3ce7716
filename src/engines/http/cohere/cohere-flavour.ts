import { logitFromProbability } from '../../../core/scoring.js';
import { InvalidInputError } from '../../../spec/errors.js';
import { DEFAULT_INSTRUCTION } from '../../../spec/types.js';
import type { RemoteFlavour } from '../remote-flavour.js';
import { readResponse, valuesByIndex } from '../read-response.js';
import { CohereRerankResponse, type CohereRerankRequest } from './cohere-api.js';

/**
 * Any Cohere-v2-compatible reranker. The API has no instruction field, so the server's own prompt applies: for a
 * qwen-ranker peer that is the model card's default instruction; other instructions are refused rather than
 * silently dropped. `relevance_score` is taken as a probability and turned back into a logit.
 */
export const cohereFlavour: RemoteFlavour = {
  kind: 'cohere',
  scorePath: '/v2/rerank',
  // Not part of Cohere's API; qwen-ranker, vLLM and TEI serve it. A 404 here counts as "no health route".
  healthPath: '/health',
  checkInstruction(instruction) {
    if (instruction !== DEFAULT_INSTRUCTION) {
      throw new InvalidInputError(
        'instruction',
        'the Cohere rerank API has no instruction field; only the default instruction can be used with --engine cohere',
      );
    }
  },
  buildRequest(batch, model): CohereRerankRequest {
    return {
      ...(model === undefined ? {} : { model }),
      query: batch.query,
      documents: [...batch.documents],
      top_n: batch.documents.length,
    };
  },
  parseResponse(body, _headers, documentCount) {
    const response = readResponse(CohereRerankResponse, body, 'Cohere /v2/rerank');
    const probabilities = valuesByIndex(
      response.results.map((r) => ({ index: r.index, value: r.relevance_score })),
      documentCount,
      'Cohere /v2/rerank',
    );
    const tokens = response.meta?.tokens?.input_tokens ?? response.meta?.billed_units?.input_tokens;
    return { logits: probabilities.map(logitFromProbability), promptTokens: tokens };
  },
};
