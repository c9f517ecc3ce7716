import { appendFileSync, existsSync, mkdirSync, readFileSync, truncateSync, writeFileSync } from 'node:fs';
import { dirname } from 'node:path';

/** What makes a reranker score reproducible: the same model and instruction give the same score. */
export interface ScoreJournalKey {
  model: string;
  instruction: string | null;
}

export interface CachedQuery {
  /** Document id → reranker logit. */
  scores: Map<string, number>;
  /** Wall time of the query's reranking when it was scored. */
  durationMs: number;
  /** Prompt tokens scored. */
  tokens: number;
}

/**
 * Append-only JSON Lines journal of per-query reranker scores (not the facade's in-memory score cache), so that an interrupted `eval` resumes where it
 * stopped. The first line is the key; a file with another key is started over. A query line is written once its
 * whole candidate list is scored, so a crash never leaves a half-scored query.
 */
export class ScoreJournal {
  private readonly queries = new Map<string, CachedQuery>();

  constructor(
    private readonly path: string,
    key: ScoreJournalKey,
  ) {
    const header = JSON.stringify({ type: 'key', ...key });
    const text = existsSync(path) ? readFileSync(path, 'utf8') : '';
    // A line cut by a crash while it was being written is dropped from the file too: the next record would
    // otherwise be appended onto it and lost with it.
    const complete = text.slice(0, text.lastIndexOf('\n') + 1);
    if (complete.length < text.length) truncateSync(path, Buffer.byteLength(complete));
    const lines = complete.split('\n').filter(Boolean);
    if (lines[0] === header) {
      for (const line of lines.slice(1)) this.load(line);
    } else {
      mkdirSync(dirname(path), { recursive: true });
      writeFileSync(path, `${header}\n`);
    }
  }

  private load(line: string): void {
    try {
      const entry = JSON.parse(line) as { qid: string; ms: number; tokens: number; scores: Array<[string, number]> };
      this.queries.set(entry.qid, { scores: new Map(entry.scores), durationMs: entry.ms, tokens: entry.tokens });
    } catch {
      // A damaged line: that query is scored again.
    }
  }

  /** The cached scores of a query when they cover every document in `docIds`. */
  lookup(queryId: string, docIds: readonly string[]): CachedQuery | undefined {
    const cached = this.queries.get(queryId);
    return cached && docIds.every((id) => cached.scores.has(id)) ? cached : undefined;
  }

  store(queryId: string, entry: CachedQuery): void {
    this.queries.set(queryId, entry);
    appendFileSync(this.path, `${JSON.stringify({ qid: queryId, ms: entry.durationMs, tokens: entry.tokens, scores: [...entry.scores] })}\n`);
  }

  get size(): number {
    return this.queries.size;
  }
}
