import { existsSync } from 'node:fs';
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { InvalidInputError } from '../spec/errors.js';

/** A `[start, end)` character span of a document's text. */
export interface CharacterSpan {
  start: number;
  end: number;
}

/** Query id → document id → the rationale sentences of that document for that query. */
export type Rationales = Map<string, Map<string, CharacterSpan[]>>;

/** One relevant document with rationales, in a query's reranked top k, and the spans picked from it. */
export interface EvidenceCase {
  rationales: readonly CharacterSpan[];
  spans: readonly CharacterSpan[];
}

/** How the picked spans meet the rationale sentences, averaged over the cases. */
export interface EvidenceOverlap {
  /** Relevant documents with rationales in the reranked top k (the denominator of the three rates). */
  documents: number;
  /** Share of documents where at least one span overlaps a rationale sentence. */
  hitRate: number;
  /** Mean share of a document's rationale sentences overlapped by at least one span. */
  rationaleRecall: number;
  /** Mean share of a document's spans that overlap at least one rationale sentence. */
  spanPrecision: number;
}

/** Spans overlap when they share at least one character (half-open intervals). */
export function spansOverlap(a: CharacterSpan, b: CharacterSpan): boolean {
  return a.start < b.end && b.start < a.end;
}

/** Hit rate, rationale recall and span precision over `cases` (all 0 without cases; a case without spans counts 0). */
export function measureEvidenceOverlap(cases: readonly EvidenceCase[]): EvidenceOverlap {
  let hits = 0;
  let recall = 0;
  let precision = 0;
  for (const { rationales, spans } of cases) {
    const found = spans.filter((span) => rationales.some((rationale) => spansOverlap(span, rationale))).length;
    if (found > 0) hits++;
    recall += rationales.filter((rationale) => spans.some((span) => spansOverlap(span, rationale))).length / Math.max(rationales.length, 1);
    precision += spans.length === 0 ? 0 : found / spans.length;
  }
  const n = cases.length;
  return { documents: n, hitRate: n ? hits / n : 0, rationaleRecall: n ? recall / n : 0, spanPrecision: n ? precision / n : 0 };
}

/**
 * Reads SciFact-style rationales next to a BEIR dataset: `rationales_<split>.jsonl`, else `rationales.jsonl`, one
 * `{"query_id","corpus_id","sentences":[[start,end],…]}` per line, the spans indexing the corpus document's `text`
 * (shared/data/README.md). Undefined when the dataset has none.
 */
export async function readRationales(dir: string, split: string): Promise<{ file: string; rationales: Rationales } | undefined> {
  const file = [join(dir, `rationales_${split}.jsonl`), join(dir, 'rationales.jsonl')].find((path) => existsSync(path));
  if (!file) return undefined;
  const rationales: Rationales = new Map();
  for (const [index, line] of (await readFile(file, 'utf8')).split('\n').entries()) {
    if (!line.trim()) continue;
    const row = parseRationaleRow(line, `${file}:${index + 1}`);
    let byDocument = rationales.get(row.query_id);
    if (!byDocument) rationales.set(row.query_id, (byDocument = new Map()));
    // SciFact gives a document one row per evidence set; a sentence named by two sets counts once.
    const sentences = byDocument.get(row.corpus_id) ?? [];
    for (const [start, end] of row.sentences) if (!sentences.some((s) => s.start === start && s.end === end)) sentences.push({ start, end });
    byDocument.set(row.corpus_id, sentences);
  }
  return { file, rationales };
}

interface RationaleRow {
  query_id: string;
  corpus_id: string;
  sentences: Array<[number, number]>;
}

function parseRationaleRow(line: string, where: string): RationaleRow {
  let value: unknown;
  try {
    value = JSON.parse(line);
  } catch (error) {
    throw new InvalidInputError('dataset', `${where}: invalid JSON`, { cause: error });
  }
  const row = value as Partial<Record<keyof RationaleRow, unknown>>;
  const id = (v: unknown) => (typeof v === 'string' || typeof v === 'number' ? String(v) : undefined);
  const queryId = id(row?.query_id);
  const corpusId = id(row?.corpus_id);
  const sentences = row?.sentences;
  const valid =
    Array.isArray(sentences) &&
    sentences.every((s) => Array.isArray(s) && s.length === 2 && Number.isInteger(s[0]) && Number.isInteger(s[1]) && s[0] >= 0 && s[0] < s[1]);
  if (queryId === undefined || corpusId === undefined || !valid) {
    throw new InvalidInputError('dataset', `${where}: expected {"query_id","corpus_id","sentences":[[start,end],…]}`);
  }
  return { query_id: queryId, corpus_id: corpusId, sentences: sentences as Array<[number, number]> };
}
