import { estimateTextTokens } from './token-estimate.js';

/** A piece of a text, by offsets in its JavaScript string: `text === source.slice(start, end)`. */
export interface TextSpan {
  start: number;
  end: number;
  text: string;
}

export interface SplitEvidenceSpansOptions {
  /** BCP 47 tag of the text's language, for the sentence rules of `Intl.Segmenter`; an unknown or malformed tag
   * falls back to the default rules. Default: the runtime's default locale. */
  language?: string;
  /** Estimated tokens (`estimateTextTokens`) above which a sentence is cut into windows. Default:
   * `EVIDENCE_SPAN_MAX_TOKENS`. */
  maxTokens?: number;
}

/** A sentence past this many estimated tokens is cut into windows: evidence should point at a sentence, not a
 * page, and short spans pack many to a run. The estimate errs high for English, so this is ~45 real tokens. */
export const EVIDENCE_SPAN_MAX_TOKENS = 64;

/** A span with fewer letters and digits than this (a list marker, "1.", a lone brace) is not evidence alone. */
const MIN_WORD_CHARACTERS = 3;
const WORD_CHARACTER = /[\p{L}\p{N}]/gu;
/** A Markdown ATX heading line (https://spec.commonmark.org/0.31.2/#atx-headings): a title, read with what follows. */
const HEADING = /^#{1,6}(?:\s|$)/;

/**
 * The spans evidence is scored on: the sentences of `text` (`Intl.Segmenter`, sentence granularity; a line break
 * also ends a sentence there, UAX #29 rule SB4, so list items and code lines are spans of their own), trimmed of
 * surrounding whitespace. A fragment with fewer than three letters or digits, or a Markdown heading line, is merged
 * into the next span (the last one into the previous). A span over `maxTokens` estimated tokens is cut into windows
 * at whitespace, or between any two code points where there is none (Chinese, Japanese, long identifiers).
 */
export function splitEvidenceSpans(text: string, options: SplitEvidenceSpansOptions = {}): TextSpan[] {
  const maxTokens = options.maxTokens ?? EVIDENCE_SPAN_MAX_TOKENS;
  const merged: Array<[start: number, end: number]> = [];
  let pendingStart: number | undefined;
  let pendingEnd = 0;
  for (const { segment, index } of sentenceSegmenter(options.language).segment(text)) {
    const [start, end] = trimmed(segment, index);
    if (start === end) continue;
    const sentence = text.slice(start, end);
    if (countWordCharacters(sentence) < MIN_WORD_CHARACTERS || HEADING.test(sentence)) {
      pendingStart ??= start;
      pendingEnd = end;
      continue;
    }
    merged.push([pendingStart ?? start, end]);
    pendingStart = undefined;
  }
  if (pendingStart !== undefined) {
    const last = merged.at(-1);
    if (last) last[1] = pendingEnd;
    else merged.push([pendingStart, pendingEnd]);
  }
  return merged.flatMap(([start, end]) => windows(text, start, end, maxTokens));
}

function sentenceSegmenter(language: string | undefined): Intl.Segmenter {
  try {
    return new Intl.Segmenter(language, { granularity: 'sentence' });
  } catch {
    // A malformed tag throws a RangeError; a document's language is a hint, never a reason to fail the request.
    return new Intl.Segmenter(undefined, { granularity: 'sentence' });
  }
}

/** Offsets of `segment` (found at `index`) without its leading and trailing whitespace. */
function trimmed(segment: string, index: number): [number, number] {
  const lead = segment.length - segment.trimStart().length;
  const body = segment.trim().length;
  return [index + lead, index + lead + body];
}

function countWordCharacters(text: string): number {
  return text.match(WORD_CHARACTER)?.length ?? 0;
}

/** `text.slice(start, end)` as one span, or cut greedily into windows of at most `maxTokens` estimated tokens. */
function windows(text: string, start: number, end: number, maxTokens: number): TextSpan[] {
  if (estimateTextTokens(text.slice(start, end)) <= maxTokens) return [{ start, end, text: text.slice(start, end) }];
  const spans: TextSpan[] = [];
  let windowStart = start;
  let windowEnd = start;
  for (const [unitStart, unitEnd] of units(text, start, end, maxTokens)) {
    if (windowEnd > windowStart && estimateTextTokens(text.slice(windowStart, unitEnd).trimEnd()) > maxTokens) {
      spans.push(span(text, windowStart, windowEnd));
      windowStart = unitStart;
    }
    windowEnd = unitEnd;
  }
  spans.push(span(text, windowStart, windowEnd));
  return spans;
}

/** The pieces a window is built of: words with their trailing whitespace; a word too long for one window (no
 * spaces: Chinese, Japanese, a URL) goes code point by code point, so no window ends inside a surrogate pair. */
function* units(text: string, start: number, end: number, maxTokens: number): Generator<[number, number]> {
  const sentence = text.slice(start, end);
  for (const match of sentence.matchAll(/\S+\s*/g)) {
    const unitStart = start + match.index;
    if (estimateTextTokens(match[0].trimEnd()) <= maxTokens) {
      yield [unitStart, unitStart + match[0].length];
      continue;
    }
    let at = unitStart;
    for (const codePoint of match[0]) {
      yield [at, at + codePoint.length];
      at += codePoint.length;
    }
  }
}

function span(text: string, start: number, end: number): TextSpan {
  const [s, e] = trimmed(text.slice(start, end), start);
  return { start: s, end: e, text: text.slice(s, e) };
}
