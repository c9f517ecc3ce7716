import { readFile } from 'node:fs/promises';
import { InvalidInputError } from '../spec/errors.js';
import { orderLikeTrecEval, type Run, type ScoredDocument } from './metrics.js';

/**
 * Reads a TREC run file: one `qid Q0 docid rank score tag` line per retrieved document, whitespace-separated
 * (trec_eval's `get_trec_results.c`; the rank column is ignored, the score orders). A document listed twice for a
 * query is an error, as in trec_eval.
 */
export async function readTrecRun(path: string): Promise<Map<string, ScoredDocument[]>> {
  let text: string;
  try {
    text = await readFile(path, 'utf8');
  } catch (error) {
    throw new InvalidInputError('run', `cannot read run file ${path}: ${(error as Error).message}`, { cause: error });
  }
  return parseTrecRun(text, path);
}

export function parseTrecRun(text: string, source = 'run'): Map<string, ScoredDocument[]> {
  const run = new Map<string, ScoredDocument[]>();
  const seen = new Set<string>();
  text.split('\n').forEach((line, index) => {
    if (!line.trim()) return;
    const fields = line.trim().split(/\s+/);
    const [queryId, , docId, , scoreText] = fields;
    const score = Number(scoreText);
    if (fields.length !== 6 || queryId === undefined || docId === undefined || !Number.isFinite(score)) {
      throw new InvalidInputError('run', `${source}:${index + 1}: expected "qid Q0 docid rank score tag"`);
    }
    const key = `${queryId}\u0000${docId}`;
    if (seen.has(key)) throw new InvalidInputError('run', `${source}:${index + 1}: document ${docId} listed twice for query ${queryId}`);
    seen.add(key);
    let documents = run.get(queryId);
    if (!documents) run.set(queryId, (documents = []));
    documents.push({ docId, score });
  });
  return run;
}

/** Writes a run in TREC format, each query's documents in trec_eval order with ranks from 1. */
export function formatTrecRun(run: Run, tag: string): string {
  const lines: string[] = [];
  for (const [queryId, documents] of run) {
    orderLikeTrecEval(documents).forEach((doc, index) => lines.push(`${queryId} Q0 ${doc.docId} ${index + 1} ${doc.score} ${tag}`));
  }
  return lines.length > 0 ? `${lines.join('\n')}\n` : '';
}
