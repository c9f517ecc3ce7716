// `npm run bench`: engine comparison and server throughput on a generated full-size (Qwen3-0.6B-shaped, Q8_0,
// random-weight) model — speed does not depend on weight values — written into BENCHMARKS.md.
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { cpus, loadavg, totalmem } from 'node:os';
import { ensureTestModel } from '../test/helpers/test-models.js';
import { runEngineBench } from './engine-bench.js';
import { runServerBench } from './server-bench.js';
import { runHeadBench } from './head-bench.js';
import { runPrefixMemoryBench } from './prefix-memory.js';
import { runLongDocumentBench } from './long-document.js';
import { runEvidenceBench } from './evidence-bench.js';
import { runOnnxProfile } from './onnx-profile.js';

const only = process.argv.slice(2); // e.g. `npm run bench -- engine`
const wants = (part: string) => only.length === 0 || only.includes(part);

process.stderr.write('bench: generating/locating the full-size random-weight model…\n');
const modelPath = await ensureTestModel('full-q8', {
  onProgress: (written, total) => process.stderr.write(`\r  ${((100 * written) / total).toFixed(0)}%`),
});
process.stderr.write(`\n  ${modelPath}\n`);

const reportUrl = new URL('../BENCHMARKS.md', import.meta.url);
// A partial run (`npm run bench -- server`) replaces only its own sections and keeps the others' last numbers.
// Its machine lines stay too: they describe where the kept sections ran (a partial section names its CPU in its footnote).
const sections = new Map<string, string>();
let keptMachine: string | undefined;
if (existsSync(reportUrl)) {
  const [head = '', ...parts] = readFileSync(reportUrl, 'utf8').split(/^(?=## )/m);
  keptMachine = head.split('\n').filter((line) => line.startsWith('- ')).join('\n') || undefined;
  for (const part of parts) {
    sections.set(part.split('\n')[0]!, part.trimEnd());
  }
}
const ENGINE = '## Engines: ONNX Runtime vs llama.cpp vs LlamaRankingContext.rankAll';
const SERVER = '## Server throughput and latency';
const HEADS = "## llama.cpp engine: the file's answer head (logits vs ranking output)";
const MEMORY = '## ONNX engine: peak resident memory over distinct long queries';
const LONG = '## One long document: peak resident memory and time on each engine';
const EVIDENCE = '## Evidence: the cost of `evidence: 3` on the ONNX engine';
const PROFILE = '## ONNX engine: time by layer and role';
if (wants('engine')) sections.set(ENGINE, `${ENGINE}\n\n${(await runEngineBench(modelPath)).markdown}\n\n${measured()}`);
if (wants('heads')) {
  const untiedPath = await ensureTestModel('full-q8-untied');
  sections.set(HEADS, `${HEADS}\n\n${await runHeadBench(modelPath, untiedPath)}\n\n${measured()}`);
}
if (wants('server')) sections.set(SERVER, `${SERVER}\n\n${(await runServerBench(modelPath)).markdown}\n\n${measured()}`);
// Fails the run (after the report is written) when a peak resident memory passes issue 18's goals.
const overGoal: string[] = [];
if (wants('memory')) {
  const memory = await runPrefixMemoryBench(modelPath);
  if (!memory.withinGoal) overGoal.push("the ONNX server's peak resident memory is over the goal (see the memory section)");
  sections.set(MEMORY, `${MEMORY}\n\n${memory.markdown}\n\n${measured()}`);
}
if (wants('long')) {
  const long = runLongDocumentBench(modelPath);
  if (!long.onnxWithinGoal) overGoal.push("the ONNX engine's peak resident memory for one long document is over the goal (see its section)");
  sections.set(LONG, `${LONG}\n\n${long.markdown}\n\n${measured()}`);
}
if (wants('profile')) {
  sections.set(PROFILE, `${PROFILE}\n\n${(await runOnnxProfile(modelPath)).markdown}\n\n${measured()}`);
}

if (wants('evidence')) {
  const evidence = await runEvidenceBench(modelPath);
  sections.set(
    EVIDENCE,
    `${EVIDENCE}\n\n${evidence.markdown}\n\n${measured(`load average ${loadavg()[0]!.toFixed(1)} at the end (the machine is shared)`)}`,
  );
}

const machine = (only.length > 0 && keptMachine) || [
  `- Date: ${new Date().toISOString().slice(0, 10)}`,
  `- CPU: ${cpus()[0]?.model ?? 'unknown'} (${cpus().length} logical cores), ${(totalmem() / 2 ** 30).toFixed(0)} GiB RAM, no GPU`,
  `- Node ${process.version}, node-llama-cpp ${packageVersion('node-llama-cpp')}, onnxruntime-node ${packageVersion('onnxruntime-node')}`,
  '- Model: generated Qwen3-0.6B-shaped GGUF, Q8_0, random weights (`npm run make-model -- --variant full-q8`): speed does not depend on weight values; its scores are meaningless.',
].join('\n');

const report = `# Benchmarks\n\nMeasured with \`npm run bench\` (\`npm run bench -- engine\`, \`-- heads\`, \`-- server\`, \`-- memory\`, \`-- long\`, \`-- evidence\` or \`-- profile\` for one part).\n\n${machine}\n\n${[...sections.values()].join('\n\n')}\n`;
writeFileSync(reportUrl, report);
process.stdout.write(report);
for (const failure of overGoal) {
  process.stderr.write(`bench: ${failure}\n`);
  process.exitCode = 1;
}

/** A section's footnote: when and on what it ran, so a section kept from an earlier partial run still says where. */
function measured(note?: string): string {
  const machine = `${cpus()[0]?.model ?? 'an unknown CPU'} (${cpus().length} logical cores), ${(totalmem() / 2 ** 30).toFixed(0)} GiB RAM`;
  return `_Measured ${new Date().toISOString().slice(0, 10)} on ${machine}${note ? `, ${note}` : ''}._`;
}

function packageVersion(name: string): string {
  return (JSON.parse(readFileSync(new URL(`../node_modules/${name}/package.json`, import.meta.url), 'utf8')) as { version: string }).version;
}
