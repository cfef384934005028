// Two-stage pipeline (`model.kind: two-stage`, the default): BlazeFace finds the faces,
// the expression net classifies aligned crops of them. The player's face (the judge's
// tracked box, or the face the judge would choose) is classified on every frame;
// spectators every `classifier.otherFacesEvery` frames. While the faces hold still,
// detection is skipped and the last detection's boxes are classified (runTracked); with
// `classifier.playerEvery` > 1 a still player is classified only every N such frames.
import { bestOverlap, iou, playerFaceIndex, type BoxTuple } from '../geometry.js';
import type { DetectorInfo, Face } from '../types.js';
import { BlazeFaceStage } from './blazeface-stage.js';
import { ClassifierStage, type Emotions } from './classifier-stage.js';
import { headPose } from './head-pose.js';
import { verifyModel } from './manifest.js';
import type { Detection } from './nms.js';
import type { ModelConfig, ModelInput, Pipeline, PipelineDeps, PipelineResult, StageTimings } from './pipeline-shared.js';
import { checkFrame, meanAbsDiff, type FrameView } from './preprocess.js';
import { StageMeter } from './stage-meter.js';

/** every 7th value of a crop (all three channels in turn) is enough to see a change */
const DIFF_STEP = 7;

export interface TwoStagePipelineParts {
  cfg: ModelConfig;
  detector: BlazeFaceStage;
  classifier: ClassifierStage;
  models: Array<{ file: string; sha256: string }>;
}

export class TwoStagePipeline implements Pipeline {
  private frameNo = 0;
  private previous: Face[] = [];
  /** the faces of the last detection, reused on frames that skip detection */
  private tracked: Detection[] = [];
  private trackedFaces: Face[] = [];
  /** the crop of each kept face classified at that detection (others have none) */
  private readonly refCrops: Float32Array[] = [];
  private readonly hasRef: boolean[] = [];
  private sinceDetect = 0;
  private readonly meter = new StageMeter();

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
    const frameNo = this.frameNo++;
    const meter = this.meter;
    meter.start();
    const kept = await this.runTracked(f, focus, frameNo);
    if (kept) return kept;
    const dets = await this.p.detector.detect(f, meter);
    const faces: Face[] = dets.map((d) => ({
      box: [d.x, d.y, d.w, d.h],
      score: d.score,
      emotions: {},
      keypoints: pairs(d.kps),
      pose: headPose(d.kps) ?? undefined,
    }));
    const mainIdx = playerFaceIndex(faces, focus, f.width, f.height);
    const todo = this.toClassify(faces, mainIdx, frameNo);
    meter.lap('detect');
    const cls = this.p.classifier;
    const batch = todo.length > 0 ? cls.crop(f, todo.map((i) => dets[i] as Detection)) : null;
    meter.lap('preprocess');
    const emotions = batch ? await cls.infer(batch, todo.length) : [];
    todo.forEach((fi, k) => ((faces[fi] as Face).emotions = emotions[k] as Emotions));
    this.remember(dets, faces, todo, batch);
    this.previous = faces;
    meter.lap('classify');
    const timings: StageTimings = meter.timings();
    timings.classified = todo.length;
    return { faces, timings };
  }

  /**
   * A frame that skips detection: the faces of the last detection are kept while they
   * hold still, i.e. for fewer than `detector.redetectEvery` frames, while the judge's
   * focus box (if any) overlaps a kept face, and while the crop of every face classified
   * now differs little from its crop at that detection (a face that leaves, turns or
   * moves changes it at once). Null when the frame must be detected (the crop time spent
   * finding that out is charged to preprocess).
   */
  private async runTracked(f: FrameView, focus: BoxTuple | null, frameNo: number): Promise<PipelineResult | null> {
    const d = this.p.cfg.detector;
    if (d.redetectEvery <= 1 || this.tracked.length === 0 || this.sinceDetect + 1 >= d.redetectEvery) return null;
    const faces = this.trackedFaces.map((t): Face => ({ ...t, emotions: {} }));
    // the judge follows a face that is not among the kept ones: look again
    const mainIdx = focus ? bestOverlap(faces, focus) : playerFaceIndex(faces, null, f.width, f.height);
    if (mainIdx < 0) return null;
    const todo = this.toClassify(faces, mainIdx, frameNo);
    if (!todo.every((i) => this.hasRef[i])) return null;
    const cls = this.p.classifier;
    const batch = cls.crop(f, todo.map((i) => this.tracked[i] as Detection));
    const per = cls.cropLength;
    const still = todo.every((i, k) => meanAbsDiff(batch.data, k * per, this.refCrops[i] as Float32Array, 0, per, DIFF_STEP) <= d.redetectChange);
    this.meter.lap('preprocess');
    if (!still) return null;
    const repeat = this.repeatPlayer(todo, mainIdx);
    const classified = repeat ? 0 : todo.length;
    if (repeat) {
      (faces[mainIdx] as Face).emotions = repeat;
    } else {
      const emotions = await cls.infer(batch, todo.length);
      todo.forEach((fi, k) => ((faces[fi] as Face).emotions = emotions[k] as Emotions));
    }
    this.sinceDetect++;
    this.previous = faces;
    this.meter.lap('classify');
    const timings: StageTimings = this.meter.timings();
    timings.classified = classified;
    return { faces, timings };
  }

  /**
   * On a still frame where only the player is due and `playerEvery` says skip: the
   * player's emotions of the previous frame (same kept box), else null (classify).
   */
  private repeatPlayer(todo: number[], mainIdx: number): Emotions | null {
    const every = this.p.cfg.classifier.playerEvery;
    if (every <= 1 || todo.length !== 1 || (this.sinceDetect + 1) % every === 0) return null;
    const last = this.previous[mainIdx]?.emotions;
    return last && Object.keys(last).length > 0 ? { ...last } : null;
  }

  /** The player on every frame; spectators every `otherFacesEvery` frames, else carried over. */
  private toClassify(faces: Face[], mainIdx: number, frameNo: number): number[] {
    const every = this.p.cfg.classifier.otherFacesEvery;
    const todo: number[] = [];
    faces.forEach((face, i) => {
      if (i === mainIdx || frameNo % every === 0) todo.push(i);
      else face.emotions = this.carryOver(face);
    });
    return todo;
  }

  /** After a detection: the faces to keep and the crops to compare against. */
  private remember(dets: Detection[], faces: Face[], todo: number[], batch: ModelInput | null): void {
    this.tracked = dets;
    this.trackedFaces = faces.map((face) => ({ ...face, emotions: {} }));
    this.sinceDetect = 0;
    this.hasRef.fill(false);
    if (!batch || this.p.cfg.detector.redetectEvery <= 1) return;
    const per = this.p.classifier.cropLength;
    todo.forEach((fi, k) => {
      // one buffer per face slot, made once
      const ref = (this.refCrops[fi] ??= new Float32Array(per));
      ref.set(batch.data.subarray(k * per, (k + 1) * per));
      this.hasRef[fi] = true;
    });
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
