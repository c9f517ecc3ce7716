import { UnreadableFileError } from './parsed-document.js';

const utf8 = new TextDecoder('utf-8', { fatal: true });
const windows1252 = new TextDecoder('windows-1252');

/**
 * Decodes a text file: UTF-8 (BOM dropped), else Windows-1252, the usual encoding of older Western text files
 * (every byte sequence is valid in it, so it cannot fail). A NUL byte means the file is binary, not text.
 */
export function decodeText(bytes: Uint8Array): string {
  if (bytes.includes(0)) throw new UnreadableFileError('binary content (NUL bytes) in a text file');
  let text: string;
  try {
    text = utf8.decode(bytes);
  } catch {
    text = windows1252.decode(bytes);
  }
  // NFC as the Qwen3 tokenizer normalizes (tokenizer.json `normalizer`), so chunk offsets match its tokens.
  return text.normalize('NFC').replace(/\r\n?/g, '\n');
}
