import { existsSync } from 'node:fs';
import { relative, resolve, isAbsolute } from 'node:path';
import { Option, type Command } from 'commander';
import { InvalidInputError, isRerankerError, resolveModelPath, type Reranker } from '../../index.js';
import { addModelOptions, loadRerankerFromCli, type ModelCliOptions } from '../model-options.js';
import {
  createKnowledgeBase,
  createLlamaCppEmbedder,
  defaultKnowledgeBasesDir,
  knowledgeBasePath,
  listKnowledgeBaseNames,
  resolveChunkingOptions,
  searchResultJson,
  sourceLabel,
  DEFAULT_ASK_MIN_SCORE,
  DEFAULT_ASK_EVIDENCE,
  type AskContext,
  type Embedder,
  type KnowledgeBase,
  type RetrievalMode,
  type SearchResult,
} from '../../kb/index.js';
import { evidenceLine } from '../evidence-line.js';
import { action, createDownloadBar, createProgressBar, parseNonNegativeInt, parsePositiveInt, parseProbability, printable } from '../util.js';

interface KbLocationOptions {
  kb: string;
  kbDir?: string;
}

interface IngestCommandOptions extends KbLocationOptions {
  chunkTokens?: number;
  overlap?: number;
  cjk?: 'segmenter' | 'bigram';
  textField?: string;
  titleField?: string;
  embeddingModel?: string;
  json?: boolean;
  progress: boolean;
}

interface SearchCommandOptions extends KbLocationOptions, ModelCliOptions {
  k: number;
  topN: number;
  minScore?: number;
  model?: string;
  rerank: boolean;
  retrieval?: RetrievalMode;
  embeddingModel?: string;
  instruction?: string;
  evidence?: number;
  json?: boolean;
}

interface AskCommandOptions extends SearchCommandOptions {
  context: AskContext;
  llmUrl?: string;
  llmModel?: string;
  llmApiKey?: string;
  rewrite?: boolean;
}

export function registerKbCommand(program: Command): void {
  const kb = program.command('kb').description('Knowledge base: ingest documents, search them with first stage + rerank, ask an LLM');

  withLocation(kb.command('ingest').argument('<paths...>', 'files and folders (.txt .md .html .pdf .jsonl .csv)'))
    .description('Ingest files into a knowledge base (changed files are replaced, unchanged ones skipped)')
    .option('--chunk-tokens <n>', 'chunk size in Qwen3 tokens (new knowledge base only)', parsePositiveInt('--chunk-tokens'))
    .option('--overlap <n>', 'tokens shared by consecutive chunks (new knowledge base only)', parseNonNegativeInt('--overlap'))
    .addOption(new Option('--cjk <mode>', 'Chinese/Japanese indexing (new knowledge base only)').choices(['segmenter', 'bigram']))
    .option('--text-field <name>', 'JSONL field / CSV column holding the text (default: text, content, body or passage)')
    .option('--title-field <name>', 'JSONL field / CSV column holding a title (default: title)')
    .option('--embedding-model <gguf>', 'Qwen3-Embedding GGUF: also store chunk vectors for vector/hybrid retrieval')
    .option('--json', 'print the ingest report as JSON')
    .option('--no-progress', 'hide the progress bar')
    .action(action(async (paths: string[], options: IngestCommandOptions) => ingestCommand(paths, options)));

  withSearchOptions(withLocation(kb.command('search').argument('<query>', 'what to look for')))
    .description('Search a knowledge base: first-stage ranks next to reranked ones')
    .option('--min-score <p>', 'drop reranked results below this probability', parseProbability('--min-score'))
    .action(action(async (query: string, options: SearchCommandOptions) => searchCommand(query, options)));

  withSearchOptions(withLocation(kb.command('ask').argument('<question>', 'the question to answer')))
    .description('Build a cited context for an LLM from the best chunks; with --llm-url, stream the answer')
    .option('--min-score <p>', `relevance floor: below it nothing is sent to the LLM (default: ${DEFAULT_ASK_MIN_SCORE})`, parseProbability('--min-score'))
    .option('--llm-url <url>', 'OpenAI-compatible server (e.g. http://127.0.0.1:8080, its /v1, or /v1/chat/completions)')
    .option('--llm-model <name>', 'model name for the LLM server (default: the first of GET /v1/models)')
    .option('--llm-api-key <key>', 'bearer token for the LLM server (default: $QWEN_RANKER_LLM_API_KEY or $OPENAI_API_KEY)')
    .option('--rewrite', 'let the LLM first rewrite the question into a search query')
    .addOption(
      new Option('--context <mode>', `what the LLM reads of each result: whole chunks, or the evidence sentences (--evidence N, default ${DEFAULT_ASK_EVIDENCE}) with one neighbour each side`)
        .choices(['chunks', 'evidence'])
        .default('chunks'),
    )
    .action(action(async (question: string, options: AskCommandOptions) => askCommand(question, options)));

  kb.command('list')
    .description('List knowledge bases with their file and chunk counts')
    .option('--kb-dir <dir>', 'knowledge base directory (default: $QWEN_RANKER_KB_DIR or ~/.local/share/qwen-ranker/kb)')
    .option('--json', 'print JSON')
    .action(action(async (options: { kbDir?: string; json?: boolean }) => listCommand(options)));

  withLocation(kb.command('remove').argument('<paths...>', 'files to remove from the knowledge base'))
    .description('Remove files and their chunks from a knowledge base')
    .action(action(async (paths: string[], options: KbLocationOptions) => removeCommand(paths, options)));
}

