#!/usr/bin/env node
import { Command, CommanderError } from 'commander';
import { exitCodeFor, formatCliError } from './util.js';

/**
 * Each command's module, loaded only when it runs: `serve` and `kb` pull in fastify, SQLite and the rest of their
 * stacks (0.4 s of a 0.5 s `--help`), which a `rerank` or `score` process never uses. Listed in help order.
 */
const COMMANDS: Record<string, () => Promise<(program: Command) => void>> = {
  rerank: async () => (await import('./commands/rerank.js')).registerRerankCommand,
  score: async () => (await import('./commands/score.js')).registerScoreCommand,
  pull: async () => (await import('./commands/pull.js')).registerPullCommand,
  models: async () => (await import('./commands/models.js')).registerModelsCommand,
  serve: async () => (await import('./commands/serve.js')).registerServeCommand,
  kb: async () => (await import('./commands/kb.js')).registerKbCommand,
  eval: async () => (await import('./commands/eval.js')).registerEvalCommand,
};

// A closed pipe (`| head`) ends the run quietly; any other write failure (`> /dev/full`: ENOSPC) is one error line
// and exit 1 — instead of Node's unhandled 'error' event stack trace. Nothing more can be written, so stop now.
process.stdout.on('error', (error: NodeJS.ErrnoException) => {
  if (error.code !== 'EPIPE') process.stderr.write(`qwen-ranker: error cannot write to stdout: ${error.code ?? error.message}\n`);
  process.exit(error.code === 'EPIPE' ? 0 : 1);
});

const program = new Command('qwen-ranker')
  .description('Qwen3-Reranker document reranking on ONNX Runtime or llama.cpp: rerank, score, serve, knowledge base, evaluation')
  .version('0.1.0')
  .showHelpAfterError()
  .exitOverride();

// The named command alone; anything else (`--help`, a typo, no command) gets all of them, for help and suggestions.
const named = process.argv[2];
const wanted = named !== undefined && Object.hasOwn(COMMANDS, named) ? [named] : Object.keys(COMMANDS);
for (const name of wanted) (await COMMANDS[name]!())(program);

try {
  await program.parseAsync(process.argv);
} catch (error) {
  if (error instanceof CommanderError) {
    // commander already printed its message (usage errors, --help, --version)
    process.exitCode = error.exitCode === 0 ? 0 : 2;
  } else {
    // e.g. an InvalidInputError from an option parser, thrown before the command's action() wrapper runs
    process.stderr.write(`${formatCliError(error)}\n`);
    process.exitCode = exitCodeFor(error);
  }
}
