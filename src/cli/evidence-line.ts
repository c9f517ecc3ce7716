import type { EvidenceSpan } from '../index.js';
import { printable } from './util.js';

/** Characters of the best sentence shown under a result row. */
const SHOWN_CHARACTERS = 100;

/** The line under a result in a table: `↳ 0.9132  <best evidence sentence>`, whitespace collapsed, cut to fit. */
export function evidenceLine(evidence: readonly EvidenceSpan[] | undefined, indent: string): string | undefined {
  const best = evidence?.[0];
  if (!best) return undefined;
  const text = best.text.replace(/\s+/g, ' ').trim();
  const shown = text.length > SHOWN_CHARACTERS ? `${text.slice(0, SHOWN_CHARACTERS - 1)}…` : text;
  return `${indent}↳ ${best.score.toFixed(4)}  ${printable(shown)}`;
}