function withLocation(command: Command): Command {
  return command
    .requiredOption('--kb <name>', 'knowledge base name')
    .option('--kb-dir <dir>', 'knowledge base directory (default: $QWEN_RANKER_KB_DIR or ~/.local/share/qwen-ranker/kb)');
}

function withSearchOptions(command: Command): Command {
  return addModelOptions(command)
    .option('--k <n>', 'first-stage candidates', parsePositiveInt('--k'), 50)
    .option('--top-n <n>', 'results kept after reranking', parsePositiveInt('--top-n'), 5)
    .option('--no-rerank', 'first stage only (no model)')
    .addOption(new Option('--retrieval <mode>', 'first stage (default: hybrid when the knowledge base has vectors and --embedding-model is given, else bm25)').choices(['bm25', 'vector', 'hybrid']))
    .option('--embedding-model <gguf>', 'Qwen3-Embedding GGUF the knowledge base was embedded with')
    .option('--instruction <text>', "reranker task instruction (default: the model card's)")
    .option('--evidence <n>', "each result's N best sentences, scored by the reranker", parsePositiveInt('--evidence'))
    .option('--json', 'print JSON');
}

function locate(options: KbLocationOptions): string {
  return knowledgeBasePath(options.kbDir ?? defaultKnowledgeBasesDir(), options.kb);
}

/** Paths under the working directory are shown relative to it, with control characters escaped. */
function displayPath(path: string): string {
  const rel = relative(process.cwd(), path);
  return printable(rel && !rel.startsWith('..') && !isAbsolute(rel) ? rel : path);
}

/** A local GGUF path or an hf: URI (downloaded on first use, like the reranker). */
async function openEmbedder(model: string | undefined): Promise<Embedder | undefined> {
  if (model === undefined) return undefined;
  const download = createDownloadBar();
  const modelPath = await resolveModelPath(model, { onProgress: download.update }).finally(download.stop);
  return createLlamaCppEmbedder({ modelPath: resolve(modelPath) });
}

async function ingestCommand(paths: string[], options: IngestCommandOptions): Promise<void> {
  if (!existsSync(locate(options))) {
    // A new knowledge base keeps these for good: refuse bad ones before loading a model or writing a file.
    resolveChunkingOptions(
      { ...(options.chunkTokens === undefined ? {} : { chunkTokens: options.chunkTokens }), ...(options.overlap === undefined ? {} : { overlapTokens: options.overlap }) },
      { chunkTokens: '--chunk-tokens', overlapTokens: '--overlap' },
    );
  }
  const embedder = await openEmbedder(options.embeddingModel);
  const kb = await createKnowledgeBase({
    path: locate(options),
    create: true,
    ...(embedder ? { embedder } : {}),
    ...(options.chunkTokens === undefined ? {} : { chunkTokens: options.chunkTokens }),
    ...(options.overlap === undefined ? {} : { overlapTokens: options.overlap }),
    ...(options.cjk ? { cjk: options.cjk } : {}),
  });
  let bar: ReturnType<typeof createProgressBar> | undefined;
  let phase: string | undefined;
  try {
    const report = await kb.ingest(paths, {
      ...(options.textField ? { textField: options.textField } : {}),
      ...(options.titleField ? { titleField: options.titleField } : {}),
      onProgress: (progress) => {
        if (!options.progress || progress.total === 0) return;
        if (phase !== progress.phase) {
          bar?.stop();
          phase = progress.phase;
          bar = createProgressBar(progress.phase === 'files' ? 'ingest' : 'embed ', progress.total);
        }
        const seconds = Math.max(progress.elapsedMs / 1000, 1e-3);
        const rate = progress.phase === 'files' ? `${(progress.done / seconds).toFixed(1)} files/s, ${(progress.chunks / seconds).toFixed(1)} chunks` : `${(progress.chunks / seconds).toFixed(1)} chunks`;
        bar?.update(progress.done, { rate });
      },
    });
    bar?.stop();
    const info = kb.info();
    if (options.json) {
      process.stdout.write(`${JSON.stringify({ knowledgeBase: info, report }, null, 2)}\n`);
    } else {
      for (const failure of report.failed) process.stderr.write(`skipped unreadable file ${displayPath(failure.path)}: ${printable(failure.error)}\n`);
      for (const skip of report.skipped) process.stderr.write(`skipped ${displayPath(skip.path)}: ${printable(skip.reason)}\n`);
      const seconds = (report.durationMs / 1000).toFixed(1);
      process.stdout.write(
        `${options.kb}: ${report.added.length} added, ${report.updated.length} updated, ${report.unchanged.length} unchanged, ${report.failed.length} failed; ` +
          `${report.chunks} chunks written${embedder ? `, ${report.embedded} embedded` : ''} in ${seconds} s\n` +
          `${info.files} files, ${info.chunks} chunks (${info.tokens} tokens) in ${displayPath(info.path)}\n`,
      );
    }
    if (report.failed.length > 0 && report.added.length + report.updated.length + report.unchanged.length === 0) process.exitCode = 1;
  } finally {
    bar?.stop();
    await kb.close();
    await embedder?.close();
  }
}

