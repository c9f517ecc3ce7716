import { basename, resolve } from 'node:path';
import { Option, type Command } from 'commander';
import { AbortedError, DEFAULT_MODEL, InvalidInputError, type Reranker } from '../../index.js';
import { addModelOptions, loadRerankerFromCli, type ModelCliOptions } from '../model-options.js';
import { DEFAULT_SPLIT, loadBeirDataset, readRationales, readTrecRun, runEvaluation, writeEvaluationReport, renderMarkdownReport, type EvaluationProgress } from '../../eval/index.js';
import { action, createProgressBar, parsePositiveInt } from '../util.js';

interface EvalCommandOptions extends ModelCliOptions {
  dataset: string;
  split: string;
  k: number;
  queries?: number;
  seed: number;
  rerank: boolean;
  run?: string;
  instruction?: string;
  evidence?: number;
  cjk?: 'segmenter' | 'bigram';
  json?: boolean;
  out?: string;
  progress: boolean;
}

export function registerEvalCommand(program: Command): void {
  addModelOptions(program.command('eval'))
    .description('Evaluate first-stage retrieval and reranking on a BEIR-layout dataset (trec_eval metrics, Markdown/JSON/SVG report)')
    .requiredOption('--dataset <dir>', 'dataset directory with corpus.jsonl, queries.jsonl and qrels.tsv')
    .option('--split <name>', 'split: uses queries_<name>.jsonl / qrels_<name>.tsv / corpus_<name>.jsonl when present', DEFAULT_SPLIT)
    .option('--k <n>', 'first-stage candidates reranked per query', parsePositiveInt('--k'), 100)
    .option('--queries <n>', 'evaluate a deterministic sample of N queries', parsePositiveInt('--queries'))
    .option('--seed <n>', 'seed of the --queries sample', parsePositiveInt('--seed'), 1)
    .option('--no-rerank', 'evaluate the first stage only (no model needed)')
    .option('--run <file>', 'rerank this TREC run (qid Q0 docid rank score tag) instead of retrieving with BM25')
    .option('--instruction <text>', 'reranker task instruction (default: the model card\'s)')
    .option('--evidence <n>', "check each relevant document's N evidence spans against the dataset's rationales (rationales.jsonl)", parsePositiveInt('--evidence'))
    .addOption(new Option('--cjk <mode>', 'CJK handling of the BM25 first stage').choices(['segmenter', 'bigram']))
    .option('--json', 'print the report as JSON on stdout')
    .option('--out <dir>', 'report directory (default: reports/eval/<dataset>-<split>-<model>)')
    .option('--no-progress', 'hide the progress bar')
    .action(action(async (options: EvalCommandOptions) => runEvalCommand(options)));
}

async function runEvalCommand(options: EvalCommandOptions): Promise<void> {
  const dataset = await loadBeirDataset(options.dataset, { split: options.split });
  const evidence = options.evidence === undefined ? undefined : await evidenceOptions(options, options.evidence);
  const run = options.run ? { source: options.run, documents: await readTrecRun(options.run) } : undefined;
  const outDir = resolve(options.out ?? defaultOutDir(dataset.name, options));
  const controller = new AbortController();
  const onSignal = (): void => {
    process.stderr.write(`\ninterrupted: scores so far are in ${resolve(outDir, 'scores.jsonl')}; run the same command again to resume\n`);
    controller.abort(new AbortedError('interrupted'));
  };
  let reranker: Reranker | undefined;
  const bar = createStageBars(options.progress);
  try {
    reranker = options.rerank ? await loadRerankerFromCli(options) : undefined;
    // Installed after the model is loaded: loading llama.cpp's native library resets the process' SIGINT
    // disposition, which silently dropped a handler installed before (measured: the process died by the signal).
    process.once('SIGINT', onSignal);
    const result = await runEvaluation(dataset, {
      k: options.k,
      seed: options.seed,
      cacheFile: resolve(outDir, 'scores.jsonl'),
      signal: controller.signal,
      onProgress: bar.update,
      ...(reranker ? { reranker } : {}),
      ...(options.queries === undefined ? {} : { queries: options.queries }),
      ...(run ? { run } : {}),
      ...(options.instruction === undefined ? {} : { instruction: options.instruction }),
      ...(evidence ? { evidence } : {}),
      ...(options.cjk ? { cjk: options.cjk } : {}),
    });
    bar.stop();
    const report = writeEvaluationReport(outDir, result);
    if (options.json) process.stdout.write(`${JSON.stringify(report, null, 2)}\n`);
    else process.stdout.write(`${renderMarkdownReport(report)}\nReport written to ${outDir}\n`);
  } finally {
    bar.stop();
    process.removeListener('SIGINT', onSignal);
    await reranker?.close();
  }
}

/** The rationales `--evidence` checks against; refused before any model is loaded when they cannot be used. */
async function evidenceOptions(options: EvalCommandOptions, spans: number) {
  if (!options.rerank) throw new InvalidInputError('--evidence', '--evidence needs the reranker: it cannot be combined with --no-rerank');
  const found = await readRationales(resolve(options.dataset), options.split);
  if (!found) throw new InvalidInputError('--evidence', `${options.dataset} has no rationales_${options.split}.jsonl or rationales.jsonl to check evidence against`);
  return { spans, rationales: found.rationales, source: basename(found.file) };
}

/** Deterministic, so that running the same command again finds its score cache and resumes. */
function defaultOutDir(datasetName: string, options: EvalCommandOptions): string {
  const model = options.rerank ? modelSlug(options.model ?? DEFAULT_MODEL) : 'bm25';
  const suffix = `${options.k === 100 ? '' : `-k${options.k}`}${options.queries === undefined ? '' : `-q${options.queries}`}`;
  return `reports/eval/${slug(datasetName)}-${slug(options.split)}-${model}${suffix}`;
}

function modelSlug(model: string): string {
  const last = model.replace(/^hf:/, '').split(/[\\/]/).pop() ?? model;
  return slug(last.replace(/\.gguf$/i, ''));
}

function slug(text: string): string {
  return text.replace(/[^A-Za-z0-9._-]+/g, '-').replace(/^-+|-+$/g, '');
}

/** One bar per stage (BM25 search, then reranking), started when the stage reports its first progress. */
function createStageBars(enabled: boolean): { update: (progress: EvaluationProgress) => void; stop: () => void } {
  let current: { stage: string; bar: ReturnType<typeof createProgressBar>; started: number } | undefined;
  const stop = (): void => {
    current?.bar.stop();
    current = undefined;
  };
  return {
    stop,
    update: (progress) => {
      if (!enabled || progress.stage === 'index') return;
      if (current?.stage !== progress.stage) {
        stop();
        current = { stage: progress.stage, bar: createProgressBar(progress.stage === 'reranked' ? 'rerank     ' : 'first stage', progress.total), started: performance.now() };
      }
      const seconds = (performance.now() - current.started) / 1000;
      current.bar.update(progress.done, { rate: `${(progress.done / Math.max(seconds, 1e-3)).toFixed(1)} queries` });
    },
  };
}
