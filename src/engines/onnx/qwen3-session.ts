import type * as Ort from 'onnxruntime-node';
import type { GgufTensorFile } from './gguf-tensors.js';
import type { Qwen3Config } from './qwen3-config.js';
import { WEIGHTS_FILE } from './graph-builder.js';
import { buildQwen3Graph, GRAPH_IO } from './qwen3-graph.js';

type OrtModule = Pick<typeof Ort, 'InferenceSession' | 'Tensor'>;

/** Key/value tensors of every layer for the first `length` tokens of a prompt (GroupQueryAttention's `present`). */
export interface KeyValueCache {
  length: number;
  keys: Ort.Tensor[];
  values: Ort.Tensor[];
}

export interface Qwen3SessionOptions {
  threads: number;
  /** Writes onnxruntime's per-operator profile (JSON) to `<prefix>_<date>.json` on `close()`. Default: off. */
  profileFilePrefix?: string;
}

/** The Qwen3 graph of one GGUF in an onnxruntime session: prefix evaluation and per-document scoring. */
export class Qwen3Session {
  private readonly emptyCache: KeyValueCache;
  private readonly presentNames: string[];

  private constructor(
    private readonly ort: OrtModule,
    private readonly session: Ort.InferenceSession,
    private readonly file: GgufTensorFile,
    private readonly config: Qwen3Config,
    private readonly profiling: boolean,
  ) {
    const empty = () => new ort.Tensor('float32', new Float32Array(0), [1, config.kvHeads, 0, config.headDim]);
    const layers = Array.from({ length: config.layers }, (_, layer) => layer);
    this.emptyCache = { length: 0, keys: layers.map(empty), values: layers.map(empty) };
    this.presentNames = layers.flatMap((layer) => [GRAPH_IO.presentKey(layer), GRAPH_IO.presentValue(layer)]);
  }

  static async create(ort: OrtModule, file: GgufTensorFile, config: Qwen3Config, options: Qwen3SessionOptions): Promise<Qwen3Session> {
    const model = buildQwen3Graph(file, config);
    const session = await ort.InferenceSession.create(model.graph, {
      // AddExternalInitializersFromFilesInMemory: onnxruntime copies what it needs while creating the session, so
      // the buffer is garbage once this returns.
      externalData: [{ path: WEIGHTS_FILE, data: model.weights }],
      intraOpNumThreads: options.threads,
      interOpNumThreads: 1,
      executionMode: 'sequential',
      graphOptimizationLevel: 'all',
      logSeverityLevel: 3,
      ...(options.profileFilePrefix ? { enableProfiling: true, profileFilePrefix: options.profileFilePrefix } : {}),
    });
    return new Qwen3Session(ort, session, file, config, options.profileFilePrefix !== undefined);
  }

  /** Evaluates `tokens` after `past` and returns the key/value cache of `past + tokens`. */
  async extend(tokens: readonly number[], past: KeyValueCache = this.emptyCache): Promise<KeyValueCache> {
    const outputs = await this.session.run(this.feeds(tokens, past), this.presentNames);
    const layers = Array.from({ length: this.config.layers }, (_, layer) => layer);
    return {
      length: past.length + tokens.length,
      keys: layers.map((layer) => outputs[GRAPH_IO.presentKey(layer)]!),
      values: layers.map((layer) => outputs[GRAPH_IO.presentValue(layer)]!),
    };
  }

  /** Evaluates `tokens` after `past` and returns logit(yes) − logit(no) at the last token. */
  async score(tokens: readonly number[], past: KeyValueCache = this.emptyCache): Promise<number> {
    const outputs = await this.session.run(this.feeds(tokens, past), [GRAPH_IO.answerLogits]);
    const logits = outputs[GRAPH_IO.answerLogits]!.data as Float32Array;
    return logits[0]! - logits[1]!;
  }

  async close(): Promise<void> {
    if (this.profiling) this.session.endProfiling();
    await this.session.release();
    this.file.close();
  }

  /** Token embeddings are looked up here, one dequantized row per token, rather than stored in the graph. */
  private feeds(tokens: readonly number[], past: KeyValueCache): Record<string, Ort.Tensor> {
    const { hidden, layers } = this.config;
    const embeddings = new Float32Array(tokens.length * hidden);
    tokens.forEach((token, i) => this.file.readRow('token_embd.weight', token, embeddings.subarray(i * hidden, (i + 1) * hidden)));
    const total = past.length + tokens.length;
    const feeds: Record<string, Ort.Tensor> = {
      [GRAPH_IO.embeddings]: new this.ort.Tensor('float32', embeddings, [1, tokens.length, hidden]),
      // GroupQueryAttention: seqlens_k = total length − 1 per batch entry; total_sequence_length is a scalar.
      [GRAPH_IO.seqlensK]: new this.ort.Tensor('int32', Int32Array.of(total - 1), [1]),
      [GRAPH_IO.totalSequenceLength]: new this.ort.Tensor('int32', Int32Array.of(total), []),
    };
    for (let layer = 0; layer < layers; layer++) {
      feeds[GRAPH_IO.pastKey(layer)] = past.keys[layer]!;
      feeds[GRAPH_IO.pastValue(layer)] = past.values[layer]!;
    }
    return feeds;
  }
}
