// The mini-Xception emotion classifier (oarriaga/face_classification, FER2013) that
// @vladmandic/human ships as a TF.js graph model (models/emotion.json), as ONNX.
// Human feeds it a 64x64 crop turned grey with weights [0.2989, 0.5870, 0.1140] on a
// 0..1 image and scaled to [-1, 1] ((grey - 0.5) * 2); we put that preprocessing into
// the graph so the input is the same kind as the expression net's: RGB 0..255 NHWC.
import { PokerfaceError } from '../../errors.js';
import { GraphBuilder } from './graph-builder.js';
import type { Model } from './onnx-proto.js';
import { convertGraph, type TfGraphModelJson } from './tf-graph.js';
import type { WeightTensor } from './tfjs-weights.js';

/** Output order of the model (FER2013: angry, disgust, fear, happy, sad, surprise, neutral) in our emotion names. */
export const MINI_XCEPTION_LABELS = ['angry', 'disgusted', 'fearful', 'happy', 'sad', 'surprised', 'neutral'] as const;
export const MINI_XCEPTION_INPUT_SIZE = 64;
export const GREY_WEIGHTS = [0.2989, 0.587, 0.114] as const;
export const MINI_XCEPTION_CONVERTER_VERSION = '1';

function fail(detail: string): never {
  throw new PokerfaceError('POKERFACE_ERR_MODEL_BUILD', `mini-xception: ${detail}`);
}

export function buildMiniXception(model: TfGraphModelJson, weights: Map<string, WeightTensor>, meta: { source: string }): Model {
  const nodes = model.modelTopology.node;
  const placeholders = nodes.filter((n) => n.op === 'Placeholder');
  if (placeholders.length !== 1) fail(`expected one input placeholder, found ${placeholders.length}`);
  const consumed = new Set(nodes.flatMap((n) => (n.input ?? []).map((i) => i.replace(/^\^/, '').replace(/:\d+$/, ''))));
  const sinks = nodes.filter((n) => n.op !== 'Const' && !consumed.has(n.name));
  if (sinks.length !== 1) fail(`expected one output node, found ${sinks.map((n) => n.name).join(', ') || 'none'}`);

  const size = MINI_XCEPTION_INPUT_SIZE;
  const g = new GraphBuilder('mini_xception_emotion');
  const input = g.input('input', ['N', size, size, 3]);
  const nchw = g.op('Transpose', [input], { perm: [0, 3, 1, 2] }, 'to_nchw');
  // grey (0..1) = Σ w·c / 255; x = (grey - 0.5) * 2 = Σ (2w/255)·c - 1 (Σw = 0.9999)
  const greyW = g.floatConst('grey/weights', GREY_WEIGHTS.map((w) => (2 * w) / 255), [1, 3, 1, 1]);
  const greyB = g.floatConst('grey/bias', [-1], [1]);
  const grey = g.op('Conv', [nchw, greyW, greyB], { kernel_shape: [1, 1], strides: [1, 1], pads: [0, 0, 0, 0], group: 1, dilations: [1, 1] }, 'grey');

  const placeholder = placeholders[0]?.name as string;
  const res = convertGraph(g, model, weights, { [placeholder]: { name: grey, channels: 1, h: size, w: size } }, sinks[0]?.name as string, 'tf');
  if (res.shape.length !== 1 || res.shape[0] !== MINI_XCEPTION_LABELS.length) fail(`output shape [${res.shape.join(', ')}], expected [${MINI_XCEPTION_LABELS.length}]`);
  const unused = [...weights.keys()].filter((k) => !res.usedWeights.has(k));
  if (unused.length > 0) fail(`weights not used by the graph: ${unused.join(', ')}`);
  g.op('Identity', [res.output], {}, 'output', 'emotions');
  g.output('emotions', ['N', MINI_XCEPTION_LABELS.length]);

  return g.model({
    producerName: 'pokerface models build',
    producerVersion: MINI_XCEPTION_CONVERTER_VERSION,
    docString: `mini-Xception FER2013 emotion classifier converted from ${meta.source}. Input: RGB 0..255 NHWC 64x64 (grey conversion inside). Output: softmax over ${MINI_XCEPTION_LABELS.join(', ')}.`,
    metadata: { labels: JSON.stringify(MINI_XCEPTION_LABELS), source: meta.source },
  });
}
