import { describe, expect, it } from 'vitest';
import { GraphBuilder } from '../../../src/infer/convert/graph-builder.js';
import { convertGraph, parseGraphModel, type TfNode } from '../../../src/infer/convert/tf-graph.js';
import type { WeightTensor } from '../../../src/infer/convert/tfjs-weights.js';
import { isPokerfaceError } from '../../../src/errors.js';

const b64 = (s: string): string => Buffer.from(s).toString('base64');
const w = (name: string, shape: number[]): WeightTensor => ({ name, shape, dtype: 'float32', data: new Float32Array(shape.reduce((a, b) => a * b, 1)).fill(0.5) });

function model(nodes: TfNode[]) {
  return parseGraphModel({ modelTopology: { node: nodes }, weightsManifest: [] }, 'test');
}

const conv = (attr: TfNode['attr'] = {}): TfNode => ({
  name: 'conv',
  op: '_FusedConv2D',
  input: ['x', 'k', 'b'],
  attr: { padding: { s: b64('SAME') }, strides: { list: { i: ['1', '2', '2', '1'] } }, fused_ops: { list: { s: [b64('BiasAdd'), b64('Relu')] } }, ...attr },
});
const base: TfNode[] = [{ name: 'x', op: 'Placeholder' }, { name: 'k', op: 'Const' }, { name: 'b', op: 'Const' }];
const weights = new Map([['k', w('k', [3, 3, 1, 4])], ['b', w('b', [4])]]);

function convert(nodes: TfNode[], output: string) {
  const g = new GraphBuilder('t');
  const x = g.input('x_nchw', ['N', 1, 9, 9]);
  const res = convertGraph(g, model(nodes), weights, { x: { name: x, channels: 1, h: 9, w: 9 } }, output, 'p');
  return { res, onnx: g.model({ producerName: 't', producerVersion: '1' }) };
}

function buildError(f: () => unknown): string {
  try {
    f();
  } catch (e) {
    expect(isPokerfaceError(e, 'POKERFACE_ERR_MODEL_BUILD')).toBe(true);
    return (e as Error).message;
  }
  throw new Error('expected a build error');
}

describe('TF graph-model converter', () => {
  it('emits a fused conv with TF SAME pads, then pooling, add, mean and softmax', () => {
    const nodes: TfNode[] = [
      ...base,
      conv(),
      { name: 'pool', op: 'MaxPool', input: ['conv'], attr: { padding: { s: b64('SAME') }, ksize: { list: { i: [1, 3, 3, 1] } }, strides: { list: { i: [1, 2, 2, 1] } } } },
      { name: 'add', op: 'AddV2', input: ['pool', 'pool'] },
      { name: 'axes', op: 'Const' },
      { name: 'mean', op: 'Mean', input: ['add', 'axes'] },
      { name: 'sm', op: 'Softmax', input: ['mean'] },
      { name: 'out', op: 'Identity', input: ['sm:0', '^x'] },
    ];
    weights.set('axes', { name: 'axes', shape: [2], dtype: 'int32', data: Int32Array.from([1, 2]) });
    const { res, onnx } = convert(nodes, 'out');
    weights.delete('axes');
    expect(res.shape).toEqual([4]);
    expect([...res.usedWeights].sort()).toEqual(['axes', 'b', 'k']);
    const ops = onnx.graph.node.map((n) => n.opType);
    expect(ops).toEqual(['Conv', 'Relu', 'MaxPool', 'Add', 'GlobalAveragePool', 'Flatten', 'Softmax']);
    const pads = (i: number) => onnx.graph.node[i]?.attribute?.find((a) => a.name === 'pads')?.ints;
    expect(pads(0)).toEqual([1, 1, 1, 1]); // 9 → 5 with k3 s2: total 2
    expect(pads(2)).toEqual([1, 1, 1, 1]); // 5 → 3 with k3 s2: total 2
  });

  it('names what it cannot convert', () => {
    expect(buildError(() => convert([...base, { name: 'y', op: 'Erf', input: ['x'] }], 'y'))).toMatch(/TF op Erf \(node y\)/);
    expect(buildError(() => convert([...base, conv({ data_format: { s: b64('NCHW') } })], 'conv'))).toMatch(/data_format NCHW/);
    expect(buildError(() => convert([...base, conv({ fused_ops: { list: { s: [b64('BiasAdd'), b64('Elu')] } } })], 'conv'))).toMatch(/fused op Elu/);
    expect(buildError(() => convert([...base, conv({ padding: { s: b64('EXPLICIT') } })], 'conv'))).toMatch(/padding "EXPLICIT"/);
    expect(buildError(() => convert(base, 'nope'))).toMatch(/unknown node nope/);
    expect(buildError(() => parseGraphModel({ modelTopology: {} }, 'm.json'))).toMatch(/not a TF.js graph model/);
  });
});
