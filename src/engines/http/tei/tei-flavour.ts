import type { RemoteFlavour } from '../remote-flavour.js';
import { qwen3DocumentHalf, qwen3QueryHalf } from '../qwen3-prompt-pair.js';
import { readResponse, valuesByIndex } from '../read-response.js';
import { TEI_TOKENS_HEADER, TeiApiRerankResponse, type TeiApiRerankRequest } from './tei-api.js';

/**
 * TEI serving a sequence-classification conversion of Qwen3-Reranker (one logit: logit_yes − logit_no, e.g.
 * `tomaarsen/Qwen3-Reranker-0.6B-seq-cls`). TEI applies no prompt template: it encodes `(query, text)` as a
 * tokenizer pair, which for Qwen3 is plain concatenation, so the client sends the model-card prompt halves and
 * every instruction reaches the model. `raw_scores` returns the logit itself.
 */
export const teiFlavour: RemoteFlavour = {
  kind: 'tei',
  scorePath: '/rerank',
  // router/src/http/server.rs `health`: 200 when the backend is healthy, 503 otherwise.
  healthPath: '/health',
  checkInstruction() {},
  buildRequest(batch): TeiApiRerankRequest {
    return {
      query: qwen3QueryHalf(batch.instruction, batch.query),
      texts: batch.documents.map(qwen3DocumentHalf),
      raw_scores: true,
      truncate: true,
      truncation_direction: 'Left',
    };
  },
  parseResponse(body, headers, documentCount) {
    const ranks = readResponse(TeiApiRerankResponse, body, 'TEI /rerank');
    const logits = valuesByIndex(
      ranks.map((r) => ({ index: r.index, value: r.score })),
      documentCount,
      'TEI /rerank',
    );
    const tokens = Number(headers.get(TEI_TOKENS_HEADER) ?? Number.NaN);
    return { relevance: logits.map((logit) => ({ logit })), promptTokens: Number.isInteger(tokens) && tokens >= 0 ? tokens : undefined };
  },
};
