import { InvalidInputError } from '../spec/errors.js';

/** Bounds of an integer option; `max` defaults to no bound. */
export interface IntegerBounds {
  min: number;
  max?: number;
  /** Why the upper bound is what it is, appended to the error (e.g. "this machine's logical cores"). */
  maxReason?: string;
}

/** An engine option that must be an integer within bounds: `fallback` when absent, else the value or an
 * `InvalidInputError` naming `field` and the accepted range. */
export function integerOption(value: number | undefined, fallback: number, field: string, bounds: IntegerBounds): number {
  if (value === undefined) return fallback;
  const { min, max = Number.POSITIVE_INFINITY } = bounds;
  if (!Number.isSafeInteger(value) || value < min || value > max) {
    const range = max === Number.POSITIVE_INFINITY ? `an integer ≥ ${min}` : `an integer from ${min} to ${max}${bounds.maxReason ? ` (${bounds.maxReason})` : ''}`;
    throw new InvalidInputError(field, `${field} must be ${range}, got ${String(value)}`);
  }
  return value;
}
