// face-api's FaceExpressionNet as an ONNX graph. The network (face-api src/
// faceFeatureExtractor/FaceFeatureExtractor.ts, denseBlock.ts, faceProcessor/
// FaceProcessor.ts, faceExpressionNet/FaceExpressionNet.ts) is:
//   x = (rgb - meanRgb) / 255                      meanRgb = [122.782, 117.001, 104.298]
//   4 dense blocks (dense0..dense3), each: out1 = relu(conv0 stride 2, 'same')
//     out2 = sep(out1); out3 = sep(relu(out1 + out2)); out4 = sep(relu(out1 + (out2 + out3)))
//     block = relu(out1 + (out2 + (out3 + out4)))   sep = depthwise 3x3 + pointwise 1x1 + bias
//     (dense0's conv0 is a plain 3x3 conv; the others are separable)
//   avgPool 7x7 stride 2 'valid' → [N, 1, 1, 256] → fc (256 → 7) → softmax
// The graph sums each block as running totals (see denseBlock4): the same maths, the
// float additions in another order (parity with TF.js stays within 1e-6).
import { PokerfaceError } from '../../errors.js';
import { GraphBuilder } from './graph-builder.js';
import { depthwiseToOnnx, hwioToOihw, samePadding, validOutput } from './layout.js';
import type { Model } from './onnx-proto.js';
import type { WeightTensor } from './tfjs-weights.js';

export const EXPRESSION_LABELS = ['neutral', 'happy', 'sad', 'angry', 'fearful', 'disgusted', 'surprised'] as const;
export const EXPRESSION_INPUT_SIZE = 112;
const MEAN_RGB = [122.782, 117.001, 104.298];

interface Ctx {
  g: GraphBuilder;
  w: Map<string, WeightTensor>;
  used: Set<string>;
}

function weight(ctx: Ctx, name: string, rank: number): WeightTensor {
  const t = ctx.w.get(name);
  if (!t) throw new PokerfaceError('POKERFACE_ERR_MODEL_BUILD', `expression net: weight ${name} missing`);
  if (t.shape.length !== rank || !(t.data instanceof Float32Array)) {
    throw new PokerfaceError('POKERFACE_ERR_MODEL_BUILD', `expression net: weight ${name} has shape [${t.shape.join(', ')}] ${t.dtype}, expected rank ${rank} float32`);
  }
  ctx.used.add(name);
  return t;
}

interface Feature {
  name: string;
  channels: number;
  size: number; // square spatial size
}

function pads(size: number, kernel: number, stride: number): { pads: number[]; out: number } {
  const [before, after, out] = samePadding(size, kernel, stride);
  return { pads: [before, before, after, after], out };
}

function plainConv(ctx: Ctx, x: Feature, prefix: string, stride: number): Feature {
  const f = weight(ctx, `${prefix}/filters`, 4);
  const b = weight(ctx, `${prefix}/bias`, 1);
  const k = hwioToOihw(f.data as Float32Array, f.shape);
  const [outC, inC, kh, kw] = k.shape;
  if (inC !== x.channels || kh !== kw) throw new PokerfaceError('POKERFACE_ERR_MODEL_BUILD', `${prefix}: filter [${f.shape.join(', ')}] does not fit ${x.channels} channels`);
  const p = pads(x.size, kh, stride);
  const W = ctx.g.floatConst(`${prefix}/filters`, k.data, k.shape);
  const B = ctx.g.floatConst(`${prefix}/bias`, b.data as Float32Array, [outC]);
  const y = ctx.g.op('Conv', [x.name, W, B], { kernel_shape: [kh, kw], strides: [stride, stride], pads: p.pads, group: 1, dilations: [1, 1] }, prefix);
  return { name: y, channels: outC, size: p.out };
}

function separableConv(ctx: Ctx, x: Feature, prefix: string, stride: number): Feature {
  const dw = weight(ctx, `${prefix}/depthwise_filter`, 4);
  const pw = weight(ctx, `${prefix}/pointwise_filter`, 4);
  const b = weight(ctx, `${prefix}/bias`, 1);
  const d = depthwiseToOnnx(dw.data as Float32Array, dw.shape);
  const [dC, , kh, kw] = d.shape;
  if (dw.shape[2] !== x.channels || kh !== kw) throw new PokerfaceError('POKERFACE_ERR_MODEL_BUILD', `${prefix}: depthwise filter [${dw.shape.join(', ')}] does not fit ${x.channels} channels`);
  const p = pads(x.size, kh, stride);
  const DW = ctx.g.floatConst(`${prefix}/depthwise_filter`, d.data, d.shape);
  const mid = ctx.g.op('Conv', [x.name, DW], { kernel_shape: [kh, kw], strides: [stride, stride], pads: p.pads, group: x.channels, dilations: [1, 1] }, `${prefix}/depthwise`);
  const k = hwioToOihw(pw.data as Float32Array, pw.shape);
  const [outC, inC] = k.shape;
  if (inC !== dC || k.shape[2] !== 1 || k.shape[3] !== 1) throw new PokerfaceError('POKERFACE_ERR_MODEL_BUILD', `${prefix}: pointwise filter [${pw.shape.join(', ')}] does not fit`);
  const PW = ctx.g.floatConst(`${prefix}/pointwise_filter`, k.data, k.shape);
  const B = ctx.g.floatConst(`${prefix}/bias`, b.data as Float32Array, [outC]);
  const y = ctx.g.op('Conv', [mid, PW, B], { kernel_shape: [1, 1], strides: [1, 1], pads: [0, 0, 0, 0], group: 1, dilations: [1, 1] }, prefix);
  return { name: y, channels: outC, size: p.out };
}

