/**
 * Typed errors with stable codes. Interfaces (CLI, server) map `code` to exit codes / HTTP statuses in one place;
 * tests assert on `code`, never on messages. Shape follows the AI SDK's `AISDKError`/`APICallError` (`isRetryable`).
 */
export type RerankerErrorCode =
  | 'invalid_input'
  | 'not_found'
  | 'limit_exceeded'
  | 'context_overflow'
  | 'model_not_found'
  | 'model_load_failed'
  | 'not_a_reranker'
  | 'download_failed'
  | 'offline'
  | 'overloaded'
  | 'engine_unavailable'
  | 'engine_failed'
  | 'callback_failed'
  | 'timeout'
  | 'aborted'
  | 'unauthorized'
  | 'closed'
  | 'corrupt_knowledge_base'
  /** The running engine cannot do this (e.g. tokenize without a local model file). */
  | 'not_supported';

export interface RerankerErrorOptions {
  cause?: unknown;
  retryable?: boolean;
}

/** Marks every RerankerError, so `isRerankerError` also recognises errors from a second copy of this package in a
 * user's bundle, where `instanceof` fails (the AI SDK's `AISDKError.isInstance` uses the same registry symbol). */
const errorMarker = Symbol.for('qwen-ranker.error');

export class RerankerError extends Error {
  readonly code: RerankerErrorCode;
  readonly retryable: boolean;
  private readonly [errorMarker] = true;

  constructor(code: RerankerErrorCode, message: string, options: RerankerErrorOptions = {}) {
    super(message, options.cause === undefined ? undefined : { cause: options.cause });
    this.name = new.target.name;
    this.code = code;
    this.retryable = options.retryable ?? false;
  }
}

/** Bad input from a caller. `field` names the offending input (a JSON path such as `documents[3]`). */
export class InvalidInputError extends RerankerError {
  readonly field: string;
  constructor(field: string, message: string, options: RerankerErrorOptions = {}) {
    super('invalid_input', message, options);
    this.field = field;
  }
}

/** A named resource (a knowledge base, a file) that does not exist. `field` names the input that named it. */
export class NotFoundError extends RerankerError {
  readonly field: string;
  constructor(field: string, message: string) {
    super('not_found', message);
    this.field = field;
  }
}

/** Input over a configured limit (documents per request, tokens, body size...). `limit` names the limit. */
export class LimitExceededError extends RerankerError {
  readonly field: string;
  readonly limit: string;
  readonly max: number;
  constructor(field: string, limit: string, max: number, message: string) {
    super('limit_exceeded', message);
    this.field = field;
    this.limit = limit;
    this.max = max;
  }
}

/** A prompt that cannot fit the context even after truncation. `field` names the input to change: `query` when
 * the instruction and query leave no room, `maxLength` when the cap is below the template's fixed tokens. */
export class ContextOverflowError extends RerankerError {
  readonly field: string;
  readonly requiredTokens: number;
  readonly availableTokens: number;
  constructor(field: string, requiredTokens: number, availableTokens: number, message: string) {
    super('context_overflow', message);
    this.field = field;
    this.requiredTokens = requiredTokens;
    this.availableTokens = availableTokens;
  }
}

export class ModelLoadError extends RerankerError {
  constructor(
    code: 'model_not_found' | 'model_load_failed' | 'not_a_reranker' | 'download_failed' | 'offline',
    message: string,
    options: RerankerErrorOptions = {},
  ) {
    super(code, message, options);
  }
}

/** The engine or its queue is full. `retryAfterSeconds` becomes the HTTP `Retry-After` header. */
export class OverloadedError extends RerankerError {
  readonly retryAfterSeconds: number;
  constructor(message: string, retryAfterSeconds = 1) {
    super('overloaded', message, { retryable: true });
    this.retryAfterSeconds = retryAfterSeconds;
  }
}

/** A remote engine (or every endpoint of a fleet) cannot be reached. */
export class EngineUnavailableError extends RerankerError {
  readonly retryAfterSeconds: number | undefined;
  constructor(message: string, options: RerankerErrorOptions & { retryAfterSeconds?: number } = {}) {
    super('engine_unavailable', message, { retryable: true, ...options });
    this.retryAfterSeconds = options.retryAfterSeconds;
  }
}

export class AbortedError extends RerankerError {
  constructor(message = 'The operation was aborted', options: RerankerErrorOptions = {}) {
    super('aborted', message, options);
  }
}

export class TimeoutError extends RerankerError {
  constructor(message: string) {
    super('timeout', message, { retryable: true });
  }
}

/** A caller's callback (`onProgress`) threw: the request it was given to fails with this error (`cause`: what it
 * threw); the engine and every other request go on. */
export class CallbackError extends RerankerError {
  constructor(callback: string, cause: unknown) {
    super('callback_failed', `${callback} threw: ${cause instanceof Error ? cause.message : String(cause)}`, { cause });
  }
}

/** True for any qwen-ranker error, including one thrown by another copy of the package. */
export function isRerankerError(error: unknown): error is RerankerError {
  return typeof error === 'object' && error !== null && (error as Record<symbol, unknown>)[errorMarker] === true;
}

/** Throws `AbortedError` (carrying the signal's reason) if `signal` is aborted. */
export function throwIfAborted(signal: AbortSignal | undefined): void {
  if (signal?.aborted) {
    const reason: unknown = signal.reason;
    if (isRerankerError(reason)) throw reason;
    throw new AbortedError(reason instanceof Error ? reason.message : 'The operation was aborted', { cause: reason });
  }
}
