// Child process of the long-document bench (long-document.ts): loads one engine, scores one document as long as
// the default `maxLength` allows (an 8,192-token prompt) and prints its figures as one JSON line, alone in its
// process so that the peak resident set size is this engine's own.
import { readFileSync } from 'node:fs';
import { createReranker } from '../src/index.js';

export interface LongDocumentFigures {
  /** Resident set size after loading, before scoring (bytes). */
  loadedResidentBytes: number;
  /** getrusage maxrss at exit (bytes). */
  peakResidentBytes: number;
  /** The rerank call alone: tokenization and the run. */
  seconds: number;
  promptTokens: number;
}

const [engine, modelPath] = process.argv.slice(2);
if ((engine !== 'onnx' && engine !== 'llama-cpp') || !modelPath) throw new Error('usage: long-document-child.ts onnx|llama-cpp <model.gguf>');

// SciFact abstracts run together, longer than the prompt: the body is cut to fit 8,192 tokens (the default maxLength).
const corpus = readFileSync(new URL('../../shared/data/scifact/corpus.jsonl', import.meta.url), 'utf8').split('\n').filter(Boolean);
let document = '';
for (let i = 0; document.length < 60_000; i++) document += `${(JSON.parse(corpus[i]!) as { text: string }).text} `;

const ranker = await createReranker({ model: modelPath, engine, cacheSize: 0 });
const loadedResidentBytes = process.memoryUsage.rss();
const started = performance.now();
const response = await ranker.rerank('What do the abstracts say about cell biology?', [document]);
const seconds = (performance.now() - started) / 1000;
await ranker.close();
// maxRSS is in kibibytes (https://nodejs.org/api/process.html#processresourceusage).
const figures: LongDocumentFigures = { loadedResidentBytes, peakResidentBytes: process.resourceUsage().maxRSS * 1024, seconds, promptTokens: response.usage.inputTokens };
process.stdout.write(`${JSON.stringify(figures)}\n`);
