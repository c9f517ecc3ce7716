// The golden cases on the ONNX Runtime engine, with the llama.cpp engine's tolerances (test/helpers/golden-suite.ts).
import { describeGoldenCases } from '../helpers/golden-suite.js';

describeGoldenCases('onnx');
