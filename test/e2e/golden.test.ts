// The golden cases on the llama.cpp engine (test/helpers/golden-suite.ts; the ONNX engine's run in
// onnx-golden.test.ts).
import { describeGoldenCases } from '../helpers/golden-suite.js';

describeGoldenCases('llama-cpp');
