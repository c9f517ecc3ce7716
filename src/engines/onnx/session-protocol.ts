import type { GgufLayout } from './gguf-tensors.js';
import type { Qwen3Config } from './qwen3-config.js';
import type { Qwen3SessionOptions } from './qwen3-session.js';

/** What the session's worker thread starts from (structured-cloned: plain data only). */
export interface SessionWorkerData {
  layout: GgufLayout;
  config: Qwen3Config;
  options: Qwen3SessionOptions;
  /** Set when running from TypeScript sources (tests): tsx's loader, registered in the worker before its entry. */
  tsxLoader?: string;
  /** URL of the worker's entry module. */
  entry: string;
}

/** A key/value cache kept in the worker, known to the main thread by id and token count. */
export interface PrefixHandle {
  id: number;
  length: number;
}

export type SessionRequest =
  | { id: number; op: 'extend'; tokens: number[]; past?: number }
  | { id: number; op: 'score'; documents: number[][]; past?: number }
  | { id: number; op: 'release'; cache: number }
  | { id: number; op: 'close' };

/** A cache id (`extend`), one logit difference per document (`score`), 0 (`release`, `close`). */
export type SessionResult = number | number[];

export type SessionReply =
  | { type: 'ready' }
  | { type: 'result'; id: number; value: SessionResult }
  | { type: 'error'; id?: number; message: string; code?: string };
