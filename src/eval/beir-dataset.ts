import { createReadStream, existsSync, readdirSync } from 'node:fs';
import { basename, join, resolve } from 'node:path';
import { createInterface } from 'node:readline';
import { InvalidInputError } from '../spec/errors.js';
import type { Qrels } from './metrics.js';

/** A corpus document in BEIR's `corpus.jsonl` shape. */
export interface CorpusDocument {
  id: string;
  title: string;
  text: string;
}

/** The text a reranker reads for a corpus document: title line, then text (BEIR's title + text convention). */
export function corpusDocumentText(doc: CorpusDocument): string {
  return doc.title ? `${doc.title}\n${doc.text}` : doc.text;
}

export interface BeirDataset {
  /** Directory name, e.g. `scifact`, or `xquad-r/zh` shown as `zh`'s parent path. */
  name: string;
  split: string;
  corpus: Map<string, CorpusDocument>;
  /** Query id → text, only queries that have judgments (as BEIR's `GenericDataLoader` keeps them). */
  queries: Map<string, string>;
  qrels: Qrels;
  /** The files read, for the report. */
  files: { corpus: string; queries: string; qrels: string };
}

export interface LoadBeirDatasetOptions {
  /** Split name. Files `<kind>_<split>.*` (and BEIR's `qrels/<split>.tsv`) are preferred; the unsuffixed files
   * are the default split. Default: `'test'`. */
  split?: string;
}

/** The split the unsuffixed files hold when no split-specific file exists (BEIR ships `qrels/test.tsv`). */
export const DEFAULT_SPLIT = 'test';

/**
 * Loads a dataset in BEIR layout (https://github.com/beir-cellar/beir/wiki/Load-your-custom-dataset):
 * `corpus.jsonl` (`{"_id","title","text"}`), `queries.jsonl` (`{"_id","text"}`), qrels TSV with a header
 * `query-id corpus-id score`. Each of the three files may have a `_<split>` variant (`queries_train.jsonl`,
 * `corpus_paragraphs.jsonl`); a kind without one falls back to its unsuffixed file, so a split can change only
 * the qrels, or the corpus and qrels.
 */
export async function loadBeirDataset(dir: string, options: LoadBeirDatasetOptions = {}): Promise<BeirDataset> {
  const root = resolve(dir);
  if (!existsSync(root)) throw new InvalidInputError('dataset', `dataset directory ${root} does not exist`);
  const split = options.split ?? DEFAULT_SPLIT;
  const files = resolveSplitFiles(root, split);
  const [corpus, allQueries, qrels] = await Promise.all([
    readCorpus(files.corpus),
    readQueries(files.queries),
    readQrels(files.qrels),
  ]);
  const queries = new Map<string, string>();
  for (const queryId of qrels.keys()) {
    const text = allQueries.get(queryId);
    if (text !== undefined) queries.set(queryId, text);
  }
  if (queries.size === 0) {
    throw new InvalidInputError('dataset', `no query of ${files.queries} has judgments in ${files.qrels}`);
  }
  return { name: datasetName(root), split, corpus, queries, qrels, files };
}

/** `scifact`, or `xquad-r/zh` for nested language folders (the parent is kept when the leaf is short). */
function datasetName(root: string): string {
  const leaf = basename(root);
  return leaf.length <= 3 ? `${basename(resolve(root, '..'))}/${leaf}` : leaf;
}

function resolveSplitFiles(root: string, split: string): BeirDataset['files'] {
  const pick = (candidates: string[]): string | undefined => candidates.map((f) => join(root, f)).find((p) => existsSync(p));
  const specific = {
    corpus: pick([`corpus_${split}.jsonl`]),
    queries: pick([`queries_${split}.jsonl`]),
    qrels: pick([`qrels_${split}.tsv`, join('qrels', `${split}.tsv`)]),
  };
  const hasSpecific = Object.values(specific).some((p) => p !== undefined);
  if (!hasSpecific && split !== DEFAULT_SPLIT) {
    throw new InvalidInputError('split', `split "${split}" not found in ${root}; available: ${availableSplits(root).join(', ')}`);
  }
  const fallback = (kind: string, file: string | undefined): string => {
    if (file) return file;
    const path = pick([kind === 'qrels' ? 'qrels.tsv' : `${kind}.jsonl`]);
    if (!path) throw new InvalidInputError('dataset', `${root} has no ${kind} file (BEIR layout expected)`);
    return path;
  };
  return {
    corpus: fallback('corpus', specific.corpus),
    queries: fallback('queries', specific.queries),
    qrels: fallback('qrels', specific.qrels),
  };
}

