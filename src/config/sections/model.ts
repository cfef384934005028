import { Type as T } from '@sinclair/typebox';

const Emotion = T.Union(
  ['neutral', 'happy', 'sad', 'angry', 'fearful', 'disgusted', 'surprised'].map((e) => T.Literal(e)),
);

// Inside a union Ajv applies no defaults, so these fields are optional here and
// src/infer/providers.ts fills them in (defaults documented in the descriptions).
const TensorRtProvider = T.Object(
  {
    name: T.Literal('tensorrt'),
    deviceId: T.Optional(T.Integer({ minimum: 0, description: 'default 0' })),
    fp16: T.Optional(T.Boolean({ description: 'default true' })),
    engineCacheDir: T.Optional(T.String({ description: 'engine cache folder; must be writable (default /var/cache/pokerface/trt)' })),
    timingCacheDir: T.Optional(T.String({ description: 'timing cache folder (default: engineCacheDir)' })),
    maxWorkspaceMb: T.Optional(T.Integer({ minimum: 0, description: 'default 1024' })),
  },
  { additionalProperties: false },
);
const CudaProvider = T.Object(
  { name: T.Literal('cuda'), deviceId: T.Optional(T.Integer({ minimum: 0, description: 'default 0' })) },
  { additionalProperties: false },
);
const CpuProvider = T.Object({ name: T.Literal('cpu') }, { additionalProperties: false });

export const ProviderSchema = T.Union([
  T.Union([T.Literal('tensorrt'), T.Literal('cuda'), T.Literal('cpu')]),
  TensorRtProvider,
  CudaProvider,
  CpuProvider,
]);

export const ModelSchema = T.Object(
  {
    kind: T.Union([T.Literal('two-stage'), T.Literal('yolo')], { default: 'two-stage' }),
    dir: T.String({ default: 'models', description: 'folder holding the ONNX files and manifest.json' }),
    providers: T.Array(ProviderSchema, { minItems: 1, default: ['cpu'], description: 'execution providers in order of preference' }),
    onnxruntimePath: T.String({ default: '', description: 'path of a custom onnxruntime-node build (Jetson); empty uses the npm package' }),
    intraOpThreads: T.Integer({ minimum: 0, maximum: 64, default: 1, description: '0 lets onnxruntime decide' }),
    graphOptimizationLevel: T.Union([T.Literal('disabled'), T.Literal('basic'), T.Literal('extended'), T.Literal('all')], { default: 'all' }),
    workerTimeoutMs: T.Integer({ minimum: 100, maximum: 600_000, default: 2000, description: 'a worker that does not answer in this time is replaced' }),
    detector: T.Object(
      {
        variant: T.Union([T.Literal('front'), T.Literal('back')], { default: 'front', description: 'BlazeFace front 128 (close-up) or back 256 (farther faces)' }),
        scoreThreshold: T.Number({ minimum: 0, maximum: 1, default: 0.6 }),
        nmsIou: T.Number({ minimum: 0, maximum: 1, default: 0.3 }),
        weightedNms: T.Boolean({ default: true }),
        maxFaces: T.Integer({ minimum: 1, maximum: 50, default: 5 }),
        redetectEvery: T.Integer({
          minimum: 1,
          maximum: 1000,
          default: 12,
          description: 'while the faces hold still, run face detection every N frames and classify the kept boxes in between (1: every frame; two-stage)',
        }),
        redetectChange: T.Number({
          minimum: 0,
          maximum: 255,
          default: 8,
          description: 'detect again at once when a face\'s crop differs from its crop at the last detection by more than this mean absolute difference (pixel levels 0..255; about a 1.5-pixel move)',
        }),
      },
      { additionalProperties: false, default: {} },
    ),
    classifier: T.Object(
      {
        name: T.Union([T.Literal('expression'), T.Literal('mini-xception')], { default: 'expression' }),
        align: T.Boolean({ default: true, description: 'rotate crops so the eyes are level' }),
        margin: T.Number({ minimum: 0, maximum: 1, default: 0.2, description: 'extra border around the face box, as a fraction of its size' }),
        otherFacesEvery: T.Integer({ minimum: 1, maximum: 1000, default: 5, description: 'classify faces other than the largest every N frames' }),
        playerEvery: T.Integer({
          minimum: 1,
          maximum: 10,
          default: 2,
          description:
            "while the player's face holds still (a frame that skips detection), classify it every N frames and repeat its last emotions in between; a frame whose crop changed is always classified (1: every frame; 2 halves the classifier's CPU on slow boards for at most one frame of delay; two-stage)",
        }),
      },
      { additionalProperties: false, default: {} },
    ),
    yolo: T.Object(
      {
        file: T.String({ default: 'models/yolo.onnx', description: 'ONNX export of a MobileNetV2-YOLOv3 emotion detector' }),
        inputSize: T.Integer({ minimum: 32, maximum: 1280, multipleOf: 32, default: 224 }),
        classes: T.Array(Emotion, { minItems: 1, default: ['happy', 'surprised', 'neutral'] }),
        anchors: T.Array(T.Tuple([T.Number({ exclusiveMinimum: 0 }), T.Number({ exclusiveMinimum: 0 })]), {
          minItems: 9,
          maxItems: 9,
          default: [[10, 13], [16, 30], [33, 23], [30, 61], [62, 45], [59, 119], [116, 90], [156, 198], [373, 326]],
          description: '9 anchors (w, h) in input pixels, sorted by area; pokerface anchors computes them',
        }),
        layout: T.Union([T.Literal('auto'), T.Literal('nchw'), T.Literal('nhwc')], { default: 'auto' }),
        confThreshold: T.Number({ minimum: 0, maximum: 1, default: 0.4 }),
        nmsIou: T.Number({ minimum: 0, maximum: 1, default: 0.5 }),
        classAgnosticNms: T.Boolean({ default: true }),
        normalize: T.Union([T.Literal('0-1'), T.Literal('-1-1'), T.Literal('0-255')], { default: '0-1', description: 'input scaling the model was trained with' }),
      },
      { additionalProperties: false, default: {} },
    ),
  },
  { additionalProperties: false, default: {} },
);
