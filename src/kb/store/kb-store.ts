import Database from 'better-sqlite3';
import type { Database as SqliteDatabase } from 'better-sqlite3';
import * as sqliteVec from 'sqlite-vec';
import { InvalidInputError, isRerankerError, RerankerError } from '../../spec/errors.js';
import { createLexicalIndex, DEFAULT_CJK_TOKENIZATION, type LexicalHit, type LexicalIndex } from '../lexical/lexical-index.js';
import type { CjkTokenization } from '../lexical/cjk-tokenization.js';
import { DEFAULT_CHUNK_TOKENS, DEFAULT_OVERLAP_TOKENS } from '../chunk/chunker.js';

/** Fixed when a knowledge base is created: chunks and index terms depend on them. */
export interface StoreSettings {
  chunkTokens: number;
  overlapTokens: number;
  cjk: CjkTokenization;
  /** Set by the first ingest with an embedder; later queries must use the same model. */
  embeddingModel?: string;
  embeddingDimensions?: number;
}

export interface StoredFile {
  id: number;
  path: string;
  sha256: string;
  size: number;
  title: string;
  format: string;
  chunkCount: number;
  ingestedAt: string;
}

export interface NewChunk {
  /** 0-based position of the chunk in its file. */
  position: number;
  page?: number;
  heading?: string;
  text: string;
  tokens: number;
}

export interface StoredChunk extends NewChunk {
  id: number;
  fileId: number;
  path: string;
  title: string;
}

export interface VectorHit {
  rowid: number;
  /** Cosine distance (1 − cosine similarity). */
  distance: number;
}

const SCHEMA_VERSION = 1;

const SCHEMA = `
CREATE TABLE IF NOT EXISTS meta (key TEXT PRIMARY KEY, value TEXT NOT NULL);
CREATE TABLE IF NOT EXISTS files (
  id INTEGER PRIMARY KEY,
  path TEXT NOT NULL UNIQUE,
  sha256 TEXT NOT NULL,
  size INTEGER NOT NULL,
  title TEXT NOT NULL,
  format TEXT NOT NULL,
  chunk_count INTEGER NOT NULL,
  ingested_at TEXT NOT NULL
);
CREATE TABLE IF NOT EXISTS chunks (
  id INTEGER PRIMARY KEY,
  file_id INTEGER NOT NULL REFERENCES files(id) ON DELETE CASCADE,
  position INTEGER NOT NULL,
  page INTEGER,
  heading TEXT,
  text TEXT NOT NULL,
  tokens INTEGER NOT NULL
);
CREATE INDEX IF NOT EXISTS chunks_file ON chunks(file_id);
`;

interface ChunkRow {
  id: number;
  file_id: number;
  position: number;
  page: number | null;
  heading: string | null;
  text: string;
  tokens: number;
  path: string;
  title: string;
}

/**
 * One knowledge base = one SQLite file: files, chunks, a contentless FTS5 index over the chunks, and (once an
 * embedder was used) a sqlite-vec `vec0` table of chunk vectors. WAL mode lets the server read while `kb ingest`
 * writes.
 */
export class KnowledgeBaseStore {
  readonly settings: StoreSettings;
  private readonly lexical: LexicalIndex;
  /** Names the temporary tables of `replaceFileInBatches` calls, which may overlap. */
  private nextStaging = 1;

  private constructor(
    readonly path: string,
    private readonly db: SqliteDatabase,
    settings: StoreSettings,
  ) {
    this.settings = settings;
    this.lexical = createLexicalIndex(db, { cjk: settings.cjk });
  }

  /**
   * Opens `path`, creating it with `settings` when `create` is set. An existing file keeps its own settings
   * (changing chunking or CJK mode needs a new knowledge base).
   */
  static open(path: string, options: { create?: boolean; readonly?: boolean; settings?: Partial<StoreSettings> } = {}): KnowledgeBaseStore {
    let db: SqliteDatabase;
    try {
      db = new Database(path, { fileMustExist: !options.create, readonly: options.readonly ?? false });
    } catch (error) {
      throw new InvalidInputError('knowledgeBase', `cannot open knowledge base ${path}: ${(error as Error).message}`, { cause: error });
    }
    try {
      sqliteVec.load(db);
      if (!options.readonly) {
        db.pragma('journal_mode = WAL');
        db.pragma('synchronous = NORMAL');
      }
      db.pragma('foreign_keys = ON');
      const stored = KnowledgeBaseStore.readSettings(db);
      if (stored === undefined && options.readonly) throw new InvalidInputError('knowledgeBase', `${path} is not a knowledge base`);
      const settings = stored ?? KnowledgeBaseStore.initialize(db, options.settings ?? {});
      return new KnowledgeBaseStore(path, db, settings);
    } catch (error) {
      db.close();
      if (isRerankerError(error)) throw error;
      // SQLite's own failure (SQLITE_NOTADB "file is not a database", SQLITE_CORRUPT...): the file is damaged.
      throw new RerankerError('corrupt_knowledge_base', `${path} is not a readable knowledge base: ${(error as Error).message}`, { cause: error });
    }
  }

