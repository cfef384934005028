// The shape of the converted expression net that keeps it cheap on the CPU provider (issue
// 20): every residual Add can be folded by onnxruntime into the pointwise Conv that
// produces its new term, and the input's mean is subtracted per plane after the transpose.
// The graph built the old way (face-api's nested sums) fails both.
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import * as ort from 'onnxruntime-node';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { defaultFaceApiDir } from '../../../src/infer/convert/build.js';
import { buildExpressionNet } from '../../../src/infer/convert/expression-net.js';
import { decodeModel, encodeModel, type Graph, type Node } from '../../../src/infer/convert/onnx-proto.js';
import { readTfjsWeights } from '../../../src/infer/convert/tfjs-weights.js';

const dir = mkdtempSync(join(tmpdir(), 'pokerface-expression-graph-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

function consumers(g: Graph, tensor: string): Node[] {
  return g.node.filter((n) => n.input.includes(tensor));
}

function producer(g: Graph, tensor: string): Node | undefined {
  return g.node.find((n) => n.output.includes(tensor));
}

function kernel(n: Node): number[] {
  return n.attribute?.find((a) => a.name === 'kernel_shape')?.ints?.map(Number) ?? [];
}

describe('expression net graph', () => {
  let bytes: Uint8Array;
  let graph: Graph;

  beforeAll(async () => {
    const weights = await readTfjsWeights(join(defaultFaceApiDir(), 'model', 'face_expression_model-weights_manifest.json'));
    bytes = encodeModel(buildExpressionNet(weights, { source: 'test' }));
    graph = decodeModel(bytes).graph;
  });

  it('gives every Add a pointwise Conv input that feeds nothing else', () => {
    const adds = graph.node.filter((n) => n.opType === 'Add');
    expect(adds).toHaveLength(12); // three running sums in each of the four dense blocks
    for (const add of adds) {
      const folded = add.input.some((t) => {
        const p = producer(graph, t);
        return p?.opType === 'Conv' && kernel(p).join('x') === '1x1' && consumers(graph, t).length === 1;
      });
      expect(folded, `${add.name ?? add.output[0]}`).toBe(true);
    }
  });

  it('subtracts the mean per channel plane after the NHWC to NCHW transpose', () => {
    const sub = graph.node.find((n) => n.opType === 'Sub');
    expect(sub).toBeDefined();
    expect(producer(graph, sub?.input[0] ?? '')?.opType).toBe('Transpose');
    const mean = graph.initializer.find((t) => t.name === sub?.input[1]);
    expect(mean?.dims.map(Number)).toEqual([1, 3, 1, 1]);
  });

  it('leaves no separate Add once onnxruntime has optimised it', async () => {
    const optimised = join(dir, 'optimised.onnx');
    const s = await ort.InferenceSession.create(bytes, { graphOptimizationLevel: 'all', intraOpNumThreads: 1, logSeverityLevel: 3, optimizedModelFilePath: optimised });
    await s.release();
    const ops = decodeModel(readFileSync(optimised)).graph.node.map((n) => n.opType);
    expect(ops.filter((o) => o === 'Add')).toEqual([]);
    expect(ops.filter((o) => o === 'Conv' || o === 'FusedConv')).toHaveLength(31);
  });
});
