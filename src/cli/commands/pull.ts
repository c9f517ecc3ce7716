import type { Command } from 'commander';
import { DEFAULT_MODEL } from '../../index.js';
import type { DownloadProgress } from '../../models/download.js';
import { resolveModelPath } from '../../models/resolve-model.js';
import { action, createProgressBar } from '../util.js';

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

const MB = 1e6;

/** A progress bar in megabytes with the rate of this session (a resumed download starts part-way). */
function createDownloadBar(): { update: (progress: DownloadProgress) => void; stop: () => void } {
  let bar: ReturnType<typeof createProgressBar> | undefined;
  let start: { time: number; bytes: number } | undefined;
  return {
    update: ({ downloadedBytes, totalBytes, file }) => {
      if (totalBytes === undefined) return;
      start ??= { time: Date.now(), bytes: downloadedBytes };
      bar ??= createProgressBar(`${file} (MB)`, Math.ceil(totalBytes / MB));
      const seconds = (Date.now() - start.time) / 1000;
      const rate = seconds > 0 ? (downloadedBytes - start.bytes) / MB / seconds : 0;
      bar.update(Math.floor(downloadedBytes / MB), { rate: rate.toFixed(1) });
    },
    stop: () => bar?.stop(),
  };
}