  private static readSettings(db: SqliteDatabase): StoreSettings | undefined {
    const hasMeta = db.prepare(`SELECT 1 FROM sqlite_master WHERE type = 'table' AND name = 'meta'`).get();
    if (!hasMeta) return undefined;
    const row = db.prepare(`SELECT value FROM meta WHERE key = 'settings'`).get() as { value: string } | undefined;
    const version = db.prepare(`SELECT value FROM meta WHERE key = 'schema_version'`).get() as { value: string } | undefined;
    if (!row) return undefined;
    if (Number(version?.value) !== SCHEMA_VERSION) {
      throw new InvalidInputError('knowledgeBase', `knowledge base schema version ${version?.value} is not supported (expected ${SCHEMA_VERSION})`);
    }
    return JSON.parse(row.value) as StoreSettings;
  }

  private static initialize(db: SqliteDatabase, requested: Partial<StoreSettings>): StoreSettings {
    const settings: StoreSettings = {
      chunkTokens: requested.chunkTokens ?? DEFAULT_CHUNK_TOKENS,
      overlapTokens: requested.overlapTokens ?? DEFAULT_OVERLAP_TOKENS,
      cjk: requested.cjk ?? DEFAULT_CJK_TOKENIZATION,
    };
    db.exec(SCHEMA);
    const put = db.prepare(`INSERT OR REPLACE INTO meta(key, value) VALUES (?, ?)`);
    put.run('schema_version', String(SCHEMA_VERSION));
    put.run('settings', JSON.stringify(settings));
    return settings;
  }

  fileByPath(path: string): StoredFile | undefined {
    const row = this.db.prepare(`SELECT * FROM files WHERE path = ?`).get(path) as FileRow | undefined;
    return row && toStoredFile(row);
  }

  listFiles(): StoredFile[] {
    return (this.db.prepare(`SELECT * FROM files ORDER BY path`).all() as FileRow[]).map(toStoredFile);
  }

  /** Replaces a file's chunks (and their index entries) in one transaction. Returns the new chunk ids. */
  replaceFile(file: Omit<StoredFile, 'id' | 'chunkCount' | 'ingestedAt'>, chunks: readonly NewChunk[]): number[] {
    return this.db.transaction(() => {
      const fileId = this.insertFileRow(file, chunks.length);
      return chunks.map((chunk) => this.insertChunk(fileId, file.title, chunk));
    })();
  }

  /**
   * Like `replaceFile` for chunks that arrive in batches (a large file read in blocks), so they are never all in
   * memory. One transaction still: readers see the old chunks or the new ones, never a mix. Returns the chunk count.
   *
   * The batches are staged in a temporary table (this connection's own, on disk: SQLite's default `temp_store`)
   * and the file replaced from it in one synchronous transaction at the end. No transaction stays open across the
   * awaits between batches, when other work may use this connection: it would take in their writes (and roll them
   * back with its own on failure), refuse their transactions, and show its readers a partial file.
   */
  async replaceFileInBatches(file: Omit<StoredFile, 'id' | 'chunkCount' | 'ingestedAt'>, batches: AsyncIterable<readonly NewChunk[]>): Promise<number> {
    const staging = `temp.staged_chunks_${this.nextStaging++}`;
    this.db.exec(`CREATE TABLE ${staging} (position INTEGER NOT NULL, page INTEGER, heading TEXT, text TEXT NOT NULL, tokens INTEGER NOT NULL)`);
    try {
      const stage = this.db.prepare(`INSERT INTO ${staging}(position, page, heading, text, tokens) VALUES (?, ?, ?, ?, ?)`);
      const stageBatch = this.db.transaction((batch: readonly NewChunk[]) => {
        for (const chunk of batch) stage.run(chunk.position, chunk.page ?? null, chunk.heading ?? null, chunk.text, chunk.tokens);
      });
      for await (const batch of batches) stageBatch(batch);
      const read = this.db.prepare(`SELECT rowid, position, page, heading, text, tokens FROM ${staging} WHERE rowid > ? ORDER BY rowid LIMIT ?`);
      return this.db.transaction(() => {
        const fileId = this.insertFileRow(file, 0);
        let count = 0;
        let after = 0;
        // Pages, not one iterator: better-sqlite3 refuses other statements on a connection while an iterator is open.
        for (;;) {
          const rows = read.all(after, STAGED_PAGE) as StagedChunkRow[];
          if (rows.length === 0) break;
          for (const row of rows) this.insertChunk(fileId, file.title, toNewChunk(row));
          count += rows.length;
          after = rows.at(-1)!.rowid;
        }
        this.db.prepare(`UPDATE files SET chunk_count = ? WHERE id = ?`).run(count, fileId);
        return count;
      })();
    } finally {
      this.db.exec(`DROP TABLE ${staging}`);
    }
  }

