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
  const out: Array<{ line: number; value: unknown }> = [];
  text.split('\n').forEach((raw, i) => {
    if (raw.trim() === '') return;
    try {
      out.push({ line: i + 1, value: JSON.parse(raw) });
    } catch {
      throw new InvalidInputError(`${option}:${i + 1}`, `line ${i + 1} of ${option} is not valid JSON`);
    }
  });
  return out;
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
