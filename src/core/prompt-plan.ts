import { ContextOverflowError, InvalidInputError } from '../spec/errors.js';
import type { LongDocumentMode } from '../spec/types.js';

/** Smallest document window worth scoring; below this the query and instruction leave no room. */
export const MIN_WINDOW_TOKENS = 32;

/** One prompt to evaluate: its tokens and how many leading tokens it shares with every prompt of the same
 * (instruction, query) — the part whose KV cache an engine can evaluate once and reuse. */
export interface PlannedPrompt {
  tokens: number[];
  sharedLength: number;
  window?: { index: number; count: number; startToken: number; endToken: number; documentTokens: number[] };
}

export interface PromptPlanInput {
  /** Tokens of `QWEN3_RERANKER_PREFIX` (special tokens parsed). */
  prefix: readonly number[];
  /** Tokens of `QWEN3_RERANKER_SUFFIX` (special tokens parsed). */
  suffix: readonly number[];
  /** Plain-text tokens of `formatBody(instruction, query, '')`: the query part every document's body starts with. */
  anchorBody: readonly number[];
  /** Plain-text tokens of `formatBody(instruction, query, document)`, tokenized in one piece like the reference. */
  body: readonly number[];
  maxLength: number;
  mode: LongDocumentMode;
  windowOverlap: number | undefined;
}

export function commonPrefixLength(a: readonly number[], b: readonly number[]): number {
  const n = Math.min(a.length, b.length);
  let i = 0;
  while (i < n && a[i] === b[i]) i++;
  return i;
}

/**
 * Builds the prompt(s) for one document.
 *
 * `truncate` follows the reference exactly: the body (instruction + query + document, tokenized together) is cut
 * to `maxLength − |prefix| − |suffix|` tokens from the right (`truncation='longest_first'` on a single sequence),
 * prefix and suffix are never cut.
 * `windows` keeps the query part whole and splits the document's tokens into overlapping windows that each fill
 * the remaining room; the engine scores every window and the document takes the best one.
 */
export function planPrompts(input: PromptPlanInput): PlannedPrompt[] {
  const { prefix, suffix, anchorBody, body, maxLength } = input;
  const maxBody = maxLength - prefix.length - suffix.length;
  if (maxBody < 1) {
    throw new ContextOverflowError(
      'maxLength',
      prefix.length + suffix.length + 1,
      maxLength,
      `maxLength ${maxLength} leaves no room for the body: the prompt's fixed prefix and suffix alone take ${prefix.length + suffix.length} tokens`,
    );
  }
  const queryPart = commonPrefixLength(anchorBody, body);
  if (input.mode === 'truncate' || body.length <= maxBody) {
    const kept = body.length <= maxBody ? body : body.slice(0, maxBody);
    const tokens = [...prefix, ...kept, ...suffix];
    return [{ tokens, sharedLength: prefix.length + Math.min(queryPart, kept.length) }];
  }

  const windowSize = maxBody - queryPart;
  if (windowSize < MIN_WINDOW_TOKENS) {
    throw new ContextOverflowError(
      'query',
      prefix.length + queryPart + suffix.length + MIN_WINDOW_TOKENS,
      maxLength,
      `the instruction and query take ${queryPart} tokens, leaving ${windowSize} of maxLength ${maxLength} for document windows (at least ${MIN_WINDOW_TOKENS} needed)`,
    );
  }
  const overlap = input.windowOverlap ?? Math.min(256, Math.floor(windowSize / 4));
  if (!Number.isInteger(overlap) || overlap < 0 || overlap >= windowSize) {
    throw new InvalidInputError('windowOverlap', `windowOverlap ${overlap} must be a non-negative integer smaller than the window (${windowSize} tokens)`);
  }
  const head = body.slice(0, queryPart);
  const document = body.slice(queryPart);
  const stride = windowSize - overlap;
  const ranges: Array<[number, number]> = [];
  for (let start = 0; ; start += stride) {
    const end = Math.min(start + windowSize, document.length);
    ranges.push([start, end]);
    if (end === document.length) break;
  }
  return ranges.map(([start, end], index) => {
    const documentTokens = document.slice(start, end);
    return {
      tokens: [...prefix, ...head, ...documentTokens, ...suffix],
      sharedLength: prefix.length + queryPart,
      window: { index, count: ranges.length, startToken: start, endToken: end, documentTokens },
    };
  });
}