/** Split names a directory offers: the default plus every `*_<split>.*` / `qrels/<split>.tsv` suffix. */
export function availableSplits(root: string): string[] {
  const splits = new Set([DEFAULT_SPLIT]);
  for (const file of readdirSync(root)) {
    const match = /^(?:corpus|queries)_(.+)\.jsonl$|^qrels_(.+)\.tsv$/.exec(file);
    const name = match?.[1] ?? match?.[2];
    if (name) splits.add(name);
  }
  const qrelsDir = join(root, 'qrels');
  if (existsSync(qrelsDir)) for (const file of readdirSync(qrelsDir)) if (file.endsWith('.tsv')) splits.add(file.slice(0, -4));
  return [...splits].sort();
}

async function* readLines(path: string): AsyncGenerator<{ line: string; lineNumber: number }> {
  const lines = createInterface({ input: createReadStream(path, 'utf8'), crlfDelay: Infinity });
  let lineNumber = 0;
  for await (const line of lines) {
    lineNumber++;
    if (line.trim() !== '') yield { line, lineNumber };
  }
}

function parseJsonLine(path: string, line: string, lineNumber: number): Record<string, unknown> {
  try {
    const value: unknown = JSON.parse(line);
    if (typeof value === 'object' && value !== null && !Array.isArray(value)) return value as Record<string, unknown>;
  } catch (error) {
    throw new InvalidInputError('dataset', `${path}:${lineNumber}: invalid JSON`, { cause: error });
  }
  throw new InvalidInputError('dataset', `${path}:${lineNumber}: expected a JSON object`);
}

function stringField(record: Record<string, unknown>, key: string): string | undefined {
  const value = record[key];
  return typeof value === 'string' ? value : typeof value === 'number' ? String(value) : undefined;
}

async function readCorpus(path: string): Promise<Map<string, CorpusDocument>> {
  const corpus = new Map<string, CorpusDocument>();
  for await (const { line, lineNumber } of readLines(path)) {
    const record = parseJsonLine(path, line, lineNumber);
    const id = stringField(record, '_id');
    if (id === undefined) throw new InvalidInputError('dataset', `${path}:${lineNumber}: missing "_id"`);
    corpus.set(id, { id, title: stringField(record, 'title') ?? '', text: stringField(record, 'text') ?? '' });
  }
  return corpus;
}

async function readQueries(path: string): Promise<Map<string, string>> {
  const queries = new Map<string, string>();
  for await (const { line, lineNumber } of readLines(path)) {
    const record = parseJsonLine(path, line, lineNumber);
    const id = stringField(record, '_id');
    const text = stringField(record, 'text');
    if (id === undefined || text === undefined) throw new InvalidInputError('dataset', `${path}:${lineNumber}: missing "_id" or "text"`);
    queries.set(id, text);
  }
  return queries;
}

/** Reads `query-id <TAB> corpus-id <TAB> score` rows; a first row whose score is not a number is the header. */
export async function readQrels(path: string): Promise<Qrels> {
  const qrels = new Map<string, Map<string, number>>();
  for await (const { line, lineNumber } of readLines(path)) {
    // BEIR separates by tabs; TREC qrels (`qid 0 docid grade`, https://trec.nist.gov/data/qrels_eng/) by spaces.
    const fields = line.includes('\t') ? line.split('\t') : line.trim().split(/\s+/);
    const [queryId, docId, gradeText] = fields.length === 4 ? [fields[0], fields[2], fields[3]] : fields;
    const grade = Number(gradeText);
    if (queryId === undefined || docId === undefined || gradeText === undefined || !Number.isFinite(grade)) {
      if (lineNumber === 1) continue;
      throw new InvalidInputError('dataset', `${path}:${lineNumber}: expected "query-id<TAB>corpus-id<TAB>score"`);
    }
    let judgments = qrels.get(queryId);
    if (!judgments) qrels.set(queryId, (judgments = new Map()));
    judgments.set(docId, grade);
  }
  return qrels;
}

/**
 * A deterministic sample of `count` query ids: ids ordered by an FNV-1a hash of `seed:id`, so the same seed
 * gives the same sample on every run (which lets an interrupted evaluation resume) and samples do not follow
 * file order.
 */
export function sampleQueryIds(queryIds: Iterable<string>, count: number, seed = 1): string[] {
  const ids = [...queryIds];
  if (count >= ids.length) return ids;
  return ids
    .map((id) => ({ id, key: fnv1a(`${seed}:${id}`) }))
    .sort((a, b) => a.key - b.key || (a.id < b.id ? -1 : 1))
    .slice(0, count)
    .map((entry) => entry.id);
}

/** 32-bit FNV-1a (http://www.isthe.com/chongo/tech/comp/fnv/). */
function fnv1a(text: string): number {
  let hash = 0x811c9dc5;
  for (let i = 0; i < text.length; i++) {
    hash ^= text.charCodeAt(i);
    hash = Math.imul(hash, 0x01000193) >>> 0;
  }
  return hash;
}
