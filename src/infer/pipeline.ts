// The per-frame work, run inside the inference worker (and directly by tests and the
// benchmark): preprocess -> detect -> classify, all buffers allocated once.
import { performance } from 'node:perf_hooks';
import type { FrozenConfig } from '../config/schema.js';
import { PokerfaceError } from '../errors.js';
import type { Logger } from '../log.js';
import { EMOTIONS, type DetectorInfo, type Emotion, type Face } from '../types.js';
import { BLAZEFACE_ANCHORS, ssdAnchors } from './anchors.js';
import { decodeBlazeFace } from './blazeface.js';
import { headPose } from './head-pose.js';
import { checkShapes, sha256File, verifyModel } from './manifest.js';
import { iou, playerFaceIndex, type BoxTuple } from '../geometry.js';
import type { Detection } from './nms.js';
import { float32Tensor, openSession, sessionShapes, tensorData, type OpenedSession, type OrtBinding, type OrtTensor } from './onnx.js';
import { LetterboxResizer, NORM_0_1, NORM_0_255, NORM_MINUS1_1, checkFrame, cropGeometry, sampleCrop, type FrameView, type Letterbox, type Normalise } from './preprocess.js';
import { decodeYolo, type YoloOutput } from './yolo.js';

export type ModelConfig = FrozenConfig['model'];

export interface StageTimings {
  preprocess: number;
  detect: number;
  classify: number;
}

export interface PipelineResult {
  faces: Face[];
  timings: StageTimings;
}

export interface Pipeline {
  /** `focus`: the tracked player's box, whose face is classified on every frame (two-stage). */
  run(f: FrameView, focus?: BoxTuple | null): Promise<PipelineResult>;
  info(): DetectorInfo;
  close(): Promise<void>;
}

export interface PipelineDeps {
  ort: OrtBinding;
  log: Logger;
}

/** Classifier input when the manifest does not say (face-api expression net). */
export const CLASSIFIER_SIZE = 112;

/** The classifier's crop size and channels from its manifest input [N, H, W, C]. */
export function classifierInput(shape: ReadonlyArray<number | string> | undefined): { size: number; channels: 1 | 3 } {
  const h = shape?.[1];
  const c = shape?.[3];
  const size = typeof h === 'number' && h > 0 ? h : CLASSIFIER_SIZE;
  if (c !== undefined && c !== 1 && c !== 3 && typeof c === 'number') throw new PokerfaceError('POKERFACE_ERR_MODEL_SHAPE', `classifier input has ${c} channels; 1 or 3 expected`);
  return { size, channels: c === 1 ? 1 : 3 };
}

function openOpts(cfg: ModelConfig, log: Logger, model: string): Parameters<typeof openSession>[2] {
  return { providers: cfg.providers, intraOpThreads: cfg.intraOpThreads, graphOptimizationLevel: cfg.graphOptimizationLevel, log, model };
}

export async function createPipeline(cfg: ModelConfig, deps: PipelineDeps): Promise<Pipeline> {
  return cfg.kind === 'yolo' ? YoloPipeline.create(cfg, deps) : TwoStagePipeline.create(cfg, deps);
}

/** Frame coordinates from a detection normalised to the letterboxed model input. */
function toFrame(v: number, size: number, pad: number, scale: number): number {
  return (v * size - pad) / scale;
}

export class TwoStagePipeline implements Pipeline {
  private frameNo = 0;
  private previous: Face[] = [];
  private readonly batch = new Map<number, { data: Float32Array; tensor: OrtTensor }>();

  private constructor(
    private readonly cfg: ModelConfig,
    private readonly deps: PipelineDeps,
    private readonly det: OpenedSession,
    private readonly cls: OpenedSession,
    private readonly detInput: { name: string; data: Float32Array; tensor: OrtTensor },
    private readonly detOutputs: { scores16: string; scores8: string; boxes16: string; boxes8: string },
    private readonly resizer: LetterboxResizer,
    private readonly anchors: Float32Array,
    private readonly labels: readonly string[],
    private readonly models: Array<{ file: string; sha256: string }>,
    private readonly clsInput: { size: number; channels: 1 | 3 },
  ) {}

