import { join, posix } from 'node:path';
import { InvalidInputError } from '../spec/errors.js';

/**
 * A parsed `hf:` model URI. Two forms, the same as node-llama-cpp's and llama.cpp's `-hf` flag
 * (node-llama-cpp `dist/utils/parseModelUri.js`):
 * - `hf:owner/repo[:QUANT]`: one GGUF of the repo, chosen by its quantization (see `selectGgufFile`);
 * - `hf:owner/repo/path/to/file.gguf`: exactly that file.
 */
export type HfModelUri =
  | { kind: 'quantization'; owner: string; repo: string; quantization: string | undefined }
  | { kind: 'file'; owner: string; repo: string; file: string };

/** Quantization chosen for `hf:owner/repo` (no `:QUANT`) when the repo holds several GGUFs: the project default. */
export const DEFAULT_QUANTIZATION = 'Q8_0';

const URI_PREFIX = 'hf:';
// Owner and repo names as the Hub accepts them: word characters, '-' and '.', at most 96, starting with a word
// character (huggingface_hub `utils/_validators.py`, REPO_ID_REGEX). This also keeps them safe as folder names.
const NAME = /^\w[\w.-]{0,95}$/;
const QUANTIZATION = /^[A-Za-z0-9_]+$/;
const FORMS = '`hf:owner/repo[:QUANT]` or `hf:owner/repo/file.gguf`';

export function isHfUri(model: string): boolean {
  return model.startsWith(URI_PREFIX);
}

/** Parses an `hf:` URI; throws `InvalidInputError('model')` naming the accepted forms. */
export function parseHfUri(uri: string): HfModelUri {
  if (!isHfUri(uri)) throw new InvalidInputError('model', `"${uri}" is not an hf: URI (expected ${FORMS})`);
  const [owner = '', repoAndQuantization = '', ...fileParts] = uri.slice(URI_PREFIX.length).split('/');
  const invalid = (why: string) => new InvalidInputError('model', `invalid model URI "${uri}": ${why} (expected ${FORMS})`);
  if (!NAME.test(owner)) throw invalid('bad owner name');
  if (fileParts.length > 0) {
    if (!NAME.test(repoAndQuantization)) throw invalid('bad repository name');
    if (fileParts.some((part) => part === '' || part === '.' || part === '..')) throw invalid('bad file path');
    const file = fileParts.join('/');
    if (!file.toLowerCase().endsWith('.gguf')) throw invalid('the file must be a .gguf');
    return { kind: 'file', owner, repo: repoAndQuantization, file };
  }
  const [repo = '', quantization, ...rest] = repoAndQuantization.split(':');
  if (!NAME.test(repo)) throw invalid('bad repository name');
  if (rest.length > 0 || (quantization !== undefined && !QUANTIZATION.test(quantization))) throw invalid('bad quantization');
  return { kind: 'quantization', owner, repo, quantization: quantization?.toUpperCase() };
}

/** The canonical text of a parsed URI (quantization upper-cased). */
export function formatHfUri(uri: HfModelUri): string {
  const base = `${URI_PREFIX}${uri.owner}/${uri.repo}`;
  if (uri.kind === 'file') return `${base}/${uri.file}`;
  return uri.quantization === undefined ? base : `${base}:${uri.quantization}`;
}

/**
 * The quantization named by a GGUF file name: its last `-`/`.`-separated segment, upper-cased
 * (`Qwen3-Reranker-0.6B.Q8_0.gguf` → `Q8_0`, `qwen3-reranker-0.6b-q4_k_m.gguf` → `Q4_K_M`). Same rule as
 * node-llama-cpp's `parseModelFileName` (split on `-`, then on `.`). `undefined` for names without a segment.
 */
export function quantizationOf(fileName: string): string | undefined {
  const stem = posix.basename(fileName).replace(/\.gguf$/i, '');
  const segments = stem.split(/[-.]/);
  return segments.length > 1 ? segments.at(-1)?.toUpperCase() : undefined;
}

/**
 * Chooses the GGUF an `hf:owner/repo[:QUANT]` URI means among `fileNames` (a repo listing or a local folder):
 * with a quantization, the file whose name ends in it (case-insensitive); without one, the only GGUF, else the
 * `DEFAULT_QUANTIZATION` file. Returns `undefined` when nothing matches or the choice is ambiguous; callers say
 * which quantizations exist (`availableQuantizations`).
 */
export function selectGgufFile(fileNames: readonly string[], quantization: string | undefined): string | undefined {
  const ggufs = fileNames.filter((name) => name.toLowerCase().endsWith('.gguf'));
  if (quantization === undefined && ggufs.length === 1) return ggufs[0];
  const wanted = (quantization ?? DEFAULT_QUANTIZATION).toUpperCase();
  const matches = ggufs.filter((name) => quantizationOf(name) === wanted);
  return matches.length === 1 ? matches[0] : undefined;
}

/** Quantizations present among `fileNames`, sorted, for error messages. */
export function availableQuantizations(fileNames: readonly string[]): string[] {
  const found = fileNames.filter((name) => name.toLowerCase().endsWith('.gguf')).map((name) => quantizationOf(name) ?? name);
  return [...new Set(found)].sort();
}

/** The folder a repo's files are stored in: `<modelsDir>/<owner>/<repo>` (names are validated by `parseHfUri`). */
export function repoDirectory(modelsDir: string, uri: HfModelUri): string {
  return join(modelsDir, uri.owner, uri.repo);
}

/** A file name to suggest when the user must place a GGUF by hand: giladgd's convention `<Repo>.<QUANT>.gguf`. */
export function suggestedFileName(uri: HfModelUri): string {
  if (uri.kind === 'file') return uri.file;
  return `${uri.repo.replace(/-GGUF$/i, '')}.${uri.quantization ?? DEFAULT_QUANTIZATION}.gguf`;
}
