import { createHash } from 'node:crypto';
import { readFile, stat } from 'node:fs/promises';
import { basename } from 'node:path';
import { throwIfAborted } from '../../spec/errors.js';
import { chunkText } from '../chunk/chunker.js';
import { loadQwen3TokenCounter, type TokenCounter } from '../chunk/qwen3-token-counter.js';
import { chunkDocumentText } from '../chunk/chunk-document-text.js';
import type { Embedder } from '../embed/embedder.js';
import { parseFile } from '../parse/parse-file.js';
import { readTextFileFacts, TEXT_BLOCK_BYTES, textFileSections } from '../parse/text-blocks.js';
import type { ParseOptions } from '../parse/parsed-document.js';
import type { KnowledgeBaseStore, NewChunk } from '../store/kb-store.js';
import { collectFiles, type SkippedPath } from './collect-files.js';

export interface IngestProgress {
  /** `files` while reading and chunking, `embeddings` while embedding chunks. */
  phase: 'files' | 'embeddings';
  done: number;
  total: number;
  /** Chunks written (files phase) or embedded (embeddings phase) so far. */
  chunks: number;
  elapsedMs: number;
  currentPath?: string;
}

export interface IngestOptions extends ParseOptions {
  signal?: AbortSignal;
  onProgress?: (progress: IngestProgress) => void;
}

export interface IngestedFile {
  path: string;
  chunks: number;
}

export interface IngestReport {
  added: IngestedFile[];
  /** Files whose content changed: their old chunks were replaced. */
  updated: IngestedFile[];
  /** Files whose content hash matches the stored one: not re-read. */
  unchanged: string[];
  /** Files that could not be read or parsed; the run went on without them. */
  failed: Array<{ path: string; error: string }>;
  /** Paths not ingested: missing, or of an unsupported type. */
  skipped: SkippedPath[];
  /** Chunks written by this run. */
  chunks: number;
  /** Chunks embedded by this run (0 without an embedder). */
  embedded: number;
  durationMs: number;
}

/** Chunks embedded per call, so progress moves and an interrupted run keeps what it embedded. */
const EMBEDDING_BATCH = 32;

/**
 * Ingests files and folders into a store: unchanged files (same SHA-256) are skipped, changed files have their
 * chunks replaced, unreadable files are reported and skipped. With an embedder, every chunk still missing a vector
 * is embedded afterwards, which also backfills a knowledge base first built without one.
 */
export async function ingestFiles(
  store: KnowledgeBaseStore,
  paths: readonly string[],
  embedder: Embedder | undefined,
  options: IngestOptions = {},
): Promise<IngestReport> {
  const started = performance.now();
  const { files, skipped } = await collectFiles(paths);
  const report: IngestReport = { added: [], updated: [], unchanged: [], failed: [], skipped, chunks: 0, embedded: 0, durationMs: 0 };
  const progress = (phase: IngestProgress['phase'], done: number, total: number, chunks: number, currentPath?: string): void =>
    options.onProgress?.({ phase, done, total, chunks, elapsedMs: performance.now() - started, ...(currentPath ? { currentPath } : {}) });
  if (embedder) store.useEmbeddingModel(embedder.model, embedder.dimensions);
  const counter = files.length > 0 ? await loadQwen3TokenCounter() : undefined;

  progress('files', 0, files.length, 0);
  for (const [index, file] of files.entries()) {
    throwIfAborted(options.signal);
    try {
      if (file.format === 'text' && (await stat(file.path)).size > TEXT_BLOCK_BYTES) {
        const chunks = await ingestLargeTextFile(store, file.path, counter!);
        if (chunks === undefined) report.unchanged.push(file.path);
        else {
          (chunks.replaced ? report.updated : report.added).push({ path: file.path, chunks: chunks.count });
          report.chunks += chunks.count;
        }
        progress('files', index + 1, files.length, report.chunks, file.path);
        continue;
      }
      const bytes = await readFile(file.path);
      const sha256 = createHash('sha256').update(bytes).digest('hex');
      const existing = store.fileByPath(file.path);
      if (existing?.sha256 === sha256) {
        report.unchanged.push(file.path);
      } else {
        const document = await parseFile(file.path, bytes, file.format, options);
        const chunks: NewChunk[] = [];
        for (const section of document.sections) {
          for (const piece of chunkText(section.text, counter!, store.settings)) {
            chunks.push({ position: chunks.length, text: piece.text, tokens: piece.tokens, ...(section.page ? { page: section.page } : {}), ...(section.heading ? { heading: section.heading } : {}) });
          }
        }
        store.replaceFile({ path: file.path, sha256, size: bytes.length, title: document.title, format: file.format }, chunks);
        (existing ? report.updated : report.added).push({ path: file.path, chunks: chunks.length });
        report.chunks += chunks.length;
      }
    } catch (error) {
      report.failed.push({ path: file.path, error: error instanceof Error ? error.message : String(error) });
    }
    progress('files', index + 1, files.length, report.chunks, file.path);
  }

  if (embedder) report.embedded = await embedMissing(store, embedder, options.signal, (done, total) => progress('embeddings', done, total, done));
  report.durationMs = performance.now() - started;
  return report;
}

/** A plain-text file past `TEXT_BLOCK_BYTES`, read in blocks; undefined when its content is unchanged. */
async function ingestLargeTextFile(store: KnowledgeBaseStore, path: string, counter: TokenCounter): Promise<{ count: number; replaced: boolean } | undefined> {
  const facts = await readTextFileFacts(path);
  const existing = store.fileByPath(path);
  if (existing?.sha256 === facts.sha256) return undefined;
  const settings = store.settings;
  async function* batches(): AsyncGenerator<NewChunk[]> {
    let position = 0;
    for await (const section of textFileSections(path, facts.encoding)) {
      yield chunkText(section, counter, settings).map((piece) => ({ position: position++, text: piece.text, tokens: piece.tokens }));
    }
  }
  const title = basename(path);
  const count = await store.replaceFileInBatches({ path, sha256: facts.sha256, size: facts.size, title, format: 'text' }, batches());
  return { count, replaced: existing !== undefined };
}

async function embedMissing(
  store: KnowledgeBaseStore,
  embedder: Embedder,
  signal: AbortSignal | undefined,
  onProgress: (done: number, total: number) => void,
): Promise<number> {
  const counts = store.counts();
  const total = counts.chunks - counts.vectors;
  let done = 0;
  let afterId = 0;
  onProgress(0, total);
  for (;;) {
    throwIfAborted(signal);
    const batch = store.chunksWithoutVectors(afterId, EMBEDDING_BATCH);
    if (batch.length === 0) return done;
    afterId = batch[batch.length - 1]!.id;
    const vectors = await embedder.embedDocuments(batch.map(chunkDocumentText), signal ? { signal } : {});
    store.addVectors(batch.map((chunk, i) => ({ id: chunk.id, vector: vectors[i]! })));
    done += batch.length;
    onProgress(done, total);
  }
}
