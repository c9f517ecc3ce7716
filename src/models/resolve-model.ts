import { constants } from 'node:fs';
import { access, readdir, stat } from 'node:fs/promises';
import { homedir } from 'node:os';
import { join, resolve } from 'node:path';
import { isRerankerError, ModelLoadError } from '../spec/errors.js';
import { downloadFile, type DownloadProgress } from './download.js';
import {
  availableQuantizations,
  formatHfUri,
  isHfUri,
  parseHfUri,
  repoDirectory,
  selectGgufFile,
  suggestedFileName,
  type HfModelUri,
} from './hf-uri.js';
import { fileResolveUrl, listRepoFiles, resolveHubUrl, type HubOptions } from './hub-client.js';
import { DEFAULT_MODEL } from './registry.js';

export interface ResolveModelOptions extends HubOptions {
  /** Directory for downloaded models. Default: `$QWEN_RANKER_MODELS_DIR` or `~/.cache/qwen-ranker/models`. */
  modelsDir?: string;
  /** Download progress (only called when a download happens). */
  onProgress?: (progress: DownloadProgress) => void;
}

/** `$QWEN_RANKER_MODELS_DIR` or `~/.cache/qwen-ranker/models`. */
export function defaultModelsDir(): string {
  return process.env.QWEN_RANKER_MODELS_DIR || join(homedir(), '.cache', 'qwen-ranker', 'models');
}

// One download per file per process: two rerankers created at once must not append to the same `.part`.
const downloadsInFlight = new Map<string, Promise<string>>();

/**
 * Turns a `model` option into a readable local GGUF path. A path must exist; an `hf:` URI is looked up in the
 * models directory (`<modelsDir>/<owner>/<repo>/<file>`, no network) and downloaded there on first use.
 * `undefined` means `DEFAULT_MODEL`.
 */
export async function resolveModelPath(model: string | undefined, options: ResolveModelOptions = {}): Promise<string> {
  const spec = model ?? DEFAULT_MODEL;
  if (!isHfUri(spec)) return checkLocalFile(spec);
  const uri = parseHfUri(spec);
  const modelsDir = resolve(options.modelsDir ?? defaultModelsDir());
  const existing = await findDownloadedModel(uri, modelsDir);
  if (existing !== undefined) return existing;

  const key = `${modelsDir}\0${formatHfUri(uri)}`;
  const pending = downloadsInFlight.get(key) ?? downloadModel(uri, modelsDir, options);
  downloadsInFlight.set(key, pending);
  try {
    return await pending;
  } finally {
    downloadsInFlight.delete(key);
  }
}

/** The local file an `hf:` URI resolves to, if it was downloaded already (no network). */
export async function findDownloadedModel(model: string | HfModelUri, modelsDir: string = defaultModelsDir()): Promise<string | undefined> {
  const uri = typeof model === 'string' ? parseHfUri(model) : model;
  const directory = repoDirectory(modelsDir, uri);
  if (uri.kind === 'file') {
    const path = join(directory, uri.file);
    return (await isFile(path)) ? path : undefined;
  }
  const names = await readdir(directory).catch(() => []);
  const chosen = selectGgufFile(names, uri.quantization);
  return chosen !== undefined && (await isFile(join(directory, chosen))) ? join(directory, chosen) : undefined;
}

async function downloadModel(uri: HfModelUri, modelsDir: string, options: ResolveModelOptions): Promise<string> {
  const hubUrl = resolveHubUrl(options.hubUrl);
  const directory = repoDirectory(modelsDir, uri);
  try {
    const file = uri.kind === 'file' ? uri.file : await chooseRemoteFile(uri, options);
    const destination = join(directory, file);
    await downloadFile({ ...options, url: fileResolveUrl(hubUrl, uri.owner, uri.repo, file), destination });
    return destination;
  } catch (error) {
    if (!(isRerankerError(error) && error.code === 'offline')) throw error;
    const text = formatHfUri(uri);
    throw new ModelLoadError(
      'offline',
      `${error.message} to download ${text}: put a GGUF at ${join(directory, suggestedFileName(uri))} or pass ` +
        `--model /path/to/model.gguf (or run \`qwen-ranker pull ${text}\` where there is network)`,
      { cause: error, retryable: true },
    );
  }
}

async function chooseRemoteFile(uri: Extract<HfModelUri, { kind: 'quantization' }>, options: HubOptions): Promise<string> {
  const files = await listRepoFiles(uri.owner, uri.repo, options);
  const chosen = selectGgufFile(files, uri.quantization);
  if (chosen !== undefined) return chosen;
  const available = availableQuantizations(files);
  const repo = `hf:${uri.owner}/${uri.repo}`;
  if (available.length === 0) throw new ModelLoadError('model_not_found', `${repo} holds no .gguf file`);
  const asked = uri.quantization === undefined ? 'holds several GGUFs and no Q8_0' : `has no single ${uri.quantization} GGUF`;
  throw new ModelLoadError('model_not_found', `${repo} ${asked}; available: ${available.join(', ')} (pick one with ${repo}:<QUANT>)`);
}

async function checkLocalFile(spec: string): Promise<string> {
  const path = resolve(spec);
  const info = await stat(path).catch(() => undefined);
  const hint = `pass a GGUF file path or an hf: URI such as ${DEFAULT_MODEL}`;
  if (info === undefined) throw new ModelLoadError('model_not_found', `model file not found: ${path} (${hint})`);
  if (!info.isFile()) throw new ModelLoadError('model_not_found', `model path is not a file: ${path} (${hint})`);
  await access(path, constants.R_OK).catch((error: unknown) => {
    throw new ModelLoadError('model_not_found', `model file is not readable: ${path}`, { cause: error });
  });
  return path;
}

async function isFile(path: string): Promise<boolean> {
  return (await stat(path).catch(() => undefined))?.isFile() ?? false;
}
