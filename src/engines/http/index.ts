export type { HttpEngineOptions } from './http-engine-options.js';
export type { EndpointStatus } from './endpoint-state.js';
export { createHttpEngine } from './http-engine.js';
