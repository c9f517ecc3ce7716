import type { Command } from 'commander';
import { formatCliError, action, createProgressBar, parsePositiveInt, parseProbability } from '../util.js';
import { addModelOptions, loadRerankerFromCli, type ModelCliOptions } from '../model-options.js';
import { evidenceLine } from '../evidence-line.js';
import { jsonLinesOf, parseDocumentsFile, parseJsonLine, readInputFile } from '../read-input.js';
import { InvalidInputError, isRerankerError, type LongDocumentMode, type Reranker, type RerankOptions, type RerankResponse } from '../../index.js';

interface RerankCliOptions extends ModelCliOptions {
  query?: string;
  documents?: string;
  batch?: string;
  instruction?: string;
  topN?: number;
  minScore?: number;
  maxLength?: number;
  longDocuments?: string;
  evidence?: number;
  json?: boolean;
}

export function registerRerankCommand(program: Command): void {
  addModelOptions(
    program
      .command('rerank')
      .description('rank documents by relevance to a query (or a JSONL batch of queries)')
      .option('-q, --query <text>', 'the query')
      .option('-d, --documents <file>', 'one document per line, or JSONL with a "text" field ("-" = stdin)')
      .option('--batch <file>', 'JSONL: {"query","documents","instruction"?,"top_n"?} per line; one JSON result line out per line in')
      .option('-i, --instruction <text>', 'task instruction (default: the model card web-search instruction)')
      .option('-n, --top-n <n>', 'keep the best N', parsePositiveInt('--top-n'))
      .option('--min-score <p>', 'drop results scoring below this probability', parseProbability('--min-score'))
      .option('--max-length <tokens>', 'prompt length limit; only the document is truncated (default: 8192)', parsePositiveInt('--max-length'))
      .option('--long-documents <mode>', 'truncate | windows (score overlapping windows, keep the best)')
      .option('--evidence <n>', "each result's N best sentences, scored by the model (table: the best one under the row)", parsePositiveInt('--evidence'))
      .option('--json', 'print JSON instead of a table'),
  ).action(action(runRerank));
}

async function runRerank(options: RerankCliOptions): Promise<void> {
  if (options.batch) {
    if (options.query || options.documents) throw new InvalidInputError('--batch', '--batch cannot be combined with --query/--documents');
    // Lines are parsed one by one in the run: a line that is not JSON gets its own error line, like any bad line.
    const lines = jsonLinesOf(await readInputFile(options.batch, '--batch')).map(({ line, raw }) => ({ line, value: parseOrError(raw, line) }));
    if (lines.length === 0) throw new InvalidInputError('--batch', `${options.batch} has no lines`);
    await withRanker(options, (ranker) => runBatch(ranker, lines, options));
    return;
  }
  if (options.query === undefined) throw new InvalidInputError('--query', 'pass --query (or --batch FILE.jsonl)');
  if (!options.documents) throw new InvalidInputError('--documents', 'pass --documents FILE (one document per line, or JSONL)');
  const documents = parseDocumentsFile(await readInputFile(options.documents, '--documents'), '--documents');
  if (documents.length === 0) throw new InvalidInputError('--documents', `${options.documents} contains no documents`);
  const query = options.query;
  await withRanker(options, async (ranker) => {
    const bar = documents.length >= 8 && process.stderr.isTTY ? createProgressBar('scoring', documents.length) : undefined;
    const response = await ranker
      .rerank(query, documents, { ...rerankOptions(options), onProgress: (done) => bar?.update(done) })
      .finally(() => bar?.stop());
    process.stdout.write(options.json ? `${JSON.stringify(toJson(response, ranker.info.engine))}\n` : formatTable(response));
  });
}

async function withRanker(options: ModelCliOptions, fn: (ranker: Reranker) => Promise<void>): Promise<void> {
  const ranker = await loadRerankerFromCli(options);
  try {
    await fn(ranker);
  } finally {
    await ranker.close();
  }
}

function rerankOptions(options: RerankCliOptions): RerankOptions {
  const mode = options.longDocuments;
  if (mode !== undefined && mode !== 'truncate' && mode !== 'windows') {
    throw new InvalidInputError('--long-documents', '--long-documents must be "truncate" or "windows"');
  }
  return {
    instruction: options.instruction,
    topN: options.topN,
    minScore: options.minScore,
    maxLength: options.maxLength,
    longDocuments: mode as LongDocumentMode | undefined,
    evidence: options.evidence,
  };
}

