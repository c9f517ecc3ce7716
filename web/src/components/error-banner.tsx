/** A server error as a readable message: what went wrong, which input, and what to do about it. */
import { ApiError } from '../api-client.js';

export function ErrorBanner({ error, onDismiss }: { error: Error; onDismiss: () => void }) {
  const api = error instanceof ApiError ? error : null;
  return (
    <div class="error-banner" role="alert" data-code={api?.code ?? 'error'}>
      <div class="error-text">
        <strong>{api ? titleOf(api) : 'Something went wrong'}</strong>
        <span class="error-message">{error.message}</span>
        {api?.field && <span class="error-field">Input: <code>{api.field}</code></span>}
        {api && hintOf(api) && <span class="error-hint">{hintOf(api)}</span>}
      </div>
      <button type="button" class="icon-button" aria-label="Dismiss error" onClick={onDismiss}>×</button>
    </div>
  );
}

/** Titles per error code (codes from src/spec/errors.ts and src/server/http-errors.ts). */
function titleOf(error: ApiError): string {
  switch (error.code) {
    case 'invalid_input': return 'The request was not accepted';
    case 'limit_exceeded': return 'Over a server limit';
    case 'context_overflow': return 'Too long for the model';
    case 'overloaded': return 'The server is busy';
    case 'unauthorized': return 'API key required';
    case 'timeout': return 'The request timed out';
    case 'network': return 'Cannot reach the server';
    default:
      if (error.status === 503) return 'The server is not ready';
      return `Error ${error.status || ''} ${error.code}`.trim();
  }
}

function hintOf(error: ApiError): string | null {
  switch (error.code) {
    case 'limit_exceeded': return 'Send fewer or shorter documents, or raise the limit when starting the server.';
    case 'overloaded': return error.retryAfterSeconds ? `Try again in ${error.retryAfterSeconds} s.` : 'Try again in a moment.';
    case 'context_overflow': return 'Shorten the query or instruction, or use long-document windows.';
    case 'network': return 'Is `qwen-ranker serve` still running?';
    default:
      return error.status === 503 ? 'The model may still be loading; try again shortly.' : null;
  }
}
