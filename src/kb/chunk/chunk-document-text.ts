import type { NewChunk } from '../store/kb-store.js';

/**
 * The text a model reads for a chunk (reranker document, embedding input): its heading path, then its text. The
 * heading carries context that the chunk's own words often lack ("Install > Linux" above "run the script").
 */
export function chunkDocumentText(chunk: Pick<NewChunk, 'heading' | 'text'>): string {
  return chunk.heading ? `${chunk.heading}\n\n${chunk.text}` : chunk.text;
}
