export { createOnnxEngine, type OnnxEngineOptions } from './onnx-engine.js';
export { UnsupportedTensorTypeError } from './gguf-tensors.js';
