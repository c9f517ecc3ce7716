import { createHash } from 'node:crypto';
import { createReadStream } from 'node:fs';
import { UnreadableFileError } from './parsed-document.js';

/**
 * Plain-text files larger than this are read in blocks of this size: a 200 MB file read whole peaked at 4.0 GB
 * resident (bytes, the decoded string, its pre-tokens and all chunks at once). Smaller files are parsed whole, as
 * every other format is.
 */
export const TEXT_BLOCK_BYTES = 4 * 1024 * 1024;

/** What a first pass over a file learns without holding it: its hash and the encoding `decodeText` would pick. */
export interface TextFileFacts {
  sha256: string;
  size: number;
  encoding: 'utf-8' | 'windows-1252';
}

/** Hashes a file and picks its encoding as `decodeText` does (UTF-8 unless invalid; NUL bytes: not text). */
export async function readTextFileFacts(path: string): Promise<TextFileFacts> {
  const hash = createHash('sha256');
  const utf8 = new TextDecoder('utf-8', { fatal: true });
  let encoding: TextFileFacts['encoding'] = 'utf-8';
  let size = 0;
  for await (const block of createReadStream(path, { highWaterMark: TEXT_BLOCK_BYTES }) as AsyncIterable<Buffer>) {
    hash.update(block);
    size += block.length;
    if (block.includes(0)) throw new UnreadableFileError('binary content (NUL bytes) in a text file');
    if (encoding === 'utf-8') {
      try {
        utf8.decode(block, { stream: true });
      } catch {
        encoding = 'windows-1252';
      }
    }
  }
  if (encoding === 'utf-8') {
    try {
      utf8.decode();
    } catch {
      encoding = 'windows-1252';
    }
  }
  return { sha256: hash.digest('hex'), size, encoding };
}

/**
 * The text of a file as sections of about `TEXT_BLOCK_BYTES`, each ending at a paragraph break (else a line break)
 * so that no chunk needs text from two sections; decoded, NFC-normalized and with `\r\n` → `\n` as `decodeText`
 * does (both stay within a line). Leading and trailing whitespace of the file is dropped, as for a whole file.
 */
export async function* textFileSections(path: string, encoding: TextFileFacts['encoding']): AsyncGenerator<string> {
  const decoder = new TextDecoder(encoding);
  let carry = '';
  let first = true;
  const emit = (text: string): string => {
    const normalized = text.normalize('NFC').replace(/\r\n?/g, '\n');
    const section = first ? normalized.trimStart() : normalized;
    if (section) first = false;
    return section;
  };
  for await (const block of createReadStream(path, { highWaterMark: TEXT_BLOCK_BYTES }) as AsyncIterable<Buffer>) {
    const text = carry + decoder.decode(block, { stream: true });
    const half = Math.floor(text.length / 2);
    let cut = text.lastIndexOf('\n\n');
    if (cut < half) cut = text.lastIndexOf('\n');
    if (cut < 0) cut = text.length; // one line of megabytes: cut it where the block ends
    carry = text.slice(cut);
    const section = emit(text.slice(0, cut));
    if (section) yield section;
  }
  const rest = emit(carry + decoder.decode()).trimEnd();
  if (rest) yield rest;
}