  static async create(cfg: ModelConfig, deps: PipelineDeps): Promise<TwoStagePipeline> {
    const variant = cfg.detector.variant;
    const detId = variant === 'back' ? 'blazeface-back' : 'blazeface-front';
    const detEntry = await verifyModel(cfg.dir, detId);
    const clsEntry = await verifyModel(cfg.dir, cfg.classifier.name);
    const det = await openSession(deps.ort, detEntry.path, openOpts(cfg, deps.log, detEntry.file));
    let cls: OpenedSession;
    try {
      checkShapes(detEntry, sessionShapes(det.session).inputs, sessionShapes(det.session).outputs);
      cls = await openSession(deps.ort, clsEntry.path, openOpts(cfg, deps.log, clsEntry.file));
    } catch (e) {
      await det.session.release();
      throw e;
    }
    try {
      const clsShapes = sessionShapes(cls.session);
      checkShapes(clsEntry, clsShapes.inputs, clsShapes.outputs);
      const size = BLAZEFACE_ANCHORS[variant].inputSize;
      const detShapes = sessionShapes(det.session);
      const find = (n: number, last: number): string => {
        const o = detShapes.outputs.find((x) => x.shape[1] === n && x.shape[2] === last);
        if (!o) throw new PokerfaceError('POKERFACE_ERR_MODEL_SHAPE', `${detEntry.file}: no output of shape [1, ${n}, ${last}]`);
        return o.name;
      };
      const detOutputs = { scores16: find(512, 1), scores8: find(384, 1), boxes16: find(512, 16), boxes8: find(384, 16) };
      const inputName = detShapes.inputs[0]?.name ?? '';
      const data = new Float32Array(size * size * 3);
      const labels = clsEntry.labels ?? EMOTIONS;
      return new TwoStagePipeline(
        cfg,
        deps,
        det,
        cls,
        { name: inputName, data, tensor: float32Tensor(deps.ort, data, [1, size, size, 3]) },
        detOutputs,
        new LetterboxResizer(size, NORM_MINUS1_1, 'nhwc', 0),
        ssdAnchors(BLAZEFACE_ANCHORS[variant]),
        labels,
        [
          { file: detEntry.file, sha256: detEntry.sha256 },
          { file: clsEntry.file, sha256: clsEntry.sha256 },
        ],
        classifierInput(clsEntry.inputs[0]?.shape),
      );
    } catch (e) {
      await det.session.release();
      await cls.session.release();
      throw e;
    }
  }

  info(): DetectorInfo {
    return {
      kind: 'two-stage',
      provider: this.det.provider,
      fallbacks: [...this.det.fallbacks],
      models: this.models,
    };
  }

  private batchFor(k: number): { data: Float32Array; tensor: OrtTensor } {
    let b = this.batch.get(k);
    if (!b) {
      const { size, channels } = this.clsInput;
      const data = new Float32Array(k * size * size * channels);
      b = { data, tensor: float32Tensor(this.deps.ort, data, [k, size, size, channels]) };
      this.batch.set(k, b);
    }
    return b;
  }

  /** Face detection only: detections in frame pixels. */
  async detectFaces(f: FrameView): Promise<{ dets: Detection[]; preprocess: number; detect: number }> {
    const t0 = performance.now();
    const lb = this.resizer.run(f, this.detInput.data);
    const t1 = performance.now();
    const out = await this.det.session.run({ [this.detInput.name]: this.detInput.tensor });
    const o = this.detOutputs;
    const d = this.cfg.detector;
    const size = this.resizer.size;
    const norm = decodeBlazeFace(
      {
        scores16: tensorData(out[o.scores16], o.scores16),
        scores8: tensorData(out[o.scores8], o.scores8),
        boxes16: tensorData(out[o.boxes16], o.boxes16),
        boxes8: tensorData(out[o.boxes8], o.boxes8),
      },
      this.anchors,
      { inputSize: size, scoreThreshold: d.scoreThreshold, nmsIou: d.nmsIou, weighted: d.weightedNms, maxFaces: d.maxFaces },
    );
    const dets = norm.map((n) => mapDetection(n, size, lb, f.width, f.height));
    return { dets, preprocess: t1 - t0, detect: performance.now() - t1 };
  }

