import type { Command } from 'commander';
import { checkRerankerOptions, createReranker, InvalidInputError, LOCAL_ENGINE_KINDS, type LlamaCppRerankerOptions, type LocalEngineKind, type Reranker } from '../index.js';
import { createDownloadBar, parsePositiveInt } from './util.js';

export interface ModelCliOptions {
  model?: string;
  modelsDir?: string;
  gpu?: string;
  threads?: number;
  engine?: string;
}

export const LOCAL_ENGINE_HELP = `${LOCAL_ENGINE_KINDS.join(' | ')} (default: auto = onnx on a CPU for F32/F16/BF16/Q8_0/Q4_0 files, else llama-cpp; onnx = ONNX Runtime, CPU only)`;

/** Adds the options every model-loading command shares; `engineHelp` describes the engines the command accepts. */
export function addModelOptions(command: Command, engineHelp = LOCAL_ENGINE_HELP): Command {
  return command
    .option('--engine <kind>', engineHelp)
    .option('-m, --model <model>', 'GGUF path or hf:owner/repo[:quant] URI (default: Qwen3-Reranker-0.6B Q8_0, downloaded on first use)')
    .option('--models-dir <dir>', 'where downloaded models are kept (default: $QWEN_RANKER_MODELS_DIR or ~/.cache/qwen-ranker/models)')
    .option('--gpu <backend>', 'auto | cpu | cuda | metal | vulkan (default: auto)')
    .option('--threads <n>', 'CPU threads (default: physical cores)', parsePositiveInt('--threads'));
}

const GPU_CHOICES = ['auto', 'cpu', 'cuda', 'metal', 'vulkan'] as const;

/** `--gpu`, given only when the flag is, so that an engine without a GPU choice is not handed one. */
export function gpuOption(value: string | undefined): Pick<LlamaCppRerankerOptions, 'gpu'> {
  if (value === undefined) return {};
  return { gpu: gpuChoice(value) };
}

function gpuChoice(value: string): LlamaCppRerankerOptions['gpu'] {
  if (value === 'auto') return 'auto';
  if (!(GPU_CHOICES as readonly string[]).includes(value)) throw new InvalidInputError('--gpu', `--gpu must be one of ${GPU_CHOICES.join(', ')}`);
  return value === 'cpu' ? false : (value as 'cuda' | 'metal' | 'vulkan');
}

export function localEngineOption(value: string | undefined): LocalEngineKind {
  if (value === undefined) return 'auto';
  if (!(LOCAL_ENGINE_KINDS as readonly string[]).includes(value)) {
    throw new InvalidInputError('--engine', `--engine must be one of ${LOCAL_ENGINE_KINDS.join(', ')}, got "${value}"`);
  }
  return value as LocalEngineKind;
}

/** Loads the reranker a command asked for, with a download progress bar on stderr, and says so when the model is
 * a random-weight demo. */
export async function loadRerankerFromCli(options: ModelCliOptions): Promise<Reranker> {
  const rerankerOptions = {
    model: options.model,
    modelsDir: options.modelsDir,
    ...gpuOption(options.gpu),
    engine: localEngineOption(options.engine),
    ...(options.threads ? { threads: options.threads } : {}),
  };
  checkRerankerOptions(rerankerOptions);
  const download = createDownloadBar();
  const ranker = await createReranker({ ...rerankerOptions, onDownloadProgress: download.update }).finally(download.stop);
  if (ranker.info.demo) process.stderr.write(demoWarning(ranker.info.model));
  return ranker;
}

export function demoWarning(model: string): string {
  return `WARNING: ${model} is a generated RANDOM-WEIGHT DEMO model: its scores are meaningless. Pass --model with a real Qwen3-Reranker GGUF for real rankings.\n`;
}
