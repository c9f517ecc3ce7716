import { readFile } from 'node:fs/promises';
import { InvalidInputError } from '../index.js';

/** Reads a file (or stdin for "-") and names the CLI option in the error when it cannot be read. */
export async function readInputFile(path: string, option: string): Promise<string> {
  try {
    if (path === '-') {
      const chunks: Buffer[] = [];
      for await (const chunk of process.stdin) chunks.push(chunk as Buffer);
      return Buffer.concat(chunks).toString('utf8');
    }
    return await readFile(path, 'utf8');
  } catch (error) {
    const reason = (error as NodeJS.ErrnoException).code === 'ENOENT' ? 'no such file' : (error as Error).message;
    throw new InvalidInputError(option, `cannot read ${option} ${path}: ${reason}`);
  }
}

/** Parses JSON Lines; blank lines are skipped, a bad line is reported with its line number. */
export function parseJsonLines(text: string, option: string): Array<{ line: number; value: unknown }> {
  return jsonLinesOf(text).map(({ line, raw }) => ({ line, value: parseJsonLine(raw, line, option) }));
}

/** The non-blank lines of a JSON Lines text with their 1-based line numbers, unparsed. */
export function jsonLinesOf(text: string): Array<{ line: number; raw: string }> {
  return text.split('\n').flatMap((raw, i) => (raw.trim() === '' ? [] : [{ line: i + 1, raw }]));
}

/** One JSON Lines line; `InvalidInputError` naming the option and line when it is not JSON. */
export function parseJsonLine(raw: string, line: number, option: string): unknown {
  try {
    return JSON.parse(raw);
  } catch {
    throw new InvalidInputError(`${option}:${line}`, `line ${line} of ${option} is not valid JSON`);
  }
}

/**
 * A documents file: JSON Lines whose objects have a string `text` (id and metadata kept), or plain text with one
 * document per line (blank lines skipped).
 */
export function parseDocumentsFile(text: string, option: string): Array<string | { id?: string | number; text: string; metadata?: Record<string, unknown> }> {
  const lines = text.split('\n').filter((l) => l.trim() !== '');
  const looksJsonl = lines.length > 0 && lines.every((l) => l.trimStart().startsWith('{'));
  if (!looksJsonl) return lines.map((l) => l.replace(/\r$/, ''));
  return parseJsonLines(text, option).map(({ line, value }) => {
    const v = value as { text?: unknown; id?: unknown; metadata?: unknown };
    if (typeof v !== 'object' || v === null || typeof v.text !== 'string') {
      throw new InvalidInputError(`${option}:${line}`, `line ${line} of ${option} has no string "text" field`);
    }
    return {
      text: v.text,
      ...(typeof v.id === 'string' || typeof v.id === 'number' ? { id: v.id } : {}),
      ...(typeof v.metadata === 'object' && v.metadata !== null ? { metadata: v.metadata as Record<string, unknown> } : {}),
    };
  });
}
