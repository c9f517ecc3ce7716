import { readFileSync } from 'node:fs';
import type { LlamaModel, Token } from 'node-llama-cpp';

export interface Workload {
  name: string;
  query: string;
  documents: string[];
}

const dataDir = new URL('../../shared/data/scifact/', import.meta.url);

/** Real text for benchmarks: SciFact abstracts cut to `tokens` tokens each, and a real SciFact query. */
export function scifactWorkload(model: LlamaModel, name: string, count: number, tokens: number): Workload {
  const corpus = readFileSync(new URL('corpus.jsonl', dataDir), 'utf8').split('\n').filter(Boolean).map((l) => JSON.parse(l) as { text: string });
  const query = (JSON.parse(readFileSync(new URL('queries.jsonl', dataDir), 'utf8').split('\n')[0]!) as { text: string }).text;
  const documents: string[] = [];
  for (const { text } of corpus) {
    const ids = model.tokenize(text, false);
    if (ids.length < tokens) continue;
    documents.push(model.detokenize(ids.slice(0, tokens) as Token[]));
    if (documents.length === count) break;
  }
  return { name, query, documents };
}
