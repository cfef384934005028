// One-stage pipeline (`model.kind: yolo`): a user's MobileNetV2-YOLOv3 export whose
// classes are emotions; letterbox -> one model run -> decoded boxes with class scores.
import { PokerfaceError } from '../errors.js';
import type { DetectorInfo, Emotion, Face } from '../types.js';
import { sha256File } from './manifest.js';
import { tensorData, type OpenedSession } from './onnx.js';
import { mapDetection, modelInput, openAndBuild, type ModelConfig, type ModelInput, type Pipeline, type PipelineDeps, type PipelineResult } from './pipeline-shared.js';
import { LetterboxResizer, NORM_0_1, NORM_0_255, NORM_MINUS1_1, checkFrame, type FrameView, type Normalise } from './preprocess.js';
import { StageMeter } from './stage-meter.js';
import { decodeYolo, type YoloOutput } from './yolo.js';

const NORMS: Record<string, Normalise> = { '0-1': NORM_0_1, '-1-1': NORM_MINUS1_1, '0-255': NORM_0_255 };

export interface YoloPipelineParts {
  cfg: ModelConfig;
  session: OpenedSession;
  input: ModelInput;
  resizer: LetterboxResizer;
  model: { file: string; sha256: string };
}

export class YoloPipeline implements Pipeline {
  private readonly meter = new StageMeter();

  constructor(private readonly p: YoloPipelineParts) {}

  static async create(cfg: ModelConfig, deps: PipelineDeps): Promise<YoloPipeline> {
    const y = cfg.yolo;
    let sha256: string;
    try {
      sha256 = await sha256File(y.file);
    } catch (e) {
      throw new PokerfaceError('POKERFACE_ERR_MODEL_MISSING', `${y.file}: ${(e as Error).message}`, { cause: e });
    }
    return openAndBuild(cfg, deps, y.file, y.file, (s, shapes) => {
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
      return new YoloPipeline({
        cfg,
        session: s,
        input: modelInput(deps.ort, inp.name, nchw ? [1, 3, size, size] : [1, size, size, 3]),
        resizer: new LetterboxResizer(size, NORMS[y.normalize] ?? NORM_0_1, nchw ? 'nchw' : 'nhwc', 128),
        model: { file: y.file, sha256 },
      });
    });
  }

  info(): DetectorInfo {
    const s = this.p.session;
    return { kind: 'yolo', provider: s.provider, fallbacks: [...s.fallbacks], models: [this.p.model] };
  }

  async run(f: FrameView): Promise<PipelineResult> {
    checkFrame(f);
    const { cfg, session, input, resizer } = this.p;
    const meter = this.meter;
    meter.start();
    const lb = resizer.run(f, input.data);
    meter.lap('preprocess');
    const out = await session.session.run(input.feeds);
    const y = cfg.yolo;
    const outputs: YoloOutput[] = session.session.outputNames.map((n) => {
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
      maxOut: cfg.detector.maxFaces,
    });
    const faces = dets.map((d): Face => {
      const m = mapDetection({ ...d, x: d.x / size, y: d.y / size, w: d.w / size, h: d.h / size }, size, lb, f.width, f.height);
      const emotions: Partial<Record<Emotion, number>> = {};
      y.classes.forEach((c, i) => (emotions[c as Emotion] = d.classScores?.[i] ?? 0));
      return { box: [m.x, m.y, m.w, m.h], score: d.score, emotions };
    });
    meter.lap('detect');
    return { faces, timings: meter.timings() };
  }

  async close(): Promise<void> {
    await this.p.session.session.release();
  }
}
