export { createLlamaCppEngine, type LocalEngineOptions } from './llama-cpp-engine.js';
