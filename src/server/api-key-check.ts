import { createHash, timingSafeEqual } from 'node:crypto';
import { readFile } from 'node:fs/promises';

/**
 * Checks `Authorization: Bearer <key>` headers against a set of keys in constant time: every key is compared
 * (no early exit), and keys are compared as SHA-256 digests so that neither a key's length nor its content leaks
 * through timing (`timingSafeEqual` needs equal lengths).
 */
export function createApiKeyCheck(keys: readonly string[]): (authorizationHeader: string | undefined) => boolean {
  const digests = keys.map(digest);
  return (authorizationHeader) => {
    const presented = bearerToken(authorizationHeader);
    if (presented === undefined) return false;
    const candidate = digest(presented);
    let matched = false;
    for (const key of digests) matched = timingSafeEqual(candidate, key) || matched;
    return matched;
  };
}

/** The token of an `Authorization: Bearer <token>` header (RFC 6750 §2.1; the scheme is case-insensitive). */
export function bearerToken(header: string | undefined): string | undefined {
  const match = /^Bearer[ ]+(\S+)\s*$/i.exec(header ?? '');
  return match?.[1];
}

/** Reads API keys from a file: one key per line; blank lines and lines starting with `#` are ignored. */
export async function readApiKeysFile(path: string): Promise<string[]> {
  const text = await readFile(path, 'utf8');
  return text
    .split(/\r?\n/)
    .map((line) => line.trim())
    .filter((line) => line !== '' && !line.startsWith('#'));
}

function digest(value: string): Buffer {
  return createHash('sha256').update(value, 'utf8').digest();
}
