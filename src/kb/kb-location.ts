import { existsSync, readdirSync } from 'node:fs';
import { homedir } from 'node:os';
import { join, resolve } from 'node:path';
import { InvalidInputError } from '../spec/errors.js';

const EXTENSION = '.sqlite';
const NAME = /^[A-Za-z0-9][A-Za-z0-9._-]{0,99}$/;

/**
 * Where named knowledge bases live: `$QWEN_RANKER_KB_DIR`, else `$XDG_DATA_HOME/qwen-ranker/kb`, else
 * `~/.local/share/qwen-ranker/kb` (XDG Base Directory spec, https://specifications.freedesktop.org/basedir-spec/latest/).
 */
export function defaultKnowledgeBasesDir(env: NodeJS.ProcessEnv = process.env): string {
  if (env.QWEN_RANKER_KB_DIR) return resolve(env.QWEN_RANKER_KB_DIR);
  return join(env.XDG_DATA_HOME ? resolve(env.XDG_DATA_HOME) : join(homedir(), '.local', 'share'), 'qwen-ranker', 'kb');
}

/** `<dir>/<name>.sqlite`; throws `InvalidInputError` for a name that is not a plain file name. */
export function knowledgeBasePath(dir: string, name: string): string {
  if (!NAME.test(name) || name.endsWith(EXTENSION)) {
    throw new InvalidInputError('name', `invalid knowledge base name "${name}": use letters, digits, ".", "_" and "-"`);
  }
  return join(resolve(dir), `${name}${EXTENSION}`);
}

/** Names of the knowledge bases in `dir` (none when it does not exist). */
export function listKnowledgeBaseNames(dir: string): string[] {
  if (!existsSync(dir)) return [];
  return readdirSync(dir)
    .filter((file) => file.endsWith(EXTENSION))
    .map((file) => file.slice(0, -EXTENSION.length))
    .sort();
}
