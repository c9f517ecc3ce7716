import onnxProto from 'onnx-proto';

const { onnx } = onnxProto;
type NodeProto = onnxProto.onnx.INodeProto;
type TensorProto = onnxProto.onnx.ITensorProto;
type ValueInfoProto = onnxProto.onnx.IValueInfoProto;
type AttributeProto = onnxProto.onnx.IAttributeProto;
type GraphProto = onnxProto.onnx.IGraphProto;

export const DataType = onnx.TensorProto.DataType;
export type AttributeValue = number | string | number[] | { float: number } | { graph: GraphProto };
/** A dimension: a size, or a name for a size known only at run time. */
export type Dim = number | string;

/** ONNX IR version and opsets this graph is written for (onnx/onnx docs/Versioning.md; ORT 1.30 runs IR ≤ 11). */
const IR_VERSION = 8;
const OPSETS = [
  { domain: '', version: 17 },
  { domain: 'com.microsoft', version: 1 },
];

/** Name under which the weights buffer is handed to onnxruntime (`SessionOptions.externalData[].path`). */
export const WEIGHTS_FILE = 'weights.bin';

/** Byte alignment of each weight in the weights buffer, so that fills can write through Float32Array views. */
const WEIGHT_ALIGNMENT = 64;

/** A weight's name, element type, shape and size in bytes. */
export interface WeightSpec {
  name: string;
  dataType: number;
  dims: readonly number[];
  byteLength: number;
}

/** A subgraph's input or output: its name, element type and, when known, its shape. */
export interface ValueSpec {
  name: string;
  elemType: number;
  dims?: readonly Dim[];
}

/** Weights whose bytes are written only when the graph is encoded, straight into the weights buffer. */
interface DeferredWeights {
  specs: readonly WeightSpec[];
  fill: (targets: Uint8Array[]) => void;
}

/** An encoded model: the graph (small) and its weights (one buffer, referenced as external data `WEIGHTS_FILE`). */
export interface EncodedModel {
  graph: Uint8Array;
  weights: Uint8Array;
}

/**
 * Accumulates nodes and initializers of one ONNX graph and encodes the ModelProto. Large weights are deferred
 * (`weight`): the builder keeps only their shapes and a function that writes their bytes, and `encode` writes them
 * one after another into a single buffer passed to onnxruntime as in-memory external data. So the process holds
 * the converted weights once, not as converted arrays, an encoded protobuf and onnxruntime's parsed copy at once
 * (peak resident of a 0.6B Q8_0 session: 1.39 GiB, down from 1.90).
 */
export class GraphBuilder {
  private nodes: NodeProto[] = [];
  private readonly initializers: TensorProto[] = [];
  private readonly deferred: DeferredWeights[] = [];
  private readonly inputs: ValueInfoProto[] = [];
  private readonly outputs: ValueInfoProto[] = [];
  private counter = 0;
  /** The current scope (`/model/layers.3/attn/q_proj`) and how often each node name was given in it. */
  private scopeName = '';
  private readonly nodeNames = new Map<string, number>();

  /**
   * Names the nodes `build` adds `<scope>/<opType>` (and `_1`, `_2`, … when repeated), nested scopes joined by `/`,
   * as onnxruntime-genai names its graphs (`/model/layers.0/attn/q_proj/MatMul`): onnxruntime's profile then says
   * which layer and role each kernel's time belongs to. Names change nothing else.
   */
  scope<T>(name: string, build: () => T): T {
    const outer = this.scopeName;
    this.scopeName = `${outer}/${name}`;
    try {
      return build();
    } finally {
      this.scopeName = outer;
    }
  }

  input(name: string, elemType: number, dims: readonly Dim[]): string {
    this.inputs.push(valueInfo(name, elemType, dims));
    return name;
  }

  output(name: string, elemType: number, dims: readonly Dim[]): void {
    this.outputs.push(valueInfo(name, elemType, dims));
  }

  initializer(name: string, dataType: number, dims: readonly number[], data: ArrayBufferView): string {
    this.initializers.push({ name, dataType, dims: [...dims], rawData: new Uint8Array(data.buffer, data.byteOffset, data.byteLength) });
    return name;
  }

  /** Weights that `fill` writes at `encode`, each into a zeroed view of exactly its `byteLength` (one call for all,
   * so that weights computed together, like packed values and their scales, are computed once). */
  weights(specs: readonly WeightSpec[], fill: (targets: Uint8Array[]) => void): string[] {
    this.deferred.push({ specs, fill });
    return specs.map((spec) => spec.name);
  }

  int64s(name: string, values: readonly number[]): string {
    return this.initializer(name, DataType.INT64, [values.length], BigInt64Array.from(values.map(BigInt)));
  }