/** Opens the reranker, embedder and knowledge base a query needs; closes them all afterwards. */
async function withQueryResources<T>(options: SearchCommandOptions, use: (kb: KnowledgeBase) => Promise<T>): Promise<T> {
  const path = locate(options);
  let reranker: Reranker | undefined;
  let embedder: Embedder | undefined;
  let kb: KnowledgeBase | undefined;
  try {
    kb = await createKnowledgeBase({ path }); // fails fast on a missing knowledge base, before loading models
    await kb.close();
    embedder = await openEmbedder(options.embeddingModel);
    reranker = options.rerank ? await loadRerankerFromCli(options) : undefined;
    kb = await createKnowledgeBase({ path, ...(reranker ? { reranker } : {}), ...(embedder ? { embedder } : {}) });
    return await use(kb);
  } finally {
    await kb?.close();
    await reranker?.close();
    await embedder?.close();
  }
}

function searchOptionsOf(options: SearchCommandOptions) {
  // Refused before any model is loaded: evidence sentences are scored by the reranker.
  if (options.evidence !== undefined && !options.rerank) throw new InvalidInputError('--evidence', '--evidence needs the reranker: it cannot be combined with --no-rerank');
  return {
    ...(options.evidence === undefined ? {} : { evidence: options.evidence }),
    k: options.k,
    topN: options.topN,
    ...(options.minScore === undefined ? {} : { minScore: options.minScore }),
    ...(options.retrieval ? { retrieval: options.retrieval } : {}),
    ...(options.instruction === undefined ? {} : { instruction: options.instruction }),
  };
}

async function searchCommand(query: string, options: SearchCommandOptions): Promise<void> {
  const searchOptions = searchOptionsOf(options);
  const result = await withQueryResources(options, (kb) => kb.search(query, searchOptions));
  if (options.json) process.stdout.write(`${JSON.stringify(searchResultJson(result), null, 2)}\n`);
  else process.stdout.write(formatSearch(result));
}

/** Results with their first-stage rank beside the reranked rank, so the reranker's moves are visible. */
function formatSearch(result: SearchResult): string {
  if (result.results.length === 0) return `No results for "${result.query}" (${result.candidates.length} candidates${result.reranked ? ', none above --min-score' : ''}).\n`;
  const lines = [
    `${result.candidates.length} ${result.retrieval} candidates in ${result.timings.firstStageMs.toFixed(0)} ms${result.reranked ? `, reranked in ${result.timings.rerankMs.toFixed(0)} ms` : ''}`,
    '',
    result.reranked ? ' rank  first  score   source' : ' rank  bm25/rrf  source',
  ];
  for (const hit of result.results) {
    const where = printable(sourceLabel(hit.chunk, displayPath(hit.chunk.path)));
    lines.push(
      result.reranked
        ? `${String(hit.rank).padStart(5)}  ${String(hit.firstStageRank).padStart(5)}  ${hit.score!.toFixed(3)}   ${where}`
        : `${String(hit.rank).padStart(5)}  ${hit.firstStageScore.toFixed(3).padStart(8)}  ${where}`,
    );
    lines.push(`       ${printable(hit.chunk.text.replace(/\s+/g, ' ').slice(0, 160))}${hit.chunk.text.length > 160 ? '…' : ''}`);
    const evidence = evidenceLine(hit.evidence, '       ');
    if (evidence) lines.push(evidence);
  }
  return `${lines.join('\n')}\n`;
}

