import { SingleBar, Presets } from 'cli-progress';
import { isRerankerError, RerankerError, InvalidInputError, NotFoundError, type DownloadProgress } from '../index.js';

/** Exit codes: 1 = runtime failure, 2 = bad input / usage (like commander's own usage errors). */
const INPUT_CODES = new Set(['invalid_input', 'not_found', 'limit_exceeded', 'context_overflow', 'model_not_found', 'not_a_reranker']);

/** The process exit code for an error: 2 for bad input or usage, 1 for everything else. */
export function exitCodeFor(error: unknown): number {
  return isRerankerError(error) && INPUT_CODES.has(error.code) ? 2 : 1;
}

/** Formats any error as one line for the terminal: `error [code] message (field)`. No stack traces. */
export function formatCliError(error: unknown): string {
  if (isRerankerError(error)) {
    const field = error instanceof InvalidInputError || error instanceof NotFoundError ? ` (${error.field})` : '';
    return `qwen-ranker: error [${error.code}] ${error.message}${field}`;
  }
  const message = error instanceof Error ? error.message : String(error);
  return `qwen-ranker: error ${message.split('\n')[0]}`;
}

const ESCAPES: Record<string, string> = { '\n': '\\n', '\r': '\\r', '\t': '\\t' };

/**
 * Text from files (names, headings, chunks) made safe to print on a terminal: control characters (C0, DEL, C1 —
 * newlines, ESC sequences), Unicode line separators and bidirectional overrides are shown as escapes, so a file
 * name cannot forge output lines or drive the terminal.
 */
export function printable(text: string): string {
  return text.replace(
    // eslint-disable-next-line no-control-regex -- matching control characters is the point
    /[\u0000-\u001f\u007f-\u009f\u2028\u2029\u202a-\u202e\u2066-\u2069]/g,
    (c) => ESCAPES[c] ?? `\\u${c.charCodeAt(0).toString(16).padStart(4, '0')}`,
  );
}

/** Wraps a command action: prints a one-line error and sets a non-zero exit code instead of throwing. */
export function action<A extends unknown[]>(fn: (...args: A) => Promise<void>): (...args: A) => Promise<void> {
  return async (...args: A) => {
    try {
      await fn(...args);
    } catch (error) {
      process.stderr.write(`${formatCliError(error)}\n`);
      process.exitCode = exitCodeFor(error);
    }
  };
}

/** A progress bar on stderr (so stdout stays machine-readable). Hidden when stderr is not a TTY unless forced. */
export function createProgressBar(label: string, total: number, options: { force?: boolean } = {}): SingleBar {
  const bar = new SingleBar(
    {
      format: `${label} [{bar}] {percentage}% | {value}/{total} | {rate}/s | ETA {eta_formatted}`,
      stream: process.stderr,
      noTTYOutput: options.force ?? false,
      notTTYSchedule: 2000,
      hideCursor: true,
      clearOnComplete: false,
    },
    Presets.shades_classic,
  );
  bar.start(total, 0, { rate: '0.0' });
  return bar;
}

/** Parses a positive integer CLI option; throws `InvalidInputError` naming the option. */
export function parsePositiveInt(option: string): (value: string) => number {
  return parseIntegerAtLeast(option, 1);
}

/** Parses an integer ≥ 0; throws `InvalidInputError` naming the option. */
export function parseNonNegativeInt(option: string): (value: string) => number {
  return parseIntegerAtLeast(option, 0);
}

function parseIntegerAtLeast(option: string, minimum: 0 | 1): (value: string) => number {
  const what = minimum === 1 ? 'a positive integer' : 'a non-negative integer';
  return (value: string) => {
    const n = Number(value);
    if (!Number.isSafeInteger(n) || n < minimum) throw new InvalidInputError(option, `${option} must be ${what}, got "${value}"`);
    return n;
  };
}

/** Parses a number in [0, 1]; throws `InvalidInputError` naming the option. */
export function parseProbability(option: string): (value: string) => number {
  return (value: string) => {
    const n = Number(value);
    if (!Number.isFinite(n) || n < 0 || n > 1) throw new InvalidInputError(option, `${option} must be a number between 0 and 1, got "${value}"`);
    return n;
  };
}

export { RerankerError };

const MB = 1e6;

/** A progress bar in megabytes with the rate of this session (a resumed download starts part-way). */
export function createDownloadBar(): { update: (progress: DownloadProgress) => void; stop: () => void } {
  let bar: ReturnType<typeof createProgressBar> | undefined;
  let start: { time: number; bytes: number } | undefined;
  return {
    update: ({ downloadedBytes, totalBytes, file }) => {
      if (totalBytes === undefined) return;
      start ??= { time: Date.now(), bytes: downloadedBytes };
      bar ??= createProgressBar(`${file} (MB)`, Math.ceil(totalBytes / MB));
      const seconds = (Date.now() - start.time) / 1000;
      const rate = seconds > 0 ? (downloadedBytes - start.bytes) / MB / seconds : 0;
      bar.update(Math.floor(downloadedBytes / MB), { rate: rate.toFixed(1) });
    },
    stop: () => bar?.stop(),
  };
}