  /** Adds a node; returns its output names (`outputs` given, or fresh names). */
  node(opType: string, inputs: readonly string[], attributes: Record<string, AttributeValue> = {}, options: { domain?: string; outputs?: readonly string[] | number } = {}): string[] {
    const outputs =
      typeof options.outputs === 'object' ? [...options.outputs] : Array.from({ length: options.outputs ?? 1 }, () => `${opType}_${this.counter++}`);
    this.nodes.push({
      opType,
      domain: options.domain ?? '',
      input: [...inputs],
      output: outputs,
      name: this.nodeName(opType),
      attribute: Object.entries(attributes).map(([name, value]) => attribute(name, value)),
    });
    return outputs;
  }

  private nodeName(opType: string): string {
    const name = `${this.scopeName}/${opType}`;
    const seen = this.nodeNames.get(name) ?? 0;
    this.nodeNames.set(name, seen + 1);
    return seen === 0 ? name : `${name}_${seen}`;
  }

  /**
   * A subgraph (a Loop body, an If branch) as a graph attribute: `build` adds its nodes, which may read any value of
   * the enclosing graph by name (ONNX IR.md, "Names Within a Graph": outer-scope values are visible in subgraphs),
   * and returns the names of its outputs, described by `outputs`.
   */
  subgraph(name: string, inputs: readonly ValueSpec[], outputs: readonly ValueSpec[], build: () => readonly string[]): { graph: GraphProto } {
    const outer = this.nodes;
    this.nodes = [];
    try {
      const produced = build();
      const nodes = this.nodes;
      // A graph's outputs are named values of the graph: each produced value is renamed to its declared output by an
      // Identity, unless it already has that name.
      produced.forEach((value, i) => {
        const output = outputs[i]!.name;
        if (value !== output) this.node('Identity', [value], {}, { outputs: [output] });
      });
      return {
        graph: {
          name,
          node: nodes,
          input: inputs.map((spec) => valueInfo(spec.name, spec.elemType, spec.dims)),
          output: outputs.map((spec) => valueInfo(spec.name, spec.elemType, spec.dims)),
        },
      };
    } finally {
      this.nodes = outer;
    }
  }

  /** Single-output node. */
  op(opType: string, inputs: readonly string[], attributes: Record<string, AttributeValue> = {}, domain = ''): string {
    return this.node(opType, inputs, attributes, { domain })[0]!;
  }

  encode(): EncodedModel {
    const aligned = (n: number) => Math.ceil(n / WEIGHT_ALIGNMENT) * WEIGHT_ALIGNMENT;
    const specs = this.deferred.flatMap((group) => group.specs);
    const weights = new Uint8Array(specs.reduce((sum, spec) => sum + aligned(spec.byteLength), 0));
    const tensors: TensorProto[] = [];
    let offset = 0;
    for (const { specs, fill } of this.deferred) {
      const targets = specs.map(({ name, dataType, dims, byteLength }) => {
        tensors.push({
          name,
          dataType,
          dims: [...dims],
          dataLocation: onnx.TensorProto.DataLocation.EXTERNAL,
          // onnx/onnx docs/ExternalData.md: location, offset and length as string entries.
          externalData: [
            { key: 'location', value: WEIGHTS_FILE },
            { key: 'offset', value: String(offset) },
            { key: 'length', value: String(byteLength) },
          ],
        });
        const target = weights.subarray(offset, offset + byteLength);
        offset += aligned(byteLength);
        return target;
      });
      fill(targets);
    }
    const model = onnx.ModelProto.create({
      irVersion: IR_VERSION,
      producerName: 'qwen-ranker',
      opsetImport: OPSETS,
      graph: {
        name: 'qwen3-reranker',
        node: this.nodes,
        initializer: [...this.initializers, ...tensors],
        input: this.inputs,
        output: this.outputs,
      },
    });
    return { graph: onnx.ModelProto.encode(model).finish(), weights };
  }
}

/** A value's type; without `dims`, of any shape. */
function valueInfo(name: string, elemType: number, dims?: readonly Dim[]): ValueInfoProto {
  const shape = dims && { dim: dims.map((d) => (typeof d === 'number' ? { dimValue: d } : { dimParam: d })) };
  return { name, type: { tensorType: { elemType, ...(shape ? { shape } : {}) } } };
}

function attribute(name: string, value: AttributeValue): AttributeProto {
  const { AttributeType } = onnx.AttributeProto;
  if (typeof value === 'number') return { name, type: AttributeType.INT, i: value };
  if (typeof value === 'string') return { name, type: AttributeType.STRING, s: new TextEncoder().encode(value) };
  if (Array.isArray(value)) return { name, type: AttributeType.INTS, ints: value };
  if ('graph' in value) return { name, type: AttributeType.GRAPH, g: value.graph };
  return { name, type: AttributeType.FLOAT, f: value.float };
}
