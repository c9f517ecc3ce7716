import { InvalidInputError } from '../../spec/errors.js';
import { DEFAULT_MAX_LENGTH } from '../../spec/types.js';
import type { TokenCounter, TokenPiece } from './qwen3-token-counter.js';

export interface ChunkingOptions {
  /** Largest chunk in Qwen3 tokens. Default: 384. */
  chunkTokens?: number;
  /** Tokens shared by consecutive chunks of a section, so a sentence cut by a boundary is whole in one of them.
   * Default: 64. */
  overlapTokens?: number;
}

export const DEFAULT_CHUNK_TOKENS = 384;
export const DEFAULT_OVERLAP_TOKENS = 64;
/** Largest chunk: the reranker's default prompt cap, beyond which a chunk would be cut before it is read. */
export const MAX_CHUNK_TOKENS = DEFAULT_MAX_LENGTH;

/**
 * Applies the defaults and refuses settings no chunk can satisfy (`InvalidInputError` naming the setting, by its
 * name in `names` — a CLI passes its flags). Called before a knowledge base is created, so a bad setting is never
 * stored.
 */
export function resolveChunkingOptions(
  options: ChunkingOptions,
  names: { chunkTokens: string; overlapTokens: string } = { chunkTokens: 'chunkTokens', overlapTokens: 'overlapTokens' },
): Required<ChunkingOptions> {
  const size = options.chunkTokens ?? DEFAULT_CHUNK_TOKENS;
  const overlap = options.overlapTokens ?? DEFAULT_OVERLAP_TOKENS;
  if (!Number.isInteger(size) || size < 1 || size > MAX_CHUNK_TOKENS) {
    throw new InvalidInputError(names.chunkTokens, `${names.chunkTokens} must be an integer from 1 to ${MAX_CHUNK_TOKENS}, got ${size}`);
  }
  if (!Number.isInteger(overlap) || overlap < 0 || overlap >= size) {
    throw new InvalidInputError(
      names.overlapTokens,
      `${names.overlapTokens} must be an integer from 0 to ${size - 1} (less than the chunk size ${size}), got ${overlap}`,
    );
  }
  return { chunkTokens: size, overlapTokens: overlap };
}

export interface TextChunk {
  text: string;
  /** UTF-16 offsets of `text` in the section. */
  start: number;
  end: number;
  /** Qwen3 tokens of `text`: at most `chunkTokens`, give or take one where trimming the window's leading space
   * changes how its first word tokenizes. */
  tokens: number;
}

/** A window that ends at a sentence end within its last quarter ends there instead of mid-sentence. */
const SNAP_SHARE = 0.25;
const SENTENCE_END = /(?:[.!?…。！？]["'”’)\]」』]*|\n)\s*$/u;

/**
 * Cuts a section into token windows of at most `chunkTokens`, overlapping by about `overlapTokens`. Windows
 * start and end between pre-tokens (see `qwen3-token-counter.ts`), so chunks are exact substrings of the text.
 */
export function chunkText(text: string, counter: TokenCounter, options: ChunkingOptions = {}): TextChunk[] {
  const { chunkTokens: size, overlapTokens: overlap } = resolveChunkingOptions(options);
  const pieces = splitOversizedPieces(text, counter.pieces(text), counter, size);
  // before[i] = tokens of pieces[0..i)
  const before = [0];
  for (const piece of pieces) before.push(before[before.length - 1]! + piece.tokens);

  const chunks: TextChunk[] = [];
  let first = 0;
  while (first < pieces.length) {
    let end = first;
    while (end < pieces.length && before[end + 1]! - before[first]! <= size) end++;
    if (end === first) end = first + 1; // a slice of an oversized piece that still does not fit stands alone
    if (end < pieces.length) end = snapToSentenceEnd(text, pieces, before, first, end, size);
    const chunk = makeChunk(text, pieces, first, end, counter);
    if (chunk) chunks.push(chunk);
    if (end >= pieces.length) break;
    // Step back from `end` while the shared tail stays within `overlap` tokens; always move forward.
    let next = end;
    while (next - 1 > first && before[end]! - before[next - 1]! <= overlap) next--;
    first = next;
  }
  return chunks;
}

function snapToSentenceEnd(text: string, pieces: TokenPiece[], before: number[], first: number, end: number, size: number): number {
  for (let candidate = end; candidate > first + 1; candidate--) {
    if (before[candidate]! - before[first]! < size * (1 - SNAP_SHARE)) break;
    if (SENTENCE_END.test(text.slice(pieces[candidate - 1]!.start, pieces[candidate - 1]!.end))) return candidate;
  }
  return end;
}

function makeChunk(text: string, pieces: TokenPiece[], first: number, end: number, counter: TokenCounter): TextChunk | undefined {
  const raw = text.slice(pieces[first]!.start, pieces[end - 1]!.end);
  const trimmedStart = raw.length - raw.trimStart().length;
  const body = raw.trim();
  if (!body) return undefined;
  const start = pieces[first]!.start + trimmedStart;
  return { text: body, start, end: start + body.length, tokens: counter.count(body) };
}

/**
 * A single pre-token longer than a window (a long unbroken letter run: base64, a URL-less hash, an unspaced
 * script) is cut into code-point slices sized by its average tokens per character.
 */
function splitOversizedPieces(text: string, pieces: TokenPiece[], counter: TokenCounter, size: number): TokenPiece[] {
  if (pieces.every((piece) => piece.tokens <= size)) return pieces;
  const result: TokenPiece[] = [];
  for (const piece of pieces) {
    if (piece.tokens <= size) {
      result.push(piece);
      continue;
    }
    const codePoints = [...text.slice(piece.start, piece.end)];
    const step = Math.max(1, Math.floor((codePoints.length * size) / piece.tokens / 2));
    let offset = piece.start;
    for (let i = 0; i < codePoints.length; i += step) {
      const slice = codePoints.slice(i, i + step).join('');
      result.push({ start: offset, end: offset + slice.length, tokens: counter.count(slice) });
      offset += slice.length;
    }
  }
  return result;
}
