// Reference forward pass of face-api's FaceExpressionNet in TF.js (pure-JS cpu backend),
// written op for op after face-api's own sources (FaceFeatureExtractor.forwardInput,
// denseBlock4, depthwiseSeparableConv, FaceProcessor.runNet, FaceExpressionNet.forwardInput).
// Weights are decoded by TF.js itself (tf.io.decodeWeights), independently of our reader.
// face-api's bundled builds cannot run here (its node build needs tfjs-node, its ESM
// build the wasm backend), so this mirrors the source instead of importing it.
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import * as tf from '@tensorflow/tfjs';

type Params = Record<string, tf.Tensor>;

export interface ExpressionReference {
  /** input: NHWC float32 RGB 0..255, [n,112,112,3]; returns [n,7] softmax. */
  run(input: Float32Array, n: number): Float32Array;
  /** the weights as TF.js decoded them */
  weights(): Map<string, Float32Array>;
  dispose(): void;
}

export async function loadExpressionReference(modelDir: string): Promise<ExpressionReference> {
  await tf.setBackend('cpu');
  await tf.ready();
  const groups = JSON.parse(readFileSync(join(modelDir, 'face_expression_model-weights_manifest.json'), 'utf8')) as tf.io.WeightsManifestConfig;
  const params: Params = {};
  for (const group of groups) {
    const bufs = group.paths.map((p) => readFileSync(join(modelDir, p)));
    const all = Buffer.concat(bufs);
    const ab = all.buffer.slice(all.byteOffset, all.byteOffset + all.byteLength);
    Object.assign(params, tf.io.decodeWeights(ab, group.weights));
  }
  const p = (name: string): tf.Tensor => {
    const t = params[name];
    if (!t) throw new Error(`reference: weight ${name} missing`);
    return t;
  };

  const sep = (x: tf.Tensor4D, prefix: string, stride: [number, number]): tf.Tensor4D =>
    tf.tidy(() =>
      tf.add(
        tf.separableConv2d(x, p(`${prefix}/depthwise_filter`) as tf.Tensor4D, p(`${prefix}/pointwise_filter`) as tf.Tensor4D, stride, 'same'),
        p(`${prefix}/bias`),
      ),
    );

  const dense4 = (x: tf.Tensor4D, prefix: string, isFirstLayer: boolean): tf.Tensor4D =>
    tf.tidy(() => {
      const out1 = tf.relu(
        isFirstLayer
          ? tf.add(tf.conv2d(x, p(`${prefix}/conv0/filters`) as tf.Tensor4D, [2, 2], 'same'), p(`${prefix}/conv0/bias`))
          : sep(x, `${prefix}/conv0`, [2, 2]),
      ) as tf.Tensor4D;
      const out2 = sep(out1, `${prefix}/conv1`, [1, 1]);
      const in3 = tf.relu(tf.add(out1, out2)) as tf.Tensor4D;
      const out3 = sep(in3, `${prefix}/conv2`, [1, 1]);
      const in4 = tf.relu(tf.add(out1, tf.add(out2, out3))) as tf.Tensor4D;
      const out4 = sep(in4, `${prefix}/conv3`, [1, 1]);
      return tf.relu(tf.add(out1, tf.add(out2, tf.add(out3, out4)))) as tf.Tensor4D;
    });

  return {
    run(input, n) {
      return tf.tidy(() => {
        const batch = tf.tensor4d(input, [n, 112, 112, 3], 'float32');
        // face-api normalize(): subtract a [n,112,112,3] tensor filled with meanRgb, then /255
        const [r, g, b] = [122.782, 117.001, 104.298];
        const avg = tf.concat([tf.fill([n, 112, 112, 1], r, 'float32'), tf.fill([n, 112, 112, 1], g, 'float32'), tf.fill([n, 112, 112, 1], b, 'float32')], 3);
        const normalized = tf.div<tf.Tensor4D>(tf.sub(batch, avg), 255);
        let out = dense4(normalized, 'dense0', true);
        out = dense4(out, 'dense1', false);
        out = dense4(out, 'dense2', false);
        out = dense4(out, 'dense3', false);
        out = tf.avgPool(out, [7, 7], [2, 2], 'valid');
        const flat = out.as2D(out.shape[0], -1);
        const logits = tf.add(tf.matMul(flat, p('fc/weights') as tf.Tensor2D), p('fc/bias'));
        return tf.softmax(logits).dataSync() as Float32Array;
      });
    },
    weights() {
      return new Map(Object.entries(params).map(([k, t]) => [k, t.dataSync() as Float32Array]));
    },
    dispose() {
      for (const t of Object.values(params)) t.dispose();
    },
  };
}
