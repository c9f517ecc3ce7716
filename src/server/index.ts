/** `qwen-ranker/server`: the HTTP server as a library. `createApp` builds the app (no socket; `app.inject()`
 * works), `serve` listens, loads the model in the background and drains on SIGTERM/SIGINT. */
export { createApp, type CreateAppOptions, type RerankerApp } from './create-app.js';
export { serve, type ServeOptions, type ServeHandle } from './serve.js';
export { DEFAULT_SERVER_LIMITS, SERVER_LIMIT_SETTINGS, type ServerLimits, type ResolvedServerLimits, type ServerLimitName, type ServerLimitSetting } from './server-limits.js';
export type { HttpErrorBody } from './http-errors.js';
export { readApiKeysFile } from './api-key-check.js';
