// Child process of the engine bench: loads the ONNX engine, scores a few documents and prints its peak resident
// set size (getrusage maxrss), so the number is not mixed with another engine's memory.
import { createReranker } from '../src/index.js';

const modelPath = process.argv[2];
if (!modelPath) throw new Error('usage: onnx-resident.ts <model.gguf>');
const ranker = await createReranker({ model: modelPath, engine: 'onnx', cacheSize: 0 });
await ranker.rerank('memory check', Array.from({ length: 5 }, (_, i) => `document ${i} `.repeat(40)));
await ranker.close();
process.stdout.write(`peakResidentMiB=${Math.round(process.resourceUsage().maxRSS / 1024)}\n`);