async function askCommand(question: string, options: AskCommandOptions): Promise<void> {
  const apiKey = options.llmApiKey ?? process.env.QWEN_RANKER_LLM_API_KEY ?? process.env.OPENAI_API_KEY;
  const llm = options.llmUrl ? { url: options.llmUrl, ...(options.llmModel ? { model: options.llmModel } : {}), ...(apiKey ? { apiKey } : {}) } : undefined;
  if (options.rewrite && !llm) throw new InvalidInputError('--rewrite', '--rewrite needs --llm-url');
  if (options.context === 'evidence' && !options.rerank) throw new InvalidInputError('--context', '--context evidence needs the reranker: it cannot be combined with --no-rerank');
  if (options.evidence !== undefined && options.context !== 'evidence') throw new InvalidInputError('--evidence', '--evidence in kb ask sets the sentences of --context evidence: pass --context evidence');
  const streamToStdout = llm !== undefined && !options.json;
  const searchOptions = searchOptionsOf(options);
  const result = await withQueryResources(options, (kb) =>
    kb.ask(question, {
      ...searchOptions,
      context: options.context,
      ...(llm ? { llm } : {}),
      ...(options.rewrite ? { rewrite: true } : {}),
      ...(streamToStdout ? { onText: (text: string) => process.stdout.write(text) } : {}),
    }),
  );
  if (options.json) {
    process.stdout.write(
      `${JSON.stringify(
        {
          question: result.question,
          query: result.query,
          nothing_relevant: result.nothingRelevant,
          context: options.context,
          sources: result.sources.map((s) => ({ number: s.number, path: s.path, page: s.page ?? null, heading: s.heading ?? null, score: s.score ?? null })),
          messages: result.messages,
          answer: result.answer ?? null,
        },
        null,
        2,
      )}\n`,
    );
    return;
  }
  if (result.query !== question) process.stderr.write(`searched for: ${result.query}\n`);
  if (result.nothingRelevant) {
    process.stdout.write(`Nothing relevant found in ${options.kb} for "${question}"${result.search.reranked ? ' (no chunk passed --min-score)' : ''}.\n`);
    return;
  }
  if (streamToStdout) process.stdout.write('\n\nSources:\n');
  else {
    process.stderr.write('no --llm-url: printing the messages an LLM would get, not an answer (pass --llm-url URL of an OpenAI-compatible server)\n');
    process.stdout.write(`${result.messages.map((m) => `--- ${m.role} ---\n${m.content}`).join('\n\n')}\n\nSources:\n`);
  }
  for (const source of result.sources) {
    const score = source.score === undefined ? '' : ` (score ${source.score.toFixed(3)})`;
    process.stdout.write(`[${source.number}] ${printable(sourceLabel(source, displayPath(source.path)))}${score}\n`);
  }
}

async function listCommand(options: { kbDir?: string; json?: boolean }): Promise<void> {
  const dir = options.kbDir ?? defaultKnowledgeBasesDir();
  const entries: Array<({ name: string } & ReturnType<KnowledgeBase['info']>) | { name: string; error: { code: string; message: string } }> = [];
  for (const name of listKnowledgeBaseNames(dir)) {
    let kb: KnowledgeBase;
    try {
      kb = await createKnowledgeBase({ path: knowledgeBasePath(dir, name), readonly: true });
    } catch (error) {
      // One damaged file must not hide the others: it is listed with its error.
      if (!isRerankerError(error)) throw error;
      entries.push({ name, error: { code: error.code, message: error.message } });
      continue;
    }
    try {
      entries.push({ name, ...kb.info() });
    } finally {
      await kb.close();
    }
  }
  if (options.json) process.stdout.write(`${JSON.stringify(entries, null, 2)}\n`);
  else if (entries.length === 0) process.stdout.write(`No knowledge bases in ${printable(dir)}.\n`);
  else
    for (const entry of entries) {
      if ('error' in entry) {
        process.stdout.write(`${printable(entry.name)}: unreadable [${entry.error.code}] ${printable(entry.error.message)}\n`);
        continue;
      }
      const vectors = entry.settings.embeddingModel ? `, ${entry.vectors} vectors (${entry.settings.embeddingModel})` : '';
      process.stdout.write(`${entry.name}: ${entry.files} files, ${entry.chunks} chunks, ${entry.tokens} tokens${vectors}\n`);
    }
}

async function removeCommand(paths: string[], options: KbLocationOptions): Promise<void> {
  const kb = await createKnowledgeBase({ path: locate(options) });
  try {
    const removed = kb.remove(paths.map((path) => resolve(path)));
    process.stdout.write(`${removed} of ${paths.length} files removed from ${options.kb}\n`);
  } finally {
    await kb.close();
  }
}
