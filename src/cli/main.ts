#!/usr/bin/env node
import { Command, CommanderError } from 'commander';
import { registerRerankCommand } from './commands/rerank.js';
import { registerScoreCommand } from './commands/score.js';
import { registerPullCommand } from './commands/pull.js';
import { registerModelsCommand } from './commands/models.js';
import { registerServeCommand } from './commands/serve.js';
import { registerKbCommand } from './commands/kb.js';
import { registerEvalCommand } from './commands/eval.js';
import { exitCodeFor, formatCliError } from './util.js';

// A closed pipe (`| head`) ends the run quietly; any other write failure (`> /dev/full`: ENOSPC) is one error line
// and exit 1 — instead of Node's unhandled 'error' event stack trace. Nothing more can be written, so stop now.
process.stdout.on('error', (error: NodeJS.ErrnoException) => {
  if (error.code !== 'EPIPE') process.stderr.write(`qwen-ranker: error cannot write to stdout: ${error.code ?? error.message}\n`);
  process.exit(error.code === 'EPIPE' ? 0 : 1);
});

const program = new Command('qwen-ranker')
  .description('Qwen3-Reranker document reranking on llama.cpp: rerank, score, serve, knowledge base, evaluation')
  .version('0.1.0')
  .showHelpAfterError()
  .exitOverride();

registerRerankCommand(program);
registerScoreCommand(program);
registerPullCommand(program);
registerModelsCommand(program);
registerServeCommand(program);
registerKbCommand(program);
registerEvalCommand(program);

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
