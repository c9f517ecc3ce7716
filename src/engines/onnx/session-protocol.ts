// The messages between the ONNX engine's main thread (worker-session.ts) and its session worker (session-worker.ts):
// one request type per operation and one reply type per outcome, so each side reads them by their `type` alone.
import type { RerankerErrorCode } from '../../spec/errors.js';
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

/** Evaluate `tokens` after cache `past`; answered by `extended`. */
export interface ExtendRequest { type: 'extend'; id: number; tokens: number[]; past?: number }
/** Evaluate each document after cache `past`, in one run; answered by `scored`. */
export interface ScoreRequest { type: 'score'; id: number; documents: number[][]; past?: number }
/** Free cache `cache`; answered by `done`. */
export interface ReleaseRequest { type: 'release'; id: number; cache: number }
/** Release the session (writing its profile, if asked for); answered by `done`, then the worker's port closes. */
export interface CloseRequest { type: 'close'; id: number }
export type SessionRequest = ExtendRequest | ScoreRequest | ReleaseRequest | CloseRequest;

/** A thrown error as it crosses the thread boundary: the code of a RerankerError, or `undefined` for any other. */
export interface WireError { message: string; code: RerankerErrorCode | undefined }

/** The session is built and takes requests. */
export interface ReadyReply { type: 'ready' }
/** Building the session failed; the worker exits. */
export interface LoadFailedReply { type: 'load_failed'; error: WireError }
export interface ExtendedReply { type: 'extended'; id: number; cache: number }
/** logit(yes) − logit(no) at each document's last token, in request order. */
export interface ScoredReply { type: 'scored'; id: number; logits: number[] }
export interface DoneReply { type: 'done'; id: number }
/** The request `id` failed; the session goes on. */
export interface FailedReply { type: 'failed'; id: number; error: WireError }
export type SessionReply = ReadyReply | LoadFailedReply | ExtendedReply | ScoredReply | DoneReply | FailedReply;
/** The replies that answer one request. */
export type RequestReply = ExtendedReply | ScoredReply | DoneReply | FailedReply;
