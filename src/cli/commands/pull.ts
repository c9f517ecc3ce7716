import type { Command } from 'commander';
import { DEFAULT_MODEL, resolveModelPath } from '../../index.js';
import { action, createDownloadBar } from '../util.js';

interface PullCliOptions {
  modelsDir?: string;
}

export function registerPullCommand(program: Command): void {
  program
    .command('pull')
    .description('download a model into the models directory (resumable, checksum-verified) and print its local path')
    .argument('[model]', 'hf:owner/repo[:QUANT] or hf:owner/repo/file.gguf', DEFAULT_MODEL)
    .option('--models-dir <dir>', 'where downloaded models are kept (default: $QWEN_RANKER_MODELS_DIR or ~/.cache/qwen-ranker/models)')
    .addHelpText('after', '\nThe hub is https://huggingface.co unless HF_ENDPOINT names a mirror; HF_TOKEN is sent for gated repos.')
    .action(action(runPull));
}

async function runPull(model: string, options: PullCliOptions): Promise<void> {
  const progress = createDownloadBar();
  const path = await resolveModelPath(model, { modelsDir: options.modelsDir, onProgress: progress.update }).finally(progress.stop);
  process.stdout.write(`${path}\n`);
}