  async run(f: FrameView, focus: BoxTuple | null = null): Promise<PipelineResult> {
    checkFrame(f);
    const { dets, preprocess, detect } = await this.detectFaces(f);
    const t2 = performance.now();
    const frameNo = this.frameNo++;
    const every = this.cfg.classifier.otherFacesEvery;
    const faces: Face[] = dets.map((d) => ({
      box: [d.x, d.y, d.w, d.h],
      score: d.score,
      emotions: {},
      keypoints: pairs(d.kps),
      pose: headPose(d.kps) ?? undefined,
    }));
    // the player (the judge's track, or the face the judge would choose) is classified on
    // every frame; spectators only every `otherFacesEvery` frames
    const mainIdx = playerFaceIndex(faces, focus, f.width, f.height);
    const todo: number[] = [];
    dets.forEach((_, i) => {
      if (i === mainIdx || frameNo % every === 0) todo.push(i);
      else (faces[i] as Face).emotions = this.carryOver(faces[i] as Face);
    });
    let prepMs = preprocess;
    if (todo.length > 0) {
      const tc = performance.now();
      const b = this.batchFor(todo.length);
      const { align, margin } = this.cfg.classifier;
      const { size, channels } = this.clsInput;
      const per = size * size * channels;
      todo.forEach((fi, k) => {
        const d = dets[fi] as Detection;
        const eyes = d.kps.length >= 4 ? { rx: d.kps[0] as number, ry: d.kps[1] as number, lx: d.kps[2] as number, ly: d.kps[3] as number } : null;
        sampleCrop(f, cropGeometry(d, eyes, margin, align), size, NORM_0_255, b.data, k * per, channels);
      });
      prepMs += performance.now() - tc;
      const out = await this.cls.session.run({ [this.cls.session.inputNames[0] as string]: b.tensor });
      const name = this.cls.session.outputNames[0] as string;
      const probs = tensorData(out[name], name);
      const n = this.labels.length;
      todo.forEach((fi, k) => {
        const em: Partial<Record<Emotion, number>> = {};
        for (let c = 0; c < n; c++) em[this.labels[c] as Emotion] = probs[k * n + c];
        (faces[fi] as Face).emotions = em;
      });
    }
    this.previous = faces;
    const classify = performance.now() - t2 - (prepMs - preprocess);
    return { faces, timings: { preprocess: prepMs, detect, classify } };
  }

  /** Emotions of the best-overlapping face of the previous frame (faces move little). */
  private carryOver(face: Face): Partial<Record<Emotion, number>> {
    const a = face.box;
    let best: Face | null = null;
    let bestIou = 0.3;
    for (const p of this.previous) {
      const v = iou(a[0], a[1], a[2], a[3], p.box[0], p.box[1], p.box[2], p.box[3]);
      if (v > bestIou) {
        bestIou = v;
        best = p;
      }
    }
    return best ? { ...best.emotions } : {};
  }

  async close(): Promise<void> {
    await this.det.session.release();
    await this.cls.session.release();
  }
}

function pairs(v: number[]): Array<[number, number]> {
  const out: Array<[number, number]> = [];
  for (let i = 0; i + 1 < v.length; i += 2) out.push([v[i] as number, v[i + 1] as number]);
  return out;
}

/** A detection normalised to the model input -> frame pixels, clipped to the frame. */
export function mapDetection(n: Detection, size: number, lb: Letterbox, width: number, height: number): Detection {
  const x1 = Math.max(0, toFrame(n.x, size, lb.padX, lb.scale));
  const y1 = Math.max(0, toFrame(n.y, size, lb.padY, lb.scale));
  const x2 = Math.min(width, toFrame(n.x + n.w, size, lb.padX, lb.scale));
  const y2 = Math.min(height, toFrame(n.y + n.h, size, lb.padY, lb.scale));
  const kps = n.kps.map((v, i) => (i % 2 === 0 ? toFrame(v, size, lb.padX, lb.scale) : toFrame(v, size, lb.padY, lb.scale)));
  return { ...n, x: x1, y: y1, w: Math.max(0, x2 - x1), h: Math.max(0, y2 - y1), kps };
}

const NORMS: Record<string, Normalise> = { '0-1': NORM_0_1, '-1-1': NORM_MINUS1_1, '0-255': NORM_0_255 };

