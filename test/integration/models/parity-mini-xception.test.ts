// Parity for the mini-Xception classifier: TF.js running @vladmandic/human's graph model
// (with human's own preprocessing: grey = 0.2989 R + 0.587 G + 0.114 B on a 0..1 image,
// then (grey - 0.5) * 2) against our ONNX conversion with that preprocessing inside.
// Needs the unpacked source files that `pokerface models build` leaves in models/.cache.
import { existsSync, readFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import * as tf from '@tensorflow/tfjs';
import * as ort from 'onnxruntime-node';
import sharp from 'sharp';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { defaultFaceApiDir } from '../../../src/infer/convert/build.js';
import { buildMiniXception } from '../../../src/infer/convert/mini-xception.js';
import { packFileName } from '../../../src/infer/convert/npm-pack.js';
import { encodeModel } from '../../../src/infer/convert/onnx-proto.js';
import { HUMAN_MODELS_PACKAGE } from '../../../src/infer/convert/sources.js';
import { graphModelWeights, parseGraphModel, type TfGraphModelJson } from '../../../src/infer/convert/tf-graph.js';

const cache = resolve('models/.cache', packFileName(HUMAN_MODELS_PACKAGE.name, HUMAN_MODELS_PACKAGE.version).replace(/\.tgz$/, ''), 'models');
const TOLERANCE = 1e-4;
const S = 64;

describe.skipIf(!existsSync(join(cache, 'emotion.bin')))('mini-xception parity: TF.js graph model vs converted ONNX', () => {
  let graph: tf.GraphModel;
  let session: ort.InferenceSession;
  const diffs: Record<string, number> = {};

  beforeAll(async () => {
    const json = JSON.parse(readFileSync(join(cache, 'emotion.json'), 'utf8')) as TfGraphModelJson & { format: string };
    const bin = readFileSync(join(cache, 'emotion.bin'));
    const model = parseGraphModel(json, 'emotion.json');
    session = await ort.InferenceSession.create(encodeModel(buildMiniXception(model, graphModelWeights(model, () => bin), { source: 'test' })), { logSeverityLevel: 3 });
    await tf.setBackend('cpu');
    await tf.ready();
    graph = await tf.loadGraphModel(
      tf.io.fromMemory({
        modelTopology: json.modelTopology,
        weightSpecs: json.weightsManifest.flatMap((g) => g.weights),
        weightData: bin.buffer.slice(bin.byteOffset, bin.byteOffset + bin.byteLength),
        format: json.format,
      }),
    );
  });

  afterAll(async () => {
    graph.dispose();
    await session.release();
    console.log(`mini-xception parity max abs diff: ${JSON.stringify(diffs)} (tolerance ${TOLERANCE})`);
  });

  const reference = (x: Float32Array, n: number): Float32Array =>
    tf.tidy(() => {
      const img = tf.div(tf.tensor4d(x, [n, S, S, 3]), 255);
      const [r, g, b] = tf.split(img, 3, 3) as [tf.Tensor4D, tf.Tensor4D, tf.Tensor4D];
      const grey = tf.addN([tf.mul(r, 0.2989), tf.mul(g, 0.587), tf.mul(b, 0.114)]);
      return (graph.predict(tf.mul(tf.sub(grey, 0.5), 2)) as tf.Tensor).dataSync() as Float32Array;
    });

  const onnx = async (x: Float32Array, n: number): Promise<Float32Array> => {
    const out = (await session.run({ input: new ort.Tensor('float32', x, [n, S, S, 3]) })).emotions as ort.Tensor;
    expect(out.dims).toEqual([n, 7]);
    return out.data as Float32Array;
  };

  const maxAbsDiff = (a: Float32Array, b: Float32Array): number => a.reduce((m, v, i) => Math.max(m, Math.abs(v - (b[i] as number))), 0);

  it('agrees on random inputs and on the face-api demo photos', async () => {
    let seed = 1;
    const rnd = (): number => ((seed = (seed * 1103515245 + 12345) >>> 0) / 2 ** 32);
    const x = Float32Array.from({ length: 4 * S * S * 3 }, () => Math.floor(rnd() * 256));
    diffs.random = maxAbsDiff(reference(x, 4), await onnx(x, 4));
    expect(diffs.random).toBeLessThan(TOLERANCE);

    const photos = await Promise.all(
      [1, 2, 3, 4, 5, 6].map(async (i) => {
        const { data } = await sharp(join(defaultFaceApiDir(), 'demo', `sample${i}.jpg`)).resize(S, S, { fit: 'cover' }).removeAlpha().raw().toBuffer({ resolveWithObject: true });
        return Float32Array.from(data);
      }),
    );
    const p = new Float32Array(photos.length * S * S * 3);
    photos.forEach((ph, i) => p.set(ph, i * S * S * 3));
    diffs.photos = maxAbsDiff(reference(p, photos.length), await onnx(p, photos.length));
    expect(diffs.photos).toBeLessThan(TOLERANCE);
  });
});
