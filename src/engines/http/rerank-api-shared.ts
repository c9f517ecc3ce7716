import type { EngineRelevance } from '../../spec/engine.js';
import { InvalidInputError } from '../../spec/errors.js';
import { DEFAULT_INSTRUCTION } from '../../spec/types.js';
import type { RemoteBatch } from './remote-flavour.js';
import { valuesByIndex } from './read-response.js';

/**
 * What Cohere's `/v2/rerank` and llama-server's `/v1/rerank` have in common: a `{model?, query, documents, top_n}`
 * request, results `[{index, relevance_score}]` where the score is P(yes), and no way to pass an instruction.
 */

/** A `checkInstruction` that accepts only the default instruction, saying why in the error. */
export function onlyDefaultInstruction(why: string): (instruction: string) => void {
  return (instruction) => {
    if (instruction !== DEFAULT_INSTRUCTION) throw new InvalidInputError('instruction', why);
  };
}

/** `top_n` = every document, so the answer scores all of them. */
export function queryDocumentsRequest(batch: RemoteBatch, model: string | undefined) {
  return { ...(model === undefined ? {} : { model }), query: batch.query, documents: [...batch.documents], top_n: batch.documents.length };
}

/** `relevance_score`s (probabilities) by index → batch order; throws `malformed` unless every document is scored once. */
export function relevanceScoresInOrder(results: ReadonlyArray<{ index: number; relevance_score: number }>, count: number, what: string): EngineRelevance[] {
  return valuesByIndex(results.map((r) => ({ index: r.index, value: r.relevance_score })), count, what).map((probability) => ({ probability }));
}
