import type { Command } from 'commander';
import { action, createProgressBar, parsePositiveInt } from '../util.js';
import { addModelOptions, loadRerankerFromCli, type ModelCliOptions } from '../model-options.js';
import { parseJsonLines, readInputFile } from '../read-input.js';
import { InvalidInputError, type ScorePair } from '../../index.js';

interface ScoreCliOptions extends ModelCliOptions {
  input?: string;
  maxLength?: number;
}

/** Pairs scored per call: bounds memory on huge files while keeping enough work to batch. */
const CHUNK = 512;

export function registerScoreCommand(program: Command): void {
  addModelOptions(
    program
      .command('score')
      .description('score (query, document) pairs from JSONL; one {"score","logit","input_tokens"} line out per line in')
      .requiredOption('--input <file>', 'JSONL: {"query","document","instruction"?} per line ("-" = stdin)')
      .option('--max-length <tokens>', 'prompt length limit; only the document is truncated (default: 8192)', parsePositiveInt('--max-length')),
  ).action(
    action(async (options: ScoreCliOptions) => {
      const lines = parseJsonLines(await readInputFile(options.input!, '--input'), '--input');
      if (lines.length === 0) throw new InvalidInputError('--input', `${options.input} has no pairs`);
      // Validate every line before loading the model: a typo on line 9,000 should not cost a model load.
      const pairs = lines.map(({ line, value }) => toPair(value, line));
      const ranker = await loadRerankerFromCli(options);
      const bar = createProgressBar('pairs', pairs.length, { force: true });
      try {
        for (let start = 0; start < pairs.length; start += CHUNK) {
          const scores = await ranker.score(pairs.slice(start, start + CHUNK), {
            maxLength: options.maxLength,
            onProgress: (done) => bar.update(start + done),
          });
          process.stdout.write(scores.map((s) => `${JSON.stringify({ score: s.score, logit: s.logit, input_tokens: s.inputTokens })}\n`).join(''));
        }
      } finally {
        bar.stop();
        await ranker.close();
      }
    }),
  );
}

function toPair(value: unknown, line: number): ScorePair {
  const v = value as Partial<ScorePair>;
  if (typeof v !== 'object' || v === null) throw new InvalidInputError(`--input:${line}`, `line ${line} must be a JSON object`);
  if (typeof v.query !== 'string') throw new InvalidInputError(`--input:${line}.query`, `line ${line}: "query" must be a string`);
  if (typeof v.document !== 'string') throw new InvalidInputError(`--input:${line}.document`, `line ${line}: "document" must be a string`);
  if (v.instruction !== undefined && v.instruction !== null && typeof v.instruction !== 'string') {
    throw new InvalidInputError(`--input:${line}.instruction`, `line ${line}: "instruction" must be a string`);
  }
  return { query: v.query, document: v.document, instruction: v.instruction };
}
