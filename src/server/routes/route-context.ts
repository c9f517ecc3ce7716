import { randomUUID } from 'node:crypto';
import {
  resolveRerankOptions,
  type EvidenceSpan,
  type RerankOptions,
  type RerankOptionFields,
  type Reranker,
  type RerankResult,
  type ResolvedRerankOptions,
} from '../../index.js';
import type { ModelTokenizer } from '../../index.js';
import type { ScoringService } from '../scoring-service.js';
import type { ServedModel } from '../served-model.js';
import type { ResolvedServerLimits } from '../server-limits.js';
import type { ServerMetrics } from '../server-metrics.js';

/** What every scoring route plugin receives from `createApp`. */
export interface RouteContext {
  service: ScoringService;
  limits: ResolvedServerLimits;
  metrics: ServerMetrics;
  /** The served model names; throws the server's 503 while the model loads. */
  servedModel: () => ServedModel;
  /** The model's tokenizer (created on first use); throws `not_supported` (501) when there is none. */
  tokenizer: () => Promise<ModelTokenizer>;
}

/** A request id in the `<kind>-<uuid>` form vLLM uses (`rerank-…`, `score-…`). */
export function responseId(kind: string): string {
  return `${kind}-${randomUUID()}`;
}

/** Options as a wire format spells them, before its "use the default" values are read. */
export interface WireOptions extends Omit<RerankOptions, 'maxLength' | 'topN' | 'signal' | 'onProgress'> {
  /** Cohere `max_tokens_per_doc`, vLLM `truncate_prompt_tokens`, native `max_length`; `-1` and `null` mean the
   * default (vLLM: "-1 = the model's maximum", vllm/entrypoints/openai/protocol.py). */
  maxLength?: number | null;
  /** `0` means all, as in vLLM (`request.top_n if request.top_n > 0 else len(documents)`,
   * vllm/entrypoints/openai/serving_score.py). */
  topN?: number;
}

/** Reads the wire format's sentinels, then resolves every option once (defaults and checks in core), naming
 * the wire's fields in errors. */
export function resolveWireOptions(reranker: Reranker, options: WireOptions, fields: RerankOptionFields): ResolvedRerankOptions {
  const { maxLength, topN, ...rest } = options;
  return resolveRerankOptions(
    { ...rest, maxLength: maxLength === null || maxLength === -1 ? undefined : maxLength, topN: topN === 0 ? undefined : topN },
    reranker.info.maxContextTokens,
    { topN: 'top_n', minScore: 'min_score', ...fields },
  );
}

/** A result's `evidence` key for every response shape: the spans as the library gives them, and no key at all
 * without the option, so an answer to a request without `evidence` is unchanged. */
export function evidenceOf(result: RerankResult): { evidence?: EvidenceSpan[] } {
  return result.evidence ? { evidence: result.evidence } : {};
}
