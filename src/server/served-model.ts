import { LOCAL_ENGINE_KINDS, NotFoundError, type EngineInfo } from '../index.js';

/** The names the server answers to. The first is the one responses carry. */
export interface ServedModel {
  readonly names: readonly string[];
  /** True when the names were given (`--served-model-name`): a request's `model` must then be one of them. */
  readonly strict: boolean;
}

/**
 * The served names: those given, or one derived from the model so that no response carries a local path. A GGUF
 * path becomes its file name without `.gguf` (`/m/Qwen3-Reranker-0.6B.Q8_0.gguf` → `Qwen3-Reranker-0.6B.Q8_0`);
 * `hf:owner/repo:QUANT` becomes `repo:QUANT`, `hf:owner/repo/file.gguf` the file name; a remote engine's model
 * name is kept (it names the backend's model, not a file here).
 */
export function resolveServedModel(given: readonly string[] | undefined, info: Pick<EngineInfo, 'model' | 'engine'>): ServedModel {
  if (given !== undefined && given.length > 0) return { names: [...new Set(given)], strict: true };
  return { names: [defaultServedModelName(info)], strict: false };
}

export function defaultServedModelName(info: Pick<EngineInfo, 'model' | 'engine'>): string {
  const model = info.model;
  if (!(LOCAL_ENGINE_KINDS as readonly string[]).includes(info.engine)) return model;
  if (model.startsWith('hf:')) {
    const parts = model.slice(3).split('/');
    return parts.length > 2 ? withoutGguf(parts.at(-1)!) : (parts[1] ?? parts[0]!);
  }
  return withoutGguf(model.split(/[\\/]/).at(-1) ?? model);
}

function withoutGguf(fileName: string): string {
  return fileName.replace(/\.gguf$/i, '');
}

/**
 * The name a response carries for a request that named `requested`. With served names given, an unknown name is
 * a 404 `not_found` on `model`, as vLLM answers (`The model \`x\` does not exist.`, vllm/entrypoints/openai/
 * serving_engine.py `_check_model`); without them any name is accepted (stock clients such as the Cohere SDK must
 * send some `model`, and cannot know a name derived from a file) and the response names the served model.
 */
export function responseModelName(served: ServedModel, requested: string | null | undefined): string {
  if (requested === undefined || requested === null || requested === '') return served.names[0]!;
  if (served.names.includes(requested)) return requested;
  if (served.strict) {
    throw new NotFoundError('model', `The model \`${requested}\` does not exist; this server serves ${served.names.map((n) => `"${n}"`).join(', ')}`);
  }
  return served.names[0]!;
}

/** An absolute path of two or more segments (POSIX or Windows), its last segment captured; not inside a URL or a
 * relative path (nothing word-like, `:`, `/` or `.` just before it). */
const ABSOLUTE_PATH = /(?<![\w:/.\\])(?:[A-Za-z]:)?(?:[\\/][^\s\\/"'`(),;]+)+[\\/]([^\s\\/"'`(),;]+)/g;

/**
 * A model-loading error's message without the local paths it names (`/srv/models/x.gguf is not a GGUF` → `x.gguf
 * is not a GGUF`): `/ready` and the 503s of a failed load are answered to anyone, and the operator has the full
 * message in the log.
 */
export function withoutLocalPaths(message: string): string {
  return message.replace(ABSOLUTE_PATH, '$1');
}
