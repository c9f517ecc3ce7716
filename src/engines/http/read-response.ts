import type { Static, TSchema } from 'typebox';
import Value from 'typebox/value';
import { EndpointError } from './http-request.js';

/**
 * Checks another server's answer against a tolerant schema (extra fields allowed, only what we read is required).
 * A mismatch is that endpoint's fault: the fleet retries elsewhere.
 */
export function readResponse<T extends TSchema>(schema: T, body: unknown, what: string): Static<T> {
  if (Value.Check(schema, body)) return body;
  const first = Value.Errors(schema, body)[0];
  const where = first ? `${first.instancePath || '/'} ${first.message}` : 'unexpected shape';
  throw new EndpointError('malformed', `${what} answer does not match its API: ${where}`);
}

/**
 * Puts `(index, value)` entries back in input order. Servers sort results by score and some cut them to `top_n`,
 * so every index 0..count−1 must appear exactly once.
 */
export function valuesByIndex(entries: ReadonlyArray<{ index: number; value: number }>, count: number, what: string): number[] {
  const values = new Array<number | undefined>(count).fill(undefined);
  for (const { index, value } of entries) {
    if (index < 0 || index >= count || values[index] !== undefined) {
      throw new EndpointError('malformed', `${what} answer has a missing, repeated or out-of-range index ${index} for ${count} documents`);
    }
    if (!Number.isFinite(value)) throw new EndpointError('malformed', `${what} answer has a non-finite score for document ${index}`);
    values[index] = value;
  }
  const missing = values.findIndex((v) => v === undefined);
  if (missing !== -1) throw new EndpointError('malformed', `${what} answer has no score for document ${missing} of ${count}`);
  return values as number[];
}
