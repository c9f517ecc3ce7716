import { InvalidInputError } from '../spec/errors.js';
import { DEFAULT_INSTRUCTION, DEFAULT_MAX_LENGTH, type LongDocumentMode, type RerankOptions } from '../spec/types.js';

/** Every scoring option with its default applied and its value checked: what the facade, the server's limit
 * checks and the engines work with. */
export interface ResolvedRerankOptions {
  instruction: string;
  maxLength: number;
  longDocuments: LongDocumentMode;
  /** `undefined`: the engine's default for the window it builds. */
  windowOverlap: number | undefined;
  /** `undefined`: every result. */
  topN: number | undefined;
  minScore: number;
  /** Evidence spans per returned result; `undefined`: no evidence. */
  evidence: number | undefined;
}

/** The caller's name for each option in error messages and `field` (a wire format's `max_tokens_per_doc` or
 * `top_n`). Default: the library's option names. */
export type RerankOptionFields = Partial<Record<keyof ResolvedRerankOptions, string>>;

/**
 * The one place scoring options get their defaults and checks. Entry points (the facade, the server before its
 * workload check) call it once and pass the resolved object on; calling it again on a resolved object returns the
 * same values.
 *
 * `maxContextTokens` is the engine's largest prompt: a `maxLength` above it is refused.
 */
export function resolveRerankOptions(
  options: Omit<RerankOptions, 'signal' | 'onProgress'>,
  maxContextTokens: number,
  fields: RerankOptionFields = {},
): ResolvedRerankOptions {
  const field = (name: keyof ResolvedRerankOptions): string => fields[name] ?? name;

  const maxLength = options.maxLength ?? DEFAULT_MAX_LENGTH;
  if (!Number.isInteger(maxLength) || maxLength < 1 || maxLength > maxContextTokens) {
    throw new InvalidInputError(
      field('maxLength'),
      `${field('maxLength')} must be an integer from 1 to ${maxContextTokens} (the model's context), got ${String(options.maxLength)}`,
    );
  }
  const longDocuments = options.longDocuments ?? 'truncate';
  if (longDocuments !== 'truncate' && longDocuments !== 'windows') {
    throw new InvalidInputError(field('longDocuments'), `${field('longDocuments')} must be "truncate" or "windows", got ${String(longDocuments)}`);
  }
  const windowOverlap = options.windowOverlap;
  if (windowOverlap !== undefined && (!Number.isInteger(windowOverlap) || windowOverlap < 0)) {
    throw new InvalidInputError(field('windowOverlap'), `${field('windowOverlap')} must be a non-negative integer`);
  }
  const topN = options.topN;
  if (topN !== undefined && (!Number.isInteger(topN) || topN < 1)) {
    throw new InvalidInputError(field('topN'), `${field('topN')} must be a positive integer, got ${String(topN)}`);
  }
  const minScore = options.minScore ?? 0;
  if (typeof minScore !== 'number' || !Number.isFinite(minScore)) {
    throw new InvalidInputError(field('minScore'), `${field('minScore')} must be a finite number`);
  }
  const evidence = options.evidence;
  if (evidence !== undefined && (!Number.isSafeInteger(evidence) || evidence < 1)) {
    throw new InvalidInputError(field('evidence'), `${field('evidence')} must be a positive integer, got ${String(evidence)}`);
  }
  return { instruction: resolveInstruction(options.instruction, field('instruction')), maxLength, longDocuments, windowOverlap, topN, minScore, evidence };
}

/** `null`/`undefined` → the model card's instruction; `''` stays empty, as in the reference. */
export function resolveInstruction(instruction: string | null | undefined, field: string): string {
  if (instruction === null || instruction === undefined) return DEFAULT_INSTRUCTION;
  if (typeof instruction !== 'string') throw new InvalidInputError(field, `${field} must be a string`);
  return instruction;
}
