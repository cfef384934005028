// Two-stage pipeline (`model.kind: two-stage`, the default): BlazeFace finds the faces,
// the expression net classifies aligned crops of them. The player's face (the judge's
// tracked box, or the face the judge would choose) is classified on every frame;
// spectators every `classifier.otherFacesEvery` frames.
import { iou, playerFaceIndex, type BoxTuple } from '../geometry.js';
import type { DetectorInfo, Face } from '../types.js';
import { BlazeFaceStage } from './blazeface-stage.js';
import { ClassifierStage, type Emotions } from './classifier-stage.js';
import { headPose } from './head-pose.js';
import { verifyModel } from './manifest.js';
import type { Detection } from './nms.js';
import type { ModelConfig, Pipeline, PipelineDeps, PipelineResult } from './pipeline-shared.js';
import { checkFrame, type FrameView } from './preprocess.js';

export interface TwoStagePipelineParts {
  cfg: ModelConfig;
  detector: BlazeFaceStage;
  classifier: ClassifierStage;
  models: Array<{ file: string; sha256: string }>;
}

export class TwoStagePipeline implements Pipeline {
  private frameNo = 0;
  private previous: Face[] = [];

  constructor(private readonly p: TwoStagePipelineParts) {}

  static async create(cfg: ModelConfig, deps: PipelineDeps): Promise<TwoStagePipeline> {
    const detId = cfg.detector.variant === 'back' ? 'blazeface-back' : 'blazeface-front';
    const detEntry = await verifyModel(cfg.dir, detId);
    const clsEntry = await verifyModel(cfg.dir, cfg.classifier.name);
    const detector = await BlazeFaceStage.open(cfg, deps, detEntry);
    let classifier: ClassifierStage;
    try {
      classifier = await ClassifierStage.open(cfg, deps, clsEntry);
    } catch (e) {
      await detector.release();
      throw e;
    }
    const models = [
      { file: detEntry.file, sha256: detEntry.sha256 },
      { file: clsEntry.file, sha256: clsEntry.sha256 },
    ];
    return new TwoStagePipeline({ cfg, detector, classifier, models });
  }

  info(): DetectorInfo {
    const d = this.p.detector;
    return { kind: 'two-stage', provider: d.provider, fallbacks: [...d.fallbacks], models: this.p.models };
  }

  async run(f: FrameView, focus: BoxTuple | null = null): Promise<PipelineResult> {
    checkFrame(f);
    const { dets, preprocess, detect } = await this.p.detector.detect(f);
    const frameNo = this.frameNo++;
    const every = this.p.cfg.classifier.otherFacesEvery;
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
    const c = await this.p.classifier.classify(f, todo.map((i) => dets[i] as Detection));
    todo.forEach((fi, k) => ((faces[fi] as Face).emotions = c.emotions[k] as Emotions));
    this.previous = faces;
    return { faces, timings: { preprocess: preprocess + c.preprocess, detect, classify: c.classify } };
  }

  /** Emotions of the best-overlapping face of the previous frame (faces move little). */
  private carryOver(face: Face): Emotions {
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
    await this.p.detector.release();
    await this.p.classifier.release();
  }
}

function pairs(v: number[]): Array<[number, number]> {
  const out: Array<[number, number]> = [];
  for (let i = 0; i + 1 < v.length; i += 2) out.push([v[i] as number, v[i + 1] as number]);
  return out;
}
