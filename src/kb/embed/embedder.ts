/** Turns text into dense vectors for the knowledge base's optional vector retrieval. */
export interface Embedder {
  /** Model identity stored in the knowledge base, so that queries are embedded by the model that indexed it. */
  readonly model: string;
  readonly dimensions: number;
  /** Embeds documents (chunks) as-is. Vectors are L2-normalized. */
  embedDocuments(texts: readonly string[], options?: { signal?: AbortSignal }): Promise<Float32Array[]>;
  /** Embeds a search query (instruction-prefixed where the model expects it). L2-normalized. */
  embedQuery(text: string): Promise<Float32Array>;
  close(): Promise<void>;
}

/** L2-normalizes a vector (zero vectors stay zero). */
export function normalizeVector(values: ArrayLike<number>): Float32Array {
  const vector = Float32Array.from(values);
  let norm = 0;
  for (const value of vector) norm += value * value;
  norm = Math.sqrt(norm);
  if (norm > 0) for (let i = 0; i < vector.length; i++) vector[i]! /= norm;
  return vector;
}