function relu(ctx: Ctx, x: Feature, hint: string): Feature {
  return { ...x, name: ctx.g.op('Relu', [x.name], {}, hint) };
}

function add(ctx: Ctx, a: Feature, b: Feature, hint: string): Feature {
  return { ...a, name: ctx.g.op('Add', [a.name, b.name], {}, hint) };
}

/**
 * One dense block, its sums kept as running totals: s2 = out1 + out2, s3 = s2 + out3,
 * s4 = s3 + out4. Each running total is one Add right after the pointwise conv that
 * produces its new term, which onnxruntime folds into that conv (its `Sum` input), and
 * the block's closing Relu folds in as the conv's activation; face-api's nested sums
 * (out1 + (out2 + out3)) would leave every term with three consumers and 20 separate
 * Adds in the graph. Only the order of float additions differs from face-api.
 */
function denseBlock4(ctx: Ctx, x: Feature, prefix: string, isFirstLayer: boolean): Feature {
  const out1 = relu(ctx, isFirstLayer ? plainConv(ctx, x, `${prefix}/conv0`, 2) : separableConv(ctx, x, `${prefix}/conv0`, 2), `${prefix}/out1`);
  const s2 = add(ctx, separableConv(ctx, out1, `${prefix}/conv1`, 1), out1, `${prefix}/sum2`);
  const s3 = add(ctx, separableConv(ctx, relu(ctx, s2, `${prefix}/in3`), `${prefix}/conv2`, 1), s2, `${prefix}/sum3`);
  const s4 = add(ctx, separableConv(ctx, relu(ctx, s3, `${prefix}/in4`), `${prefix}/conv3`, 1), s3, `${prefix}/sum4`);
  return relu(ctx, s4, `${prefix}/out`);
}

/**
 * Written into the ONNX producer_version. Bump it when the emitted graph changes; it is
 * not the package version, so the output (and its pinned sha256) stays the same
 * across pokerface releases that do not touch the converter.
 */
export const CONVERTER_VERSION = '2';

export interface ExpressionNetMeta {
  /** where the weights came from, e.g. "@vladmandic/face-api@1.7.15" */
  source: string;
}

/**
 * Builds the ONNX model. Input `input`: float32 NHWC [N,112,112,3], RGB 0..255.
 * Output `emotions`: float32 [N,7] softmax probabilities in EXPRESSION_LABELS order.
 */
export function buildExpressionNet(weights: Map<string, WeightTensor>, meta: ExpressionNetMeta): Model {
  const g = new GraphBuilder('face_expression_net');
  const ctx: Ctx = { g, w: weights, used: new Set() };
  const size = EXPRESSION_INPUT_SIZE;

  const input = g.input('input', ['N', size, size, 3]);
  // transposed first: a per-channel mean on NCHW is one run per plane, while on NHWC
  // it broadcasts over the innermost 3 values and costs more than the first conv
  const nchw = g.op('Transpose', [input], { perm: [0, 3, 1, 2] }, 'to_nchw');
  const centred = g.op('Sub', [nchw, g.floatConst('mean_rgb', MEAN_RGB, [1, 3, 1, 1])], {}, 'normalize/sub');
  const scaled = g.op('Div', [centred, g.floatConst('scale_255', [255], [])], {}, 'normalize/div');

  let x: Feature = { name: scaled, channels: 3, size };
  x = denseBlock4(ctx, x, 'dense0', true);
  x = denseBlock4(ctx, x, 'dense1', false);
  x = denseBlock4(ctx, x, 'dense2', false);
  x = denseBlock4(ctx, x, 'dense3', false);

  // face-api pools 7x7 with stride 2, 'valid'; on a 7x7 map that is one output per
  // channel, so the NHWC → [N, C] flatten of face-api and our NCHW flatten agree.
  const pooledSize = validOutput(x.size, 7, 2);
  if (pooledSize !== 1) throw new PokerfaceError('POKERFACE_ERR_MODEL_BUILD', `expression net: pooled map is ${pooledSize}x${pooledSize}, expected 1x1`);
  const pooled = g.op('AveragePool', [x.name], { kernel_shape: [7, 7], strides: [2, 2], pads: [0, 0, 0, 0] }, 'avgpool');
  const flat = g.op('Flatten', [pooled], { axis: 1 }, 'flatten');

  const fcW = weight(ctx, 'fc/weights', 2);
  const fcB = weight(ctx, 'fc/bias', 1);
  const [cin, cout] = fcW.shape as [number, number];
  if (cin !== x.channels || cout !== EXPRESSION_LABELS.length) {
    throw new PokerfaceError('POKERFACE_ERR_MODEL_BUILD', `expression net: fc/weights [${fcW.shape.join(', ')}], expected [${x.channels}, ${EXPRESSION_LABELS.length}]`);
  }
  const logits = g.op('Gemm', [flat, g.floatConst('fc/weights', fcW.data as Float32Array, [cin, cout]), g.floatConst('fc/bias', fcB.data as Float32Array, [cout])], {}, 'fc');
  g.op('Softmax', [logits], { axis: 1 }, 'softmax', 'emotions');
  g.output('emotions', ['N', cout]);

  const unused = [...weights.keys()].filter((k) => !ctx.used.has(k));
  if (unused.length > 0) throw new PokerfaceError('POKERFACE_ERR_MODEL_BUILD', `expression net: weights not used by the graph: ${unused.join(', ')}`);

  return g.model({
    producerName: 'pokerface models build',
    producerVersion: CONVERTER_VERSION,
    docString: `face-api FaceExpressionNet converted from ${meta.source}. Input: RGB 0..255 NHWC 112x112. Output: softmax over ${EXPRESSION_LABELS.join(', ')}.`,
    metadata: { labels: JSON.stringify(EXPRESSION_LABELS), source: meta.source },
  });
}
