import onnxProto from 'onnx-proto';

const { onnx } = onnxProto;
type NodeProto = onnxProto.onnx.INodeProto;
type TensorProto = onnxProto.onnx.ITensorProto;
type ValueInfoProto = onnxProto.onnx.IValueInfoProto;
type AttributeProto = onnxProto.onnx.IAttributeProto;

export const DataType = onnx.TensorProto.DataType;
export type AttributeValue = number | string | number[] | { float: number };
/** A dimension: a size, or a name for a size known only at run time. */
export type Dim = number | string;

/** ONNX IR version and opsets this graph is written for (onnx/onnx docs/Versioning.md; ORT 1.30 runs IR ≤ 11). */
const IR_VERSION = 8;
const OPSETS = [
  { domain: '', version: 17 },
  { domain: 'com.microsoft', version: 1 },
];

/** Accumulates nodes and initializers of one ONNX graph and encodes the ModelProto. */
export class GraphBuilder {
  private readonly nodes: NodeProto[] = [];
  private readonly initializers: TensorProto[] = [];
  private readonly inputs: ValueInfoProto[] = [];
  private readonly outputs: ValueInfoProto[] = [];
  private counter = 0;

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
      name: `${opType}_node_${this.counter++}`,
      attribute: Object.entries(attributes).map(([name, value]) => attribute(name, value)),
    });
    return outputs;
  }

  /** Single-output node. */
  op(opType: string, inputs: readonly string[], attributes: Record<string, AttributeValue> = {}, domain = ''): string {
    return this.node(opType, inputs, attributes, { domain })[0]!;
  }

  encode(): Uint8Array {
    const model = onnx.ModelProto.create({
      irVersion: IR_VERSION,
      producerName: 'qwen-ranker',
      opsetImport: OPSETS,
      graph: { name: 'qwen3-reranker', node: this.nodes, initializer: this.initializers, input: this.inputs, output: this.outputs },
    });
    return onnx.ModelProto.encode(model).finish();
  }
}

function valueInfo(name: string, elemType: number, dims: readonly Dim[]): ValueInfoProto {
  return {
    name,
    type: { tensorType: { elemType, shape: { dim: dims.map((d) => (typeof d === 'number' ? { dimValue: d } : { dimParam: d })) } } },
  };
}

function attribute(name: string, value: AttributeValue): AttributeProto {
  const { AttributeType } = onnx.AttributeProto;
  if (typeof value === 'number') return { name, type: AttributeType.INT, i: value };
  if (typeof value === 'string') return { name, type: AttributeType.STRING, s: new TextEncoder().encode(value) };
  if (Array.isArray(value)) return { name, type: AttributeType.INTS, ints: value };
  return { name, type: AttributeType.FLOAT, f: value.float };
}
