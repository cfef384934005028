import { describe, expect, it } from 'vitest';
import { GraphBuilder } from '../../../src/infer/convert/graph-builder.js';
import { inspectOnnx } from '../../../src/infer/convert/onnx-inspect.js';
import { DataType, decodeModel, encodeModel } from '../../../src/infer/convert/onnx-proto.js';
import { isPokerfaceError } from '../../../src/errors.js';

function tinyModel(): Uint8Array {
  const g = new GraphBuilder('tiny');
  const x = g.input('x', ['N', 4]);
  const w = g.floatConst('w', [1, 2, 3, 4, 5, 6, 7, 8], [4, 2]);
  const b = g.floatConst('b', [0.5, -0.5], [2]);
  const y = g.op('Gemm', [x, w, b], { transB: 0, alpha: { floats: [1] } }, 'fc');
  g.op('Softmax', [y], { axis: 1 }, 'sm', 'probs');
  g.output('probs', ['N', 2]);
  return encodeModel(g.model({ producerName: 'test', producerVersion: '1', metadata: { labels: '["a","b"]' } }));
}

describe('ONNX protobuf schema', () => {
  it('round-trips a model through encode and decode', () => {
    const m = decodeModel(tinyModel());
    expect(m.irVersion).toBe(8);
    expect(m.opsetImport).toEqual([{ version: 13 }]);
    expect(m.graph.node.map((n) => n.opType)).toEqual(['Gemm', 'Softmax']);
    expect(m.graph.node[1]?.output).toEqual(['probs']);
    const w = m.graph.initializer.find((t) => t.name === 'w');
    expect(w?.dims).toEqual([4, 2]);
    expect(w?.dataType).toBe(DataType.FLOAT);
    const raw = w?.rawData as Uint8Array;
    expect(Array.from(new Float32Array(new Uint8Array(raw).buffer))).toEqual([1, 2, 3, 4, 5, 6, 7, 8]);
    expect(m.metadataProps).toEqual([{ key: 'labels', value: '["a","b"]' }]);
  });

  it('inspects inputs and outputs with symbolic and fixed dims', () => {
    const sig = inspectOnnx(tinyModel());
    expect(sig.inputs).toEqual([{ name: 'x', shape: ['N', 4], type: 'float32' }]);
    expect(sig.outputs).toEqual([{ name: 'probs', shape: ['N', 2], type: 'float32' }]);
    expect(sig.opset).toBe(13);
  });

  it('leaves initializers listed as graph inputs (old exporters) out of the inputs', () => {
    const m = decodeModel(tinyModel());
    m.graph.input.push({ name: 'w', type: { tensorType: { elemType: 1, shape: { dim: [{ dimValue: 4 }, { dimValue: 2 }] } } } });
    expect(inspectOnnx(encodeModel(m)).inputs.map((i) => i.name)).toEqual(['x']);
  });

  it('reports bytes that are not an ONNX model as POKERFACE_ERR_MODEL_CORRUPT', () => {
    const bad = [new Uint8Array([0xff, 0xff, 0xff, 0xff, 0xff]), tinyModel().subarray(0, 100), new TextEncoder().encode('hello, I am not a model')];
    for (const bytes of bad) {
      let err: unknown;
      try {
        inspectOnnx(bytes, 'bad.onnx');
      } catch (e) {
        err = e;
      }
      expect(isPokerfaceError(err, 'POKERFACE_ERR_MODEL_CORRUPT')).toBe(true);
    }
  });
});
