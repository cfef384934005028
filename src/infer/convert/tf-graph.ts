// Converts a TF.js *graph model* (model.json with a GraphDef-like node list and an
// embedded weights manifest) into ONNX nodes, for the small op set that image
// classifiers exported by tfjs-converter use: (fused) convolutions, depthwise
// convolutions, pooling, Add, Relu/Relu6, global Mean, Softmax. The graph runs NCHW
// inside ONNX: the caller hands in an NCHW value for the placeholder, and every 4-D
// activation stays NCHW. Anything outside the op set fails the build with its name.
import { PokerfaceError } from '../../errors.js';
import type { GraphBuilder } from './graph-builder.js';
import { depthwiseToOnnx, hwioToOihw, samePadding, validOutput } from './layout.js';
import { decodeWeightGroups, type WeightGroup, type WeightTensor } from './tfjs-weights.js';

interface AttrValue {
  s?: string;
  i?: string | number;
  f?: number;
  b?: boolean;
  type?: string;
  list?: { s?: string[]; i?: (string | number)[]; f?: number[] };
  shape?: { dim?: { size: string | number }[] };
}

export interface TfNode {
  name: string;
  op: string;
  input?: string[];
  attr?: Record<string, AttrValue>;
}

export interface TfGraphModelJson {
  format?: string;
  modelTopology: { node: TfNode[] };
  weightsManifest: WeightGroup[];
}

function fail(detail: string): never {
  throw new PokerfaceError('POKERFACE_ERR_MODEL_BUILD', detail);
}

export function parseGraphModel(json: unknown, where: string): TfGraphModelJson {
  const m = json as TfGraphModelJson;
  if (typeof m !== 'object' || m === null || !Array.isArray(m.modelTopology?.node) || !Array.isArray(m.weightsManifest)) {
    fail(`${where} is not a TF.js graph model (modelTopology.node and weightsManifest expected)`);
  }
  return m;
}

/** Decodes a graph model's weights from its shards. */
export function graphModelWeights(model: TfGraphModelJson, shards: (path: string) => Uint8Array): Map<string, WeightTensor> {
  return decodeWeightGroups(model.weightsManifest, shards);
}

const b64 = (s: string | undefined): string => (s === undefined ? '' : Buffer.from(s, 'base64').toString('utf8'));
const ints = (a: AttrValue | undefined): number[] => (a?.list?.i ?? []).map(Number);

/** One activation: its ONNX value name, layout and (for 4-D) channel count and size. */
interface Value {
  name: string;
  rank: 2 | 4;
  channels: number;
  h: number;
  w: number;
}

export interface GraphInput {
  /** ONNX value holding the placeholder, NCHW */
  name: string;
  channels: number;
  h: number;
  w: number;
}

export interface ConvertedGraph {
  /** ONNX value of the graph's (single) output */
  output: string;
  /** its shape without the batch dimension */
  shape: number[];
  usedWeights: Set<string>;
}

/**
 * Emits the graph into `g`. `inputs` maps placeholder names to NCHW values; `output`
 * names the TF node whose value the caller wants.
 */
