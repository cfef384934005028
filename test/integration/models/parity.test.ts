// Parity: the original TF.js expression net (tfjs cpu backend) against our converted ONNX
// model (onnxruntime-node) on the same inputs. Tests may import onnxruntime-node
// directly; the daemon goes through src/infer/onnx.ts.
import { join } from 'node:path';
import * as ort from 'onnxruntime-node';
import sharp from 'sharp';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { defaultFaceApiDir } from '../../../src/infer/convert/build.js';
import { buildExpressionNet, EXPRESSION_LABELS } from '../../../src/infer/convert/expression-net.js';
import { encodeModel } from '../../../src/infer/convert/onnx-proto.js';
import { readTfjsWeights, type WeightTensor } from '../../../src/infer/convert/tfjs-weights.js';
import { loadExpressionReference, type ExpressionReference } from './tfjs-reference.js';
import { seededRandom } from '../../../src/random.js';

const TOLERANCE = 1e-4;
const SIZE = 112;
const PIXELS = SIZE * SIZE * 3;
const faceApiDir = defaultFaceApiDir();
const modelDir = join(faceApiDir, 'model');
const photos = [1, 2, 3, 4, 5, 6].map((i) => join(faceApiDir, 'demo', `sample${i}.jpg`));

async function decode112(file: string, crop?: { left: number; top: number; width: number; height: number }): Promise<Float32Array> {
  let img = sharp(file);
  if (crop) img = img.extract(crop);
  // face-api pads to a centred square with zeros, then resizes to 112x112
  const { data } = await img.resize(SIZE, SIZE, { fit: 'contain', background: { r: 0, g: 0, b: 0 } }).removeAlpha().raw().toBuffer({ resolveWithObject: true });
  return Float32Array.from(data);
}

function maxAbsDiff(a: Float32Array, b: Float32Array): number {
  expect(a.length).toBe(b.length);
  let m = 0;
  for (let i = 0; i < a.length; i++) m = Math.max(m, Math.abs((a[i] as number) - (b[i] as number)));
  return m;
}

function concat(parts: Float32Array[]): Float32Array {
  const out = new Float32Array(parts.reduce((s, p) => s + p.length, 0));
  let o = 0;
  for (const p of parts) {
    out.set(p, o);
    o += p.length;
  }
  return out;
}

describe('expression net parity: TF.js vs converted ONNX', () => {
  let ref: ExpressionReference;
  let ours: Map<string, WeightTensor>;
  let session: ort.InferenceSession;
  const diffs: Record<string, number> = {};

  const onnx = async (x: Float32Array, n: number): Promise<Float32Array> => {
    const out = await session.run({ input: new ort.Tensor('float32', x, [n, SIZE, SIZE, 3]) });
    const t = out.emotions as ort.Tensor;
    expect(t.dims).toEqual([n, EXPRESSION_LABELS.length]);
    return t.data as Float32Array;
  };

  beforeAll(async () => {
    ref = await loadExpressionReference(modelDir);
    ours = await readTfjsWeights(join(modelDir, 'face_expression_model-weights_manifest.json'));
    const bytes = encodeModel(buildExpressionNet(ours, { source: 'test' }));
    session = await ort.InferenceSession.create(bytes, { graphOptimizationLevel: 'all', intraOpNumThreads: 1, logSeverityLevel: 3 });
  });

  afterAll(async () => {
    ref.dispose();
    await session.release();
    console.log(`expression parity max abs diff: ${JSON.stringify(diffs)} (tolerance ${TOLERANCE})`);
  });

  it('dequantises every weight exactly as TF.js does', () => {
    const theirs = ref.weights();
    expect([...ours.keys()].sort()).toEqual([...theirs.keys()].sort());
    for (const [name, t] of ours) expect(Buffer.from((t.data as Float32Array).buffer).equals(Buffer.from((theirs.get(name) as Float32Array).buffer)), name).toBe(true);
  });

  it('agrees on random 0..255 inputs (batch of 4)', async () => {
    const r = seededRandom(42);
    const x = Float32Array.from({ length: 4 * PIXELS }, () => Math.floor(r() * 256));
    const d = maxAbsDiff(ref.run(x, 4), await onnx(x, 4));
    diffs.random = d;
    expect(d).toBeLessThan(TOLERANCE);
  });

  it('agrees on the face-api demo photos, batched and one by one', async () => {
    const imgs = await Promise.all(photos.map((f) => decode112(f)));
    const x = concat(imgs);
    const expected = ref.run(x, imgs.length);
    const batched = await onnx(x, imgs.length);
    diffs.photos = maxAbsDiff(expected, batched);
    expect(diffs.photos).toBeLessThan(TOLERANCE);
    for (let i = 0; i < imgs.length; i++) {
      const single = await onnx(imgs[i] as Float32Array, 1);
      expect(maxAbsDiff(single, batched.subarray(i * 7, i * 7 + 7))).toBeLessThan(1e-5);
    }
  });

  it('agrees on random crops of the demo photos', async () => {
    const r = seededRandom(7);
    const crops: Float32Array[] = [];
    for (const file of photos) {
      const { width = 0, height = 0 } = await sharp(file).metadata();
      const side = Math.max(16, Math.floor((0.2 + 0.6 * r()) * Math.min(width, height)));
      const w = Math.min(width, Math.floor(side * (0.7 + 0.6 * r()))); // not always square: exercises the padding
      crops.push(await decode112(file, { left: Math.floor(r() * (width - w)), top: Math.floor(r() * (height - side)), width: w, height: side }));
    }
    const x = concat(crops);
    diffs.crops = maxAbsDiff(ref.run(x, crops.length), await onnx(x, crops.length));
    expect(diffs.crops).toBeLessThan(TOLERANCE);
  });

  it('gives probabilities that sum to 1', async () => {
    const p = await onnx(new Float32Array(2 * PIXELS).fill(128), 2);
    for (let i = 0; i < 2; i++) expect(p.subarray(i * 7, i * 7 + 7).reduce((s, v) => s + v, 0)).toBeCloseTo(1, 5);
  });
});
