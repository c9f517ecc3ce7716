import type * as Ort from 'onnxruntime-node';
import type { Qwen3Weights } from './gguf-tensors.js';
import type { Qwen3Config } from './qwen3-config.js';
import { WEIGHTS_FILE } from './graph-builder.js';
import { ATTENTION_ALIGNMENT, buildQwen3Graph, GRAPH_IO, type Qwen3GraphOptions } from './qwen3-graph.js';

type OrtModule = Pick<typeof Ort, 'InferenceSession' | 'Tensor'>;

/** Key/value tensors of every layer for the first `length` tokens of a prompt (GroupQueryAttention's `present`). */
export interface KeyValueCache {
  length: number;
  keys: Ort.Tensor[];
  values: Ort.Tensor[];
}

export interface Qwen3SessionOptions extends Qwen3GraphOptions {
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
    private readonly file: Qwen3Weights,
    private readonly config: Qwen3Config,
    private readonly profiling: boolean,
  ) {
    const empty = () => new ort.Tensor('float32', new Float32Array(0), [1, config.kvHeads, 0, config.headDim]);
    const layers = Array.from({ length: config.layers }, (_, layer) => layer);
    this.emptyCache = { length: 0, keys: layers.map(empty), values: layers.map(empty) };
    this.presentNames = layers.flatMap((layer) => [GRAPH_IO.presentKey(layer), GRAPH_IO.presentValue(layer)]);
  }

  static async create(ort: OrtModule, file: Qwen3Weights, config: Qwen3Config, options: Qwen3SessionOptions): Promise<Qwen3Session> {
    const model = buildQwen3Graph(file, config, options);
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
    const outputs = await this.session.run(this.feeds([tokens], past, true), this.presentNames);
    const layers = Array.from({ length: this.config.layers }, (_, layer) => layer);
    return {
      length: past.length + tokens.length,
      keys: layers.map((layer) => outputs[GRAPH_IO.presentKey(layer)]!),
      values: layers.map((layer) => outputs[GRAPH_IO.presentValue(layer)]!),
    };
  }

  /**
   * Evaluates each of `documents` after `past`, packed into one run, and returns logit(yes) − logit(no) at each
   * one's last token (each document sees `past` and itself only: see buildQwen3Graph).
   */
  async score(documents: readonly (readonly number[])[], past: KeyValueCache = this.emptyCache): Promise<number[]> {
    const outputs = await this.session.run(this.feeds(documents, past, false), [GRAPH_IO.answerLogits]);
    const logits = outputs[GRAPH_IO.answerLogits]!.data as Float32Array;
    return documents.map((_, i) => logits[2 * i]! - logits[2 * i + 1]!);
  }

  async close(): Promise<void> {
    if (this.profiling) this.session.endProfiling();
    await this.session.release();
    this.file.close();
  }

  /**
   * Token embeddings are looked up here, one dequantized row per token, rather than stored in the graph. Documents
   * are laid out for attention from rows aligned to `ATTENTION_ALIGNMENT` (see buildQwen3Graph).
   */
  private feeds(documents: readonly (readonly number[])[], past: KeyValueCache, keepKeyValues: boolean): Record<string, Ort.Tensor> {
    const { hidden, layers } = this.config;
    const length = documents.reduce((sum, tokens) => sum + tokens.length, 0);
    const align = (row: number) => Math.ceil(row / ATTENTION_ALIGNMENT) * ATTENTION_ALIGNMENT;
    const rows = documents.slice(0, -1).reduce((row, tokens) => align(row + tokens.length), 0) + documents.at(-1)!.length;
    const embeddings = new Float32Array(length * hidden);
    const tokenRows = new BigInt64Array(length);
    const lastTokens = new BigInt64Array(documents.length);
    const lastRows = new BigInt64Array(documents.length);
    // Gap rows: a copy of token 0 at the prefix's end, in document −1.
    const attentionRows = new BigInt64Array(rows);
    const positions = new BigInt64Array(rows).fill(BigInt(past.length));
    const owners = new Int32Array(rows).fill(-1);
    let token = 0;
    let row = 0;
    documents.forEach((tokens, document) => {
      tokens.forEach((id, i) => {
        this.file.readRow('token_embd.weight', id, embeddings.subarray(token * hidden, (token + 1) * hidden));
        tokenRows[token] = BigInt(row + i);
        attentionRows[row + i] = BigInt(token);
        positions[row + i] = BigInt(past.length + i);
        owners[row + i] = document;
        token++;
      });
      lastTokens[document] = BigInt(token - 1);
      lastRows[document] = BigInt(row + tokens.length - 1);
      row = align(row + tokens.length);
    });
    const feeds: Record<string, Ort.Tensor> = {
      [GRAPH_IO.embeddings]: new this.ort.Tensor('float32', embeddings, [1, length, hidden]),
      [GRAPH_IO.tokenRows]: new this.ort.Tensor('int64', tokenRows, [length]),
      [GRAPH_IO.attentionRows]: new this.ort.Tensor('int64', attentionRows, [rows]),
      [GRAPH_IO.positions]: new this.ort.Tensor('int64', positions, [1, rows]),
      [GRAPH_IO.documents]: new this.ort.Tensor('int32', owners, [rows]),
      [GRAPH_IO.lastTokens]: new this.ort.Tensor('int64', lastTokens, [documents.length]),
      [GRAPH_IO.lastRows]: new this.ort.Tensor('int64', lastRows, [documents.length]),
      [GRAPH_IO.keepKeyValues]: new this.ort.Tensor('bool', Uint8Array.of(keepKeyValues ? 1 : 0), []),
    };
    for (let layer = 0; layer < layers; layer++) {
      feeds[GRAPH_IO.pastKey(layer)] = past.keys[layer]!;
      feeds[GRAPH_IO.pastValue(layer)] = past.values[layer]!;
    }
    return feeds;
  }
}