export class YoloPipeline implements Pipeline {
  private constructor(
    private readonly cfg: ModelConfig,
    private readonly s: OpenedSession,
    private readonly input: { name: string; data: Float32Array; tensor: OrtTensor },
    private readonly resizer: LetterboxResizer,
    private readonly models: Array<{ file: string; sha256: string }>,
  ) {}

  static async create(cfg: ModelConfig, deps: PipelineDeps): Promise<YoloPipeline> {
    const y = cfg.yolo;
    let sha256: string;
    try {
      sha256 = await sha256File(y.file);
    } catch (e) {
      throw new PokerfaceError('POKERFACE_ERR_MODEL_MISSING', `${y.file}: ${(e as Error).message}`, { cause: e });
    }
    const s = await openSession(deps.ort, y.file, openOpts(cfg, deps.log, y.file));
    try {
      const shapes = sessionShapes(s.session);
      const inp = shapes.inputs[0];
      const size = y.inputSize;
      if (!inp || shapes.inputs.length !== 1 || inp.shape.length !== 4) {
        throw new PokerfaceError('POKERFACE_ERR_MODEL_SHAPE', `${y.file}: expected one 4-d image input`);
      }
      const nchw = inp.shape[1] === 3;
      const spatial = nchw ? [inp.shape[2], inp.shape[3]] : [inp.shape[1], inp.shape[2]];
      if (!nchw && inp.shape[3] !== 3) throw new PokerfaceError('POKERFACE_ERR_MODEL_SHAPE', `${y.file}: input [${inp.shape.join(', ')}] has no 3-channel axis`);
      if (spatial.some((d) => d !== -1 && d !== size)) {
        throw new PokerfaceError('POKERFACE_ERR_MODEL_SHAPE', `${y.file}: input [${inp.shape.join(', ')}] does not match model.yolo.inputSize ${size}`);
      }
      if (shapes.outputs.length !== 3) throw new PokerfaceError('POKERFACE_ERR_MODEL_SHAPE', `${y.file}: ${shapes.outputs.length} outputs, expected 3 scales`);
      const data = new Float32Array(size * size * 3);
      const dims = nchw ? [1, 3, size, size] : [1, size, size, 3];
      const norm = NORMS[y.normalize] ?? NORM_0_1;
      return new YoloPipeline(
        cfg,
        s,
        { name: inp.name, data, tensor: float32Tensor(deps.ort, data, dims) },
        new LetterboxResizer(size, norm, nchw ? 'nchw' : 'nhwc', 128),
        [{ file: y.file, sha256 }],
      );
    } catch (e) {
      await s.session.release();
      throw e;
    }
  }

  info(): DetectorInfo {
    return { kind: 'yolo', provider: this.s.provider, fallbacks: [...this.s.fallbacks], models: this.models };
  }

  async run(f: FrameView): Promise<PipelineResult> {
    checkFrame(f);
    const t0 = performance.now();
    const lb = this.resizer.run(f, this.input.data);
    const t1 = performance.now();
    const out = await this.s.session.run({ [this.input.name]: this.input.tensor });
    const y = this.cfg.yolo;
    const outputs: YoloOutput[] = this.s.session.outputNames.map((n) => {
      const t = out[n];
      return { data: tensorData(t, n), dims: t?.dims ?? [] };
    });
    const size = y.inputSize;
    const dets = decodeYolo(outputs, {
      inputSize: size,
      numClasses: y.classes.length,
      anchors: y.anchors,
      layout: y.layout,
      confThreshold: y.confThreshold,
      nmsIou: y.nmsIou,
      classAgnostic: y.classAgnosticNms,
      maxOut: this.cfg.detector.maxFaces,
    });
    const faces = dets.map((d): Face => {
      const m = mapDetection({ ...d, x: d.x / size, y: d.y / size, w: d.w / size, h: d.h / size }, size, lb, f.width, f.height);
      const emotions: Partial<Record<Emotion, number>> = {};
      y.classes.forEach((c, i) => (emotions[c as Emotion] = d.classScores?.[i] ?? 0));
      return { box: [m.x, m.y, m.w, m.h], score: d.score, emotions };
    });
    return { faces, timings: { preprocess: t1 - t0, detect: performance.now() - t1, classify: 0 } };
  }

  async close(): Promise<void> {
    await this.s.session.release();
  }
}
