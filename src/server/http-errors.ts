import type { FastifyError } from 'fastify';
import {
  isRerankerError,
  InvalidInputError,
  NotFoundError,
  LimitExceededError,
  OverloadedError,
  EngineUnavailableError,
  ContextOverflowError,
  type RerankerError,
} from '../index.js';

/** The JSON body of every error response: `{error: {code, message, field}}`. */
export interface HttpErrorBody {
  error: {
    /** A `RerankerErrorCode`, or `not_found` / `unsupported_media_type` / `internal_error` for HTTP-level errors. */
    code: string;
    message: string;
    /** The offending input as a JSON path (`documents[3]`), or null when no single field is at fault. */
    field: string | null;
    /** For `limit_exceeded`: the limit's option name and value. */
    limit?: string;
    max?: number;
  };
}

export interface HttpError {
  status: number;
  body: HttpErrorBody;
  /** Seconds for the `Retry-After` header (RFC 9110 §10.2.3) on 429/503. */
  retryAfterSeconds?: number;
}

/** Seconds a client should wait while the model loads or the server drains. */
const UNAVAILABLE_RETRY_AFTER_SECONDS = 5;

/** Status for each stable error code. 499 is nginx's "client closed request": only ever seen in logs. */
const STATUS_BY_CODE: Record<RerankerError['code'], number> = {
  invalid_input: 400,
  not_found: 404,
  limit_exceeded: 422,
  context_overflow: 422,
  unauthorized: 401,
  overloaded: 429,
  aborted: 499,
  timeout: 503,
  engine_unavailable: 503,
  engine_failed: 500,
  callback_failed: 500,
  closed: 503,
  corrupt_knowledge_base: 500,
  not_supported: 501,
  model_not_found: 503,
  model_load_failed: 503,
  not_a_reranker: 503,
  download_failed: 503,
  offline: 503,
};

/** Maps any thrown value to an HTTP status and the error body. The one place codes become statuses.
 * `bodyLimit` names the limit in 413 answers (Fastify's own error does not carry it). */
export function toHttpError(error: unknown, context: { bodyLimit: number }): HttpError {
  if (isRerankerError(error)) return fromRerankerError(error);
  const fastifyError = error as Partial<FastifyError> | undefined;
  if (fastifyError?.validation) {
    const first = fastifyError.validation[0];
    const field = first ? validationField(first.instancePath, first.params) : null;
    const message = first ? `${field ?? 'body'} ${first.message ?? 'is invalid'}` : (fastifyError.message ?? 'invalid request');
    return errorOf(400, 'invalid_input', message, field);
  }
  switch (fastifyError?.code) {
    case 'FST_ERR_CTP_BODY_TOO_LARGE':
      return errorOf(413, 'limit_exceeded', `request body is larger than ${context.bodyLimit} bytes`, 'body', {
        limit: 'bodyLimit',
        max: context.bodyLimit,
      });
    case 'FST_ERR_CTP_EMPTY_JSON_BODY':
      return errorOf(400, 'invalid_input', 'request body is empty; send a JSON object', 'body');
    case 'FST_ERR_CTP_INVALID_JSON_BODY':
      return errorOf(400, 'invalid_input', 'request body is not valid JSON', 'body');
    case 'FST_ERR_CTP_INVALID_MEDIA_TYPE':
      return errorOf(415, 'unsupported_media_type', 'send the body as JSON with Content-Type: application/json', 'body');
    case 'FST_ERR_CTP_INVALID_CONTENT_LENGTH':
      return errorOf(400, 'invalid_input', 'Content-Length does not match the body', 'body');
    case 'FST_ERR_BAD_URL':
      return errorOf(400, 'invalid_input', 'the URL is not valid percent-encoded UTF-8', 'url');
    case 'FST_ERR_MAX_PARAM_LENGTH':
      // Fastify's router default `maxParamLength` (https://fastify.dev/docs/latest/Reference/Server/#maxparamlength).
      return errorOf(414, 'limit_exceeded', 'a path parameter is longer than 100 characters', 'url', { limit: 'maxParamLength', max: 100 });
    case 'FST_ERR_NOT_FOUND':
      return errorOf(404, 'not_found', fastifyError.message ?? 'not found', null);
  }
  const status = fastifyError?.statusCode;
  if (typeof status === 'number' && status >= 400 && status < 500) {
    return errorOf(status, 'invalid_input', fastifyError?.message ?? 'bad request', null);
  }
  return errorOf(500, 'internal_error', 'internal server error', null);
}

function fromRerankerError(error: RerankerError): HttpError {
  const status = STATUS_BY_CODE[error.code] ?? 500;
  if (error instanceof LimitExceededError) {
    const limitStatus = error.limit === 'bodyLimit' ? 413 : status;
    return errorOf(limitStatus, error.code, error.message, error.field, { limit: error.limit, max: error.max });
  }
  const field = error instanceof InvalidInputError || error instanceof NotFoundError || error instanceof ContextOverflowError ? error.field : null;
  const result = errorOf(status, error.code, error.message, field);
  if (error instanceof OverloadedError) result.retryAfterSeconds = error.retryAfterSeconds;
  else if (error instanceof EngineUnavailableError) result.retryAfterSeconds = error.retryAfterSeconds ?? UNAVAILABLE_RETRY_AFTER_SECONDS;
  else if (status === 503) result.retryAfterSeconds = UNAVAILABLE_RETRY_AFTER_SECONDS;
  return result;
}

function errorOf(
  status: number,
  code: string,
  message: string,
  field: string | null,
  limit?: { limit: string; max: number | undefined },
): HttpError {
  const body: HttpErrorBody = { error: { code, message, field } };
  if (limit) {
    body.error.limit = limit.limit;
    if (limit.max !== undefined) body.error.max = limit.max;
  }
  return { status, body };
}

/**
 * Turns an Ajv error location into the field path clients see: `/documents/3` → `documents[3]`; a missing or
 * unexpected property is named by itself (`params.missingProperty` / `params.additionalProperty`, see
 * https://ajv.js.org/api.html#error-parameters).
 */
export function validationField(instancePath: string, params: Record<string, unknown> = {}): string | null {
  const segments = instancePath
    .split('/')
    .slice(1)
    .map((segment) => segment.replace(/~1/g, '/').replace(/~0/g, '~'));
  const extra = params.missingProperty ?? params.additionalProperty;
  if (typeof extra === 'string') segments.push(extra);
  if (segments.length === 0) return null;
  return segments.reduce((path, segment) => (/^\d+$/.test(segment) ? `${path}[${segment}]` : path ? `${path}.${segment}` : segment), '');
}