  private insertFileRow(file: Omit<StoredFile, 'id' | 'chunkCount' | 'ingestedAt'>, chunkCount: number): number {
    this.deleteFileRows(file.path);
    const { lastInsertRowid } = this.db
      .prepare(`INSERT INTO files(path, sha256, size, title, format, chunk_count, ingested_at) VALUES (?, ?, ?, ?, ?, ?, ?)`)
      .run(file.path, file.sha256, file.size, file.title, file.format, chunkCount, new Date().toISOString());
    return Number(lastInsertRowid);
  }

  private insertChunk(fileId: number, title: string, chunk: NewChunk): number {
    const id = Number(
      this.db
        .prepare(`INSERT INTO chunks(file_id, position, page, heading, text, tokens) VALUES (?, ?, ?, ?, ?, ?)`)
        .run(fileId, chunk.position, chunk.page ?? null, chunk.heading ?? null, chunk.text, chunk.tokens).lastInsertRowid,
    );
    this.lexical.add(id, { title: [title, chunk.heading].filter(Boolean).join(' '), body: chunk.text });
    return id;
  }

  /** Removes a file and its chunks; false when it was not in the knowledge base. */
  removeFile(path: string): boolean {
    return this.db.transaction(() => this.deleteFileRows(path))();
  }

  private deleteFileRows(path: string): boolean {
    const file = this.db.prepare(`SELECT id FROM files WHERE path = ?`).get(path) as { id: number } | undefined;
    if (!file) return false;
    const ids = (this.db.prepare(`SELECT id FROM chunks WHERE file_id = ?`).all(file.id) as { id: number }[]).map((r) => r.id);
    const hasVectors = this.hasVectorTable();
    const deleteVector = hasVectors ? this.db.prepare(`DELETE FROM chunks_vec WHERE rowid = ?`) : undefined;
    for (const id of ids) {
      this.lexical.remove(id);
      deleteVector?.run(BigInt(id));
    }
    this.db.prepare(`DELETE FROM files WHERE id = ?`).run(file.id);
    return true;
  }

  chunksByIds(ids: readonly number[]): Map<number, StoredChunk> {
    const result = new Map<number, StoredChunk>();
    if (ids.length === 0) return result;
    const rows = this.db
      .prepare(
        `SELECT c.*, f.path, f.title FROM chunks c JOIN files f ON f.id = c.file_id WHERE c.id IN (SELECT value FROM json_each(?))`,
      )
      .all(JSON.stringify(ids)) as ChunkRow[];
    for (const row of rows) result.set(row.id, toStoredChunk(row));
    return result;
  }

  searchLexical(query: string, k: number): LexicalHit[] {
    return this.lexical.search(query, k);
  }

  /** Declares the embedding model (first time: creates the vector table); rejects a different model. */
  useEmbeddingModel(model: string, dimensions: number): void {
    const { embeddingModel, embeddingDimensions } = this.settings;
    if (embeddingModel !== undefined) {
      if (embeddingModel !== model || embeddingDimensions !== dimensions) {
        throw new InvalidInputError(
          'embeddingModel',
          `this knowledge base was embedded with ${embeddingModel} (${embeddingDimensions} dimensions), not ${model} (${dimensions})`,
        );
      }
      return;
    }
    this.db.transaction(() => {
      // vec0 KNN with cosine distance (https://alexgarcia.xyz/sqlite-vec/features/knn.html).
      this.db.exec(`CREATE VIRTUAL TABLE chunks_vec USING vec0(embedding float[${dimensions}] distance_metric=cosine)`);
      Object.assign(this.settings, { embeddingModel: model, embeddingDimensions: dimensions });
      this.db.prepare(`UPDATE meta SET value = ? WHERE key = 'settings'`).run(JSON.stringify(this.settings));
    })();
  }

