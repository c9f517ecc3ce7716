// Whole processes, as a user runs them: `qwen-ranker rerank` (dist/, per engine) and a node-llama-cpp rankAll
// script, each started fresh per workload, timed from spawn to exit (module loading, model load, tokenization,
// scoring, output). Also each engine's start-up: a one-document `qwen-ranker rerank`.
import { mkdtempSync, rmSync, writeFileSync, existsSync } from 'node:fs';
import { spawn } from 'node:child_process';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { LocalEngineKind } from '../src/index.js';
import type { Workload } from './workloads.js';

export interface ProcessBenchRow {
  workload: string;
  /** Seconds from spawn to exit, mean of `PROCESS_ROUNDS`. */
  cli: Record<LocalEngineKind, number>;
  rankAll: number;
}

const cliPath = fileURLToPath(new URL('../dist/cli/main.js', import.meta.url));
const rankAllScript = fileURLToPath(new URL('./rankall-process.mjs', import.meta.url));
const ENGINES: readonly LocalEngineKind[] = ['onnx', 'llama-cpp'];
/** Rounds of the three processes per workload, alternating (the rankAll process alone moved by 14% between runs). */
const PROCESS_ROUNDS = 2;

/** Runs `node args…` to completion and returns its wall time in seconds; a failure stops the bench. */
function timed(args: readonly string[]): Promise<number> {
  const started = performance.now();
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, args, { stdio: ['ignore', 'ignore', 'pipe'] });
    let stderr = '';
    child.stderr.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
    child.on('error', reject);
    child.on('exit', (code) => {
      if (code === 0) resolve((performance.now() - started) / 1000);
      else reject(new Error(`node ${args.slice(0, 2).join(' ')}… exited with ${code}: ${stderr.trim().split('\n').slice(-3).join(' | ')}`));
    });
  });
}

export async function runProcessBench(modelPath: string, threads: number, workloads: readonly Workload[], log: (message: string) => void): Promise<{ rows: ProcessBenchRow[]; startup: Record<LocalEngineKind, number> }> {
  if (!existsSync(cliPath)) throw new Error(`${cliPath} is missing: run \`npm run build\` first (\`npm run bench\` does, so the processes run the current sources)`);
  const directory = mkdtempSync(join(tmpdir(), 'qwen-ranker-process-bench-'));
  const cli = (engine: LocalEngineKind, query: string, documentsPath: string) =>
    [cliPath, 'rerank', '--model', modelPath, '--engine', engine, '--threads', String(threads), '--query', query, '--documents', documentsPath, '--json'];
  try {
    const one = join(directory, 'one.jsonl');
    writeFileSync(one, `${JSON.stringify({ text: 'one short document' })}\n`);
    const startup = {} as Record<LocalEngineKind, number>;
    for (const engine of ENGINES) {
      log(`bench: start-up (one-document qwen-ranker rerank), ${engine}…`);
      startup[engine] = await timed(cli(engine, 'start-up', one));
      log(`  ${startup[engine].toFixed(1)} s`);
    }
    const rows: ProcessBenchRow[] = [];
    for (const w of workloads) {
      const documentsPath = join(directory, `${rows.length}.jsonl`);
      writeFileSync(documentsPath, w.documents.map((text) => `${JSON.stringify({ text })}\n`).join(''));
      const row: ProcessBenchRow = { workload: w.name, cli: { onnx: 0, 'llama-cpp': 0 } as Record<LocalEngineKind, number>, rankAll: 0 };
      for (let round = 1; round <= PROCESS_ROUNDS; round++) {
        for (const engine of ENGINES) {
          log(`bench: ${w.name}: qwen-ranker rerank --engine ${engine} (whole process), round ${round} of ${PROCESS_ROUNDS}…`);
          const seconds = await timed(cli(engine, w.query, documentsPath));
          row.cli[engine] += seconds / PROCESS_ROUNDS;
          log(`  ${seconds.toFixed(1)} s`);
        }
        log(`bench: ${w.name}: rankAll process, round ${round} of ${PROCESS_ROUNDS}…`);
        const seconds = await timed([rankAllScript, modelPath, w.query, documentsPath, String(threads)]);
        row.rankAll += seconds / PROCESS_ROUNDS;
        log(`  ${seconds.toFixed(1)} s`);
      }
      rows.push(row);
    }
    return { rows, startup };
  } finally {
    rmSync(directory, { recursive: true, force: true });
  }
}

export function formatProcessRows(result: { rows: ProcessBenchRow[]; startup: Record<LocalEngineKind, number> }): string {
  const lines = [
    'Whole processes, each started fresh (module loading, model load, tokenization, scoring, JSON output), timed from',
    'spawn to exit: `qwen-ranker rerank --engine …` from dist/, and a node-llama-cpp script doing what its documentation',
    `shows (getLlama, loadModel, createRankingContext with defaults, rankAll; bench/rankall-process.mjs). Mean of ${PROCESS_ROUNDS} alternating rounds.`,
    '',
    '| workload | `rerank --engine onnx` | `rerank --engine llama-cpp` | rankAll process | ONNX process ÷ rankAll process | llama.cpp process ÷ rankAll process |',
    '|---|---:|---:|---:|---:|---:|',
  ];
  for (const r of result.rows) {
    lines.push(
      `| ${r.workload} | ${r.cli.onnx.toFixed(1)} s | ${r.cli['llama-cpp'].toFixed(1)} s | ${r.rankAll.toFixed(1)} s | **${(r.rankAll / r.cli.onnx).toFixed(2)}×** | ${(r.rankAll / r.cli['llama-cpp']).toFixed(2)}× |`,
    );
  }
  lines.push('', `Start-up (a one-document \`qwen-ranker rerank\`, spawn to exit): ONNX ${result.startup.onnx.toFixed(1)} s, llama.cpp ${result.startup['llama-cpp'].toFixed(1)} s.`);
  return lines.join('\n');
}