/** The `--json` shape: Cohere/Jina-style `relevance_score`, plus the logit and usage (with the engine that scored). */
export function toJson(response: RerankResponse, engine: string) {
  return {
    model: response.model,
    results: response.results.map((r) => ({
      index: r.index,
      relevance_score: r.score,
      logit: r.logit,
      input_tokens: r.inputTokens,
      ...(r.window ? { window: r.window } : {}),
      document: r.document,
      ...(r.evidence ? { evidence: r.evidence } : {}),
    })),
    usage: {
      documents: response.usage.documents,
      input_tokens: response.usage.inputTokens,
      cached_documents: response.usage.cachedDocuments,
      ...(response.usage.evidenceSpans === undefined ? {} : { evidence_spans: response.usage.evidenceSpans }),
      duration_ms: Math.round(response.durationMs),
      engine,
    },
  };
}

function formatTable(response: RerankResponse): string {
  const rows = response.results.map((r, rank) => {
    const preview = r.document.text.replace(/\s+/g, ' ').trim();
    const text = preview.length > 72 ? `${preview.slice(0, 71)}…` : preview;
    const row = `${String(rank + 1).padStart(4)}  ${r.score.toFixed(4)}  ${String(r.index).padStart(5)}  ${text}`;
    const evidence = evidenceLine(r.evidence, ' '.repeat(21));
    return evidence ? `${row}\n${evidence}` : row;
  });
  const u = response.usage;
  const spans = u.evidenceSpans === undefined ? '' : `, ${u.evidenceSpans} evidence spans`;
  const footer = `${u.documents} documents${spans}, ${u.inputTokens} tokens, ${u.cachedDocuments} cached, ${(response.durationMs / 1000).toFixed(2)} s`;
  return `rank   score  index  document\n${rows.join('\n')}\n${footer}\n`;
}

interface BatchLine {
  query: string;
  documents: unknown[];
  instruction?: string;
  top_n?: number;
}

/** One JSON line out per line in, in order; a bad line yields an `{"error":…}` line and the run goes on. */
async function runBatch(ranker: Reranker, lines: Array<{ line: number; value: unknown }>, options: RerankCliOptions): Promise<void> {
  const total = lines.reduce((n, l) => n + (Array.isArray((l.value as BatchLine)?.documents) ? (l.value as BatchLine).documents.length : 0), 0);
  const bar = createProgressBar('documents', total, { force: true });
  let done = 0;
  let failures = 0;
  try {
    for (const { line, value } of lines) {
      try {
        if (value instanceof InvalidInputError) throw value;
        const item = checkBatchLine(value, line);
        const response = await ranker.rerank(item.query, item.documents as never, {
          ...rerankOptions(options),
          instruction: item.instruction ?? options.instruction,
          topN: item.top_n ?? options.topN,
          onProgress: (d) => bar.update(done + d),
        });
        done += item.documents.length;
        process.stdout.write(`${JSON.stringify(toJson(response, ranker.info.engine))}\n`);
      } catch (error) {
        if (!isRerankerError(error) || error.code === 'closed' || error.code === 'model_load_failed') throw error;
        failures++;
        const field = error instanceof InvalidInputError ? error.field : undefined;
        process.stdout.write(`${JSON.stringify({ error: { code: error.code, message: error.message, line, ...(field ? { field } : {}) } })}\n`);
        process.stderr.write(`${formatCliError(error)} (line ${line})\n`);
      }
    }
  } finally {
    bar.stop();
  }
  if (failures > 0) process.exitCode = 1;
}

function parseOrError(raw: string, line: number): unknown {
  try {
    return parseJsonLine(raw, line, '--batch');
  } catch (error) {
    return error;
  }
}

function checkBatchLine(value: unknown, line: number): BatchLine {
  const v = value as Partial<BatchLine>;
  if (typeof v !== 'object' || v === null) throw new InvalidInputError(`line ${line}`, 'each line must be a JSON object');
  if (typeof v.query !== 'string') throw new InvalidInputError(`line ${line}: query`, 'query must be a string');
  if (!Array.isArray(v.documents) || v.documents.length === 0) throw new InvalidInputError(`line ${line}: documents`, 'documents must be a non-empty array');
  if (v.instruction !== undefined && typeof v.instruction !== 'string') throw new InvalidInputError(`line ${line}: instruction`, 'instruction must be a string');
  if (v.top_n !== undefined && (!Number.isInteger(v.top_n) || v.top_n < 1)) throw new InvalidInputError(`line ${line}: top_n`, 'top_n must be a positive integer');
  return v as BatchLine;
}
