// Peak resident memory and time of one long document on each local engine (issue 18 item 2): an 8,192-token prompt
// (the default maxLength), each engine in a fresh process of its own (long-document-child.ts).
import { spawnSync } from 'node:child_process';
import type { LongDocumentFigures } from './long-document-child.js';

/** Issue 18's goal for one 8,192-token document on the 0.6B-shaped Q8_0 file, ONNX engine: ≤ 2.5 GB (decimal). */
export const ONNX_LONG_DOCUMENT_GOAL_BYTES = 2.5e9;

const ENGINES = ['onnx', 'llama-cpp'] as const;
const gigabytes = (bytes: number) => (bytes / 1e9).toFixed(2);

export interface LongDocumentResult {
  onnxWithinGoal: boolean;
  markdown: string;
}

export function runLongDocumentBench(modelPath: string): LongDocumentResult {
  const figures = ENGINES.map((engine) => {
    process.stderr.write(`  long document on ${engine}…\n`);
    const script = new URL('./long-document-child.ts', import.meta.url).pathname;
    const child = spawnSync(process.execPath, ['--import', 'tsx', script, engine, modelPath], { encoding: 'utf8', stdio: ['ignore', 'pipe', 'inherit'] });
    if (child.status !== 0) throw new Error(`the ${engine} long-document run exited with ${child.status ?? child.signal}`);
    const result = JSON.parse(child.stdout.trim().split('\n').at(-1)!) as LongDocumentFigures;
    process.stderr.write(`  ${engine}: ${result.promptTokens} tokens, ${result.seconds.toFixed(1)} s, peak ${gigabytes(result.peakResidentBytes)} GB\n`);
    return { engine, ...result };
  });
  const onnx = figures.find((row) => row.engine === 'onnx')!;
  const onnxWithinGoal = onnx.peakResidentBytes <= ONNX_LONG_DOCUMENT_GOAL_BYTES;
  const markdown = [
    `One document, an ${onnx.promptTokens.toLocaleString('en-US')}-token prompt (SciFact abstracts run together, cut to the default \`maxLength\`), each engine in a fresh process (\`npm run bench -- long\`, \`bench/long-document.ts\`; getrusage maxrss, GB = 10⁹ bytes). ONNX engine: ${onnxWithinGoal ? 'within' : '**over**'} the ${gigabytes(ONNX_LONG_DOCUMENT_GOAL_BYTES)} GB goal.`,
    '',
    '| engine | prompt tokens | resident after loading GB | peak resident GB | seconds (rerank call) |',
    '|---|---:|---:|---:|---:|',
    ...figures.map((row) => `| ${row.engine} | ${row.promptTokens} | ${gigabytes(row.loadedResidentBytes)} | ${gigabytes(row.peakResidentBytes)} | ${row.seconds.toFixed(1)} |`),
  ].join('\n');
  return { onnxWithinGoal, markdown };
}