  /** Throws unless this knowledge base holds vectors of `model` (the one a query is about to be embedded with). */
  assertEmbeddingModel(model: string, dimensions: number): void {
    if (this.settings.embeddingModel === undefined) {
      throw new InvalidInputError('retrieval', 'this knowledge base has no vectors: ingest it with an embedding model first');
    }
    this.useEmbeddingModel(model, dimensions);
  }

  /** Chunks after `afterId` (in id order) that have no vector yet: new chunks, or chunks ingested before an
   * embedder was used. The cursor keeps a long backfill linear. */
  chunksWithoutVectors(afterId: number, limit: number): StoredChunk[] {
    if (!this.hasVectorTable()) return [];
    const rows = this.db
      .prepare(
        `SELECT c.*, f.path, f.title FROM chunks c JOIN files f ON f.id = c.file_id
         WHERE c.id > ? AND NOT EXISTS (SELECT 1 FROM chunks_vec v WHERE v.rowid = c.id) ORDER BY c.id LIMIT ?`,
      )
      .all(afterId, limit) as ChunkRow[];
    return rows.map(toStoredChunk);
  }

  addVectors(entries: ReadonlyArray<{ id: number; vector: Float32Array }>): void {
    const insert = this.db.prepare(`INSERT INTO chunks_vec(rowid, embedding) VALUES (?, ?)`);
    this.db.transaction(() => {
      for (const { id, vector } of entries) insert.run(BigInt(id), vector);
    })();
  }

  searchVector(vector: Float32Array, k: number): VectorHit[] {
    if (!this.hasVectorTable()) return [];
    return this.db.prepare(`SELECT rowid, distance FROM chunks_vec WHERE embedding MATCH ? AND k = ? ORDER BY distance`).all(vector, k) as VectorHit[];
  }

  counts(): { files: number; chunks: number; vectors: number; tokens: number } {
    const { files } = this.db.prepare(`SELECT COUNT(*) AS files FROM files`).get() as { files: number };
    const { chunks, tokens } = this.db.prepare(`SELECT COUNT(*) AS chunks, COALESCE(SUM(tokens), 0) AS tokens FROM chunks`).get() as { chunks: number; tokens: number };
    const vectors = this.hasVectorTable() ? (this.db.prepare(`SELECT COUNT(*) AS n FROM chunks_vec`).get() as { n: number }).n : 0;
    return { files, chunks, vectors, tokens };
  }

  close(): void {
    this.db.close();
  }

  private hasVectorTable(): boolean {
    return this.settings.embeddingModel !== undefined;
  }
}

/** Staged chunks moved per query by `replaceFileInBatches`. */
const STAGED_PAGE = 1000;

interface StagedChunkRow {
  rowid: number;
  position: number;
  page: number | null;
  heading: string | null;
  text: string;
  tokens: number;
}

function toNewChunk(row: StagedChunkRow): NewChunk {
  return {
    position: row.position,
    ...(row.page === null ? {} : { page: row.page }),
    ...(row.heading === null ? {} : { heading: row.heading }),
    text: row.text,
    tokens: row.tokens,
  };
}

interface FileRow {
  id: number;
  path: string;
  sha256: string;
  size: number;
  title: string;
  format: string;
  chunk_count: number;
  ingested_at: string;
}

function toStoredFile(row: FileRow): StoredFile {
  return {
    id: row.id,
    path: row.path,
    sha256: row.sha256,
    size: row.size,
    title: row.title,
    format: row.format,
    chunkCount: row.chunk_count,
    ingestedAt: row.ingested_at,
  };
}

function toStoredChunk(row: ChunkRow): StoredChunk {
  return {
    id: row.id,
    fileId: row.file_id,
    path: row.path,
    title: row.title,
    position: row.position,
    ...(row.page === null ? {} : { page: row.page }),
    ...(row.heading === null ? {} : { heading: row.heading }),
    text: row.text,
    tokens: row.tokens,
  };
}