export function convertGraph(g: GraphBuilder, model: TfGraphModelJson, weights: Map<string, WeightTensor>, inputs: Record<string, GraphInput>, output: string, prefix: string): ConvertedGraph {
  const nodes = new Map(model.modelTopology.node.map((n) => [n.name, n]));
  const values = new Map<string, Value>();
  const used = new Set<string>();

  const constOf = (ref: string): WeightTensor => {
    const name = ref.replace(/:\d+$/, '');
    const node = nodes.get(name);
    if (node?.op !== 'Const') fail(`${prefix}: ${name} is not a constant`);
    const t = weights.get(name);
    if (!t) fail(`${prefix}: no weights for constant ${name}`);
    used.add(name);
    return t;
  };

  const convPads = (n: TfNode, x: Value, kh: number, kw: number, sh: number, sw: number): { pads: number[]; h: number; w: number } => {
    const padding = b64(n.attr?.padding?.s);
    if (padding === 'SAME') {
      const [t, b, h] = samePadding(x.h, kh, sh);
      const [l, r, w] = samePadding(x.w, kw, sw);
      return { pads: [t, l, b, r], h, w };
    }
    if (padding === 'VALID') return { pads: [0, 0, 0, 0], h: validOutput(x.h, kh, sh), w: validOutput(x.w, kw, sw) };
    return fail(`${prefix}: ${n.name}: padding "${padding}" is not supported`);
  };

  const nhwcOnly = (n: TfNode): void => {
    const fmt = b64(n.attr?.data_format?.s) || 'NHWC';
    if (fmt !== 'NHWC') fail(`${prefix}: ${n.name}: data_format ${fmt} is not supported`);
    const dil = ints(n.attr?.dilations);
    if (dil.some((d) => d !== 1)) fail(`${prefix}: ${n.name}: dilations ${dil.join(',')} are not supported`);
  };

  const strides = (n: TfNode): [number, number] => {
    const s = ints(n.attr?.strides);
    return [s[1] ?? 1, s[2] ?? 1];
  };

  const fusedTail = (n: TfNode, conv: string, v: Omit<Value, 'name'>): Value => {
    // fused_ops: ['BiasAdd'] or ['BiasAdd', 'Relu' | 'Relu6']; the bias is the 3rd input
    const ops = (n.attr?.fused_ops?.list?.s ?? []).map(b64);
    let out = conv;
    if (ops[0] !== 'BiasAdd') fail(`${prefix}: ${n.name}: fused ops [${ops.join(', ')}] are not supported`);
    for (const op of ops.slice(1)) {
      if (op === 'Relu') out = g.op('Relu', [out], {}, `${prefix}/${n.name}`);
      else if (op === 'Relu6') out = g.op('Clip', [out, g.floatConst(`${prefix}/zero`, [0], []), g.floatConst(`${prefix}/six`, [6], [])], {}, `${prefix}/${n.name}`);
      else fail(`${prefix}: ${n.name}: fused op ${op} is not supported`);
    }
    return { ...v, name: out };
  };

  const visit = (ref: string, stack: Set<string>): Value => {
    const name = ref.replace(/:\d+$/, '');
    const have = values.get(name);
    if (have) return have;
    if (stack.has(name)) fail(`${prefix}: cycle at ${name}`);
    const n = nodes.get(name);
    if (!n) fail(`${prefix}: unknown node ${name}`);
    stack.add(name);
    const ins = (n.input ?? []).filter((i) => !i.startsWith('^'));
    const arg = (i: number): Value => visit(ins[i] ?? fail(`${prefix}: ${n.name} lacks input ${i}`), stack);
    const hint = `${prefix}/${n.name}`;
    let v: Value;

    switch (n.op) {
      case 'Placeholder': {
        const inp = inputs[n.name];
        if (!inp) fail(`${prefix}: placeholder ${n.name} has no input bound`);
        v = { name: inp.name, rank: 4, channels: inp.channels, h: inp.h, w: inp.w };
        break;
      }
      case 'Identity':
        v = arg(0);
        break;
      case 'Conv2D':
      case '_FusedConv2D': {
        nhwcOnly(n);
        const x = arg(0);
        const f = constOf(ins[1] as string);
        const k = hwioToOihw(f.data as Float32Array, f.shape);
        const [outC, inC, kh, kw] = k.shape;
        if (inC !== x.channels) fail(`${prefix}: ${n.name}: filter has ${inC} input channels, input has ${x.channels}`);
        const [sh, sw] = strides(n);
        const p = convPads(n, x, kh, kw, sh, sw);
        const convIns = [x.name, g.floatConst(`${hint}/weights`, k.data, k.shape)];
        if (n.op === '_FusedConv2D') {
          const b = constOf(ins[2] as string);
          convIns.push(g.floatConst(`${hint}/bias`, b.data as Float32Array, [outC]));
        }
        const conv = g.op('Conv', convIns, { kernel_shape: [kh, kw], strides: [sh, sw], pads: p.pads, group: 1, dilations: [1, 1] }, hint);
        const shape = { rank: 4 as const, channels: outC, h: p.h, w: p.w };
        v = n.op === '_FusedConv2D' ? fusedTail(n, conv, shape) : { ...shape, name: conv };
        break;
      }
      case 'DepthwiseConv2dNative':
      case 'FusedDepthwiseConv2dNative': {
        nhwcOnly(n);
        const x = arg(0);
        const f = constOf(ins[1] as string);
        const d = depthwiseToOnnx(f.data as Float32Array, f.shape);
        const [outC, , kh, kw] = d.shape;
        if (f.shape[2] !== x.channels) fail(`${prefix}: ${n.name}: depthwise filter is for ${f.shape[2]} channels, input has ${x.channels}`);
        const [sh, sw] = strides(n);
        const p = convPads(n, x, kh, kw, sh, sw);
        const convIns = [x.name, g.floatConst(`${hint}/weights`, d.data, d.shape)];
        if (n.op === 'FusedDepthwiseConv2dNative') {
          const b = constOf(ins[2] as string);
          convIns.push(g.floatConst(`${hint}/bias`, b.data as Float32Array, [outC]));
        }
        const conv = g.op('Conv', convIns, { kernel_shape: [kh, kw], strides: [sh, sw], pads: p.pads, group: x.channels, dilations: [1, 1] }, hint);
        const shape = { rank: 4 as const, channels: outC, h: p.h, w: p.w };
        v = n.op === 'FusedDepthwiseConv2dNative' ? fusedTail(n, conv, shape) : { ...shape, name: conv };
        break;
      }
      case 'MaxPool':
      case 'AvgPool': {
        nhwcOnly(n);
        const x = arg(0);
        const k = ints(n.attr?.ksize);
        const [kh, kw] = [k[1] ?? 1, k[2] ?? 1];
        const [sh, sw] = strides(n);
        const p = convPads(n, x, kh, kw, sh, sw);
        // TF leaves padded cells out of both pools; ONNX MaxPool ignores pads and
        // AveragePool does too with count_include_pad = 0 (its default).
        const attrs = { kernel_shape: [kh, kw], strides: [sh, sw], pads: p.pads };
        const out = g.op(n.op === 'MaxPool' ? 'MaxPool' : 'AveragePool', [x.name], n.op === 'MaxPool' ? attrs : { ...attrs, count_include_pad: 0 }, hint);
        v = { name: out, rank: 4, channels: x.channels, h: p.h, w: p.w };
        break;
      }
      case 'Add':
      case 'AddV2': {
        const a = arg(0);
        const b = arg(1);
        if (a.rank !== b.rank || a.channels !== b.channels || a.h !== b.h || a.w !== b.w) fail(`${prefix}: ${n.name}: adding values of different shapes is not supported`);
        v = { ...a, name: g.op('Add', [a.name, b.name], {}, hint) };
        break;
      }
      case 'Relu':
        v = { ...arg(0), name: g.op('Relu', [arg(0).name], {}, hint) };
        break;
      case 'Relu6': {
        const x = arg(0);
        v = { ...x, name: g.op('Clip', [x.name, g.floatConst(`${hint}/zero`, [0], []), g.floatConst(`${hint}/six`, [6], [])], {}, hint) };
        break;
      }
      case 'Mean': {
        const x = arg(0);
        const axes = Array.from(constOf(ins[1] as string).data).sort();
        const keep = n.attr?.keep_dims?.b === true;
        if (x.rank !== 4 || axes.join(',') !== '1,2' || keep) fail(`${prefix}: ${n.name}: only a global spatial Mean (axes 1,2, keep_dims false) is supported`);
        const pooled = g.op('GlobalAveragePool', [x.name], {}, hint);
        v = { name: g.op('Flatten', [pooled], { axis: 1 }, hint), rank: 2, channels: x.channels, h: 1, w: 1 };
        break;
      }
      case 'Softmax': {
        const x = arg(0);
        if (x.rank !== 2) fail(`${prefix}: ${n.name}: Softmax is supported on [N, C] values only`);
        v = { ...x, name: g.op('Softmax', [x.name], { axis: 1 }, hint) };
        break;
      }
      default:
        fail(`${prefix}: TF op ${n.op} (node ${n.name}) is not supported by the converter`);
    }
    stack.delete(name);
    values.set(name, v);
    return v;
  };

  const out = visit(output, new Set());
  return { output: out.name, shape: out.rank === 2 ? [out.channels] : [out.channels, out.h, out.w], usedWeights: used };
}
