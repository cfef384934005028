// The detection stage of the two-stage pipeline: letterbox the frame to the BlazeFace
// input, one model run, decode and map the faces back to frame pixels.
import type { ModelConfig, ModelInput, PipelineDeps } from './pipeline-shared.js';
import { PokerfaceError } from '../errors.js';
import { BLAZEFACE_ANCHORS, ssdAnchors } from './anchors.js';
import { decodeBlazeFace, type DecodeOptions } from './blazeface.js';
import type { VerifiedModel } from './manifest.js';
import type { Detection } from './nms.js';
import { tensorData, type OpenedSession } from './onnx.js';
import { mapDetection, modelInput, openVerified } from './pipeline-shared.js';
import { LetterboxResizer, NORM_MINUS1_1, type FrameView } from './preprocess.js';
import type { StageMeter } from './stage-meter.js';

export interface BlazeFaceOutputNames {
  scores16: string;
  scores8: string;
  boxes16: string;
  boxes8: string;
}

export interface BlazeFaceStageParts {
  detector: ModelConfig['detector'];
  session: OpenedSession;
  input: ModelInput;
  outputs: BlazeFaceOutputNames;
  resizer: LetterboxResizer;
  anchors: Float32Array;
}

export class BlazeFaceStage {
  /** the decode settings, the same for every frame */
  private readonly decode: DecodeOptions;

  constructor(private readonly p: BlazeFaceStageParts) {
    const d = p.detector;
    this.decode = { inputSize: p.resizer.size, scoreThreshold: d.scoreThreshold, nmsIou: d.nmsIou, weighted: d.weightedNms, maxFaces: d.maxFaces };
  }

  /** Open the verified model and check its shapes; nothing stays open on failure. */
  static open(cfg: ModelConfig, deps: PipelineDeps, entry: VerifiedModel): Promise<BlazeFaceStage> {
    return openVerified(cfg, deps, entry, (s, shapes) => {
      const find = (n: number, last: number): string => {
        const o = shapes.outputs.find((x) => x.shape[1] === n && x.shape[2] === last);
        if (!o) throw new PokerfaceError('POKERFACE_ERR_MODEL_SHAPE', `${entry.file}: no output of shape [1, ${n}, ${last}]`);
        return o.name;
      };
      const spec = BLAZEFACE_ANCHORS[cfg.detector.variant];
      const size = spec.inputSize;
      return new BlazeFaceStage({
        detector: cfg.detector,
        session: s,
        input: modelInput(deps.ort, shapes.inputs[0]?.name ?? '', [1, size, size, 3]),
        outputs: { scores16: find(512, 1), scores8: find(384, 1), boxes16: find(512, 16), boxes8: find(384, 16) },
        resizer: new LetterboxResizer(size, NORM_MINUS1_1, 'nhwc', 0),
        anchors: ssdAnchors(spec),
      });
    });
  }

  get provider(): string {
    return this.p.session.provider;
  }

  get fallbacks(): ReadonlyArray<{ provider: string; error: string }> {
    return this.p.session.fallbacks;
  }

  /** Faces in frame pixels; letterboxing is charged to preprocess, the rest to detect. */
  async detect(f: FrameView, meter: StageMeter): Promise<Detection[]> {
    const { session, input, outputs: o, resizer, anchors } = this.p;
    const lb = resizer.run(f, input.data);
    meter.lap('preprocess');
    const out = await session.session.run(input.feeds);
    const size = resizer.size;
    const norm = decodeBlazeFace(
      {
        scores16: tensorData(out[o.scores16], o.scores16),
        scores8: tensorData(out[o.scores8], o.scores8),
        boxes16: tensorData(out[o.boxes16], o.boxes16),
        boxes8: tensorData(out[o.boxes8], o.boxes8),
      },
      anchors,
      this.decode,
    );
    const dets = norm.map((n) => mapDetection(n, size, lb, f.width, f.height));
    meter.lap('detect');
    return dets;
  }

  release(): Promise<void> {
    return this.p.session.session.release();
  }
}
