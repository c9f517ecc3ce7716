import { randomUUID } from 'node:crypto';
import { InvalidInputError, type Reranker } from '../../index.js';
import type { ScoringService } from '../scoring-service.js';
import type { ResolvedServerLimits } from '../server-limits.js';
import type { ServerMetrics } from '../server-metrics.js';

/** What every scoring route plugin receives from `createApp`. */
export interface RouteContext {
  service: ScoringService;
  limits: ResolvedServerLimits;
  metrics: ServerMetrics;
}

/** A request id in the `<kind>-<uuid>` form vLLM uses (`rerank-…`, `score-…`). */
export function responseId(kind: string): string {
  return `${kind}-${randomUUID()}`;
}

export function documentText(document: string | { text: string }): string {
  return typeof document === 'string' ? document : document.text;
}

/**
 * The prompt cap a wire field asks for (Cohere `max_tokens_per_doc`, vLLM `truncate_prompt_tokens`, native
 * `max_length`), checked against the model's context. `-1`/`null`/absent: the library default.
 */
export function resolveMaxLength(reranker: Reranker, field: string, value: number | null | undefined): number | undefined {
  if (value === undefined || value === null || value === -1) return undefined;
  const max = reranker.info.maxContextTokens;
  if (value < 1 || value > max) throw new InvalidInputError(field, `${field} must be between 1 and ${max} (the model's context), got ${value}`);
  return value;
}
