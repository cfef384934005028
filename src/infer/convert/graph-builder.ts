// A small helper for writing ONNX graphs by hand: it names intermediate values,
// stores initializers as little-endian raw_data and produces the ModelProto object
// that onnx-proto.ts encodes.
import { AttributeType, DataType, type Attribute, type Model, type Node, type Tensor, type ValueInfo } from './onnx-proto.js';

export type Dim = number | string;
export type AttrValue = number | number[] | string | { floats: number[] };

/** ONNX IR version and default-domain opset our graphs are written for. */
export const IR_VERSION = 8;
export const OPSET = 13;

function attr(name: string, v: AttrValue): Attribute {
  if (typeof v === 'string') return { name, type: AttributeType.STRING, s: new TextEncoder().encode(v) };
  if (typeof v === 'number') {
    if (!Number.isInteger(v)) throw new Error(`attribute ${name}: use { floats } for non-integers`);
    return { name, type: AttributeType.INT, i: v };
  }
  if (Array.isArray(v)) return { name, type: AttributeType.INTS, ints: v };
  return { name, type: AttributeType.FLOATS, floats: v.floats };
}

function floatBytes(data: Float32Array): Uint8Array {
  const out = new Uint8Array(data.length * 4);
  const view = new DataView(out.buffer);
  for (let i = 0; i < data.length; i++) view.setFloat32(i * 4, data[i] as number, true);
  return out;
}

function int64Bytes(data: readonly number[]): Uint8Array {
  const out = new Uint8Array(data.length * 8);
  const view = new DataView(out.buffer);
  for (let i = 0; i < data.length; i++) view.setBigInt64(i * 8, BigInt(data[i] as number), true);
  return out;
}

export function valueInfo(name: string, elemType: number, shape: readonly Dim[]): ValueInfo {
  return {
    name,
    type: {
      tensorType: {
        elemType,
        shape: { dim: shape.map((d) => (typeof d === 'number' ? { dimValue: d } : { dimParam: d })) },
      },
    },
  };
}

export class GraphBuilder {
  private readonly nodes: Node[] = [];
  private readonly initializers: Tensor[] = [];
  private readonly inputs: ValueInfo[] = [];
  private readonly outputs: ValueInfo[] = [];
  private readonly used = new Set<string>();
  private counter = 0;

  constructor(readonly name: string) {}

  private fresh(hint: string): string {
    let n = hint;
    while (this.used.has(n)) n = `${hint}_${++this.counter}`;
    this.used.add(n);
    return n;
  }

  input(name: string, shape: readonly Dim[], elemType: number = DataType.FLOAT): string {
    this.used.add(name);
    this.inputs.push(valueInfo(name, elemType, shape));
    return name;
  }

  output(value: string, shape: readonly Dim[], elemType: number = DataType.FLOAT): void {
    this.outputs.push(valueInfo(value, elemType, shape));
  }

  floatConst(name: string, data: Float32Array | readonly number[], dims: readonly number[]): string {
    const arr = data instanceof Float32Array ? data : Float32Array.from(data);
    const expected = dims.reduce((a, b) => a * b, 1);
    if (arr.length !== expected) throw new Error(`${name}: ${arr.length} values for dims [${dims.join(', ')}]`);
    const n = this.fresh(name);
    this.initializers.push({ name: n, dims: [...dims], dataType: DataType.FLOAT, rawData: floatBytes(arr) });
    return n;
  }

  int64Const(name: string, data: readonly number[], dims: readonly number[]): string {
    const n = this.fresh(name);
    this.initializers.push({ name: n, dims: [...dims], dataType: DataType.INT64, rawData: int64Bytes(data) });
    return n;
  }

  /** Adds a node with one output; returns the output's name (or `outName` when given). */
  op(opType: string, inputs: string[], attrs: Record<string, AttrValue> = {}, hint = opType.toLowerCase(), outName?: string): string {
    const out = outName ?? this.fresh(hint);
    if (outName) this.used.add(outName);
    this.nodes.push({
      name: this.fresh(`${hint}/${opType}`),
      opType,
      input: inputs,
      output: [out],
      attribute: Object.entries(attrs).map(([k, v]) => attr(k, v)),
    });
    return out;
  }

  model(meta: { producerName: string; producerVersion: string; docString?: string; metadata?: Record<string, string> }): Model {
    return {
      irVersion: IR_VERSION,
      producerName: meta.producerName,
      producerVersion: meta.producerVersion,
      ...(meta.docString ? { docString: meta.docString } : {}),
      opsetImport: [{ domain: '', version: OPSET }],
      metadataProps: Object.entries(meta.metadata ?? {}).map(([key, value]) => ({ key, value })),
      graph: {
        name: this.name,
        node: this.nodes,
        initializer: this.initializers,
        input: this.inputs,
        output: this.outputs,
      },
    };
  }
}
