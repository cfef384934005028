// The classification stage of the two-stage pipeline: aligned square crops of the
// chosen faces, sampled straight into one batch tensor, one model run, probabilities.
import { PokerfaceError } from '../errors.js';
import { EMOTIONS, type Emotion } from '../types.js';
import type { VerifiedModel } from './manifest.js';
import type { Detection } from './nms.js';
import { tensorData, type OpenedSession, type OrtBinding } from './onnx.js';
import { modelInput, openVerified, type ModelConfig, type ModelInput, type PipelineDeps } from './pipeline-shared.js';
import { NORM_0_255, cropGeometry, sampleCrop, type FrameView } from './preprocess.js';

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

export type Emotions = Partial<Record<Emotion, number>>;

export interface ClassifierStageParts {
  ort: OrtBinding;
  classifier: ModelConfig['classifier'];
  session: OpenedSession;
  input: { size: number; channels: 1 | 3 };
  labels: readonly string[];
}

export class ClassifierStage {
  /** one input tensor per batch size, made on first use */
  private readonly batches = new Map<number, ModelInput>();

  constructor(private readonly p: ClassifierStageParts) {}

  /** Open the verified model and check its shapes; nothing stays open on failure. */
  static open(cfg: ModelConfig, deps: PipelineDeps, entry: VerifiedModel): Promise<ClassifierStage> {
    return openVerified(
      cfg,
      deps,
      entry,
      (s) =>
        new ClassifierStage({
          ort: deps.ort,
          classifier: cfg.classifier,
          session: s,
          input: classifierInput(entry.inputs[0]?.shape),
          labels: entry.labels ?? EMOTIONS,
        }),
    );
  }

  private batchFor(k: number): ModelInput {
    let b = this.batches.get(k);
    if (!b) {
      const { size, channels } = this.p.input;
      b = modelInput(this.p.ort, this.p.session.session.inputNames[0] as string, [k, size, size, channels]);
      this.batches.set(k, b);
    }
    return b;
  }

  /** Floats of one crop in the batch input. */
  get cropLength(): number {
    const { size, channels } = this.p.input;
    return size * size * channels;
  }

  /** Sample the crops of `faces` into the batch input of their count (raw 0..255 levels). */
  crop(f: FrameView, faces: readonly Detection[]): ModelInput {
    const b = this.batchFor(faces.length);
    const { align, margin } = this.p.classifier;
    const { size, channels } = this.p.input;
    const per = size * size * channels;
    for (let k = 0; k < faces.length; k++) {
      const d = faces[k] as Detection;
      const eyes = d.kps.length >= 4 ? { rx: d.kps[0] as number, ry: d.kps[1] as number, lx: d.kps[2] as number, ly: d.kps[3] as number } : null;
      sampleCrop(f, cropGeometry(d, eyes, margin, align), size, NORM_0_255, b.data, k * per, channels);
    }
    return b;
  }

  /** Run the model on a batch filled by crop(); one emotion record per face. */
  async infer(b: ModelInput, count: number): Promise<Emotions[]> {
    const session = this.p.session.session;
    const out = await session.run(b.feeds);
    const name = session.outputNames[0] as string;
    const probs = tensorData(out[name], name);
    const labels = this.p.labels;
    const n = labels.length;
    const emotions: Emotions[] = [];
    for (let k = 0; k < count; k++) {
      const em: Emotions = {};
      for (let c = 0; c < n; c++) em[labels[c] as Emotion] = probs[k * n + c];
      emotions.push(em);
    }
    return emotions;
  }

  release(): Promise<void> {
    return this.p.session.session.release();
  }
}
