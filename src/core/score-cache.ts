import { createHash } from 'node:crypto';
import { LRUCache } from 'lru-cache';
import type { EngineScore } from '../spec/engine.js';

/** Everything that determines a score. Two requests that agree on all of it get the same answer. */
export interface ScoreKeyParts {
  model: string;
  instruction: string;
  query: string;
  document: string;
  maxLength: number;
  longDocuments: string;
  windowOverlap: number | undefined;
}

/** A fixed-size key: documents can be megabytes, and the cache must not hold them twice. */
export function scoreKey(parts: ScoreKeyParts): string {
  const hash = createHash('sha256');
  // JSON of an array keeps field boundaries unambiguous (no separator can be forged from user text).
  hash.update(
    JSON.stringify([parts.model, parts.instruction, parts.query, parts.document, parts.maxLength, parts.longDocuments, parts.windowOverlap ?? null]),
  );
  return hash.digest('base64url');
}

/** LRU of scores keyed by `scoreKey`. A size of 0 disables caching. */
export class ScoreCache {
  private readonly lru: LRUCache<string, EngineScore> | undefined;
  hits = 0;
  misses = 0;

  constructor(maxEntries: number) {
    this.lru = maxEntries > 0 ? new LRUCache<string, EngineScore>({ max: maxEntries }) : undefined;
  }

  get(key: string): EngineScore | undefined {
    const value = this.lru?.get(key);
    if (value) this.hits++;
    else this.misses++;
    return value;
  }

  set(key: string, value: EngineScore): void {
    this.lru?.set(key, value);
  }

  get size(): number {
    return this.lru?.size ?? 0;
  }
}
