import Database from 'better-sqlite3';
import { createLexicalIndex } from '../kb/lexical/lexical-index.js';
import type { CjkTokenization } from '../kb/lexical/cjk-tokenization.js';
import type { CorpusDocument } from './beir-dataset.js';
import type { ScoredDocument } from './metrics.js';

export interface Bm25Retriever {
  search(query: string, k: number): ScoredDocument[];
  close(): void;
}

/**
 * The knowledge base's BM25 (FTS5, same tokenizer, CJK handling and query building) over a BEIR corpus in an
 * in-memory SQLite database: title and text as the two indexed columns, weighted equally, which equals BM25 on
 * their concatenation (FTS5 sums weighted term frequencies over columns and uses the total document length).
 */
export function createBm25Retriever(corpus: Iterable<CorpusDocument>, options: { cjk?: CjkTokenization } = {}): Bm25Retriever {
  const db = new Database(':memory:');
  const index = createLexicalIndex(db, { table: 'corpus_fts', ...(options.cjk ? { cjk: options.cjk } : {}) });
  const ids: string[] = [];
  db.transaction(() => {
    for (const doc of corpus) {
      ids.push(doc.id);
      index.add(ids.length, { title: doc.title, body: doc.text });
    }
  })();
  return {
    search: (query, k) => index.search(query, k).map((hit) => ({ docId: ids[hit.rowid - 1]!, score: hit.score })),
    close: () => db.close(),
  };
}
