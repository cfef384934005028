// What the two pipelines share: the Pipeline contract, opening a model with the session
// options of the model config (released again if its shapes do not fit), the model input
// tensor they fill in place, and mapping detections back to frame pixels.
import type { FrozenConfig } from '../config/schema.js';
import type { BoxTuple } from '../geometry.js';
import type { Logger } from '../log.js';
import type { DetectorInfo, Face } from '../types.js';
import type { Detection } from './nms.js';
import { checkShapes, type VerifiedModel } from './manifest.js';
import { float32Tensor, openSession, sessionShapes, type OpenedSession, type OrtBinding, type OrtTensor } from './onnx.js';
import type { FrameView, Letterbox } from './preprocess.js';
import type { StageCpu } from './stage-meter.js';

export type ModelConfig = FrozenConfig['model'];

export interface StageTimings {
  /** wall-clock ms */
  preprocess: number;
  detect: number;
  classify: number;
  /** CPU ms of the worker thread in the same stages (see stage-meter.ts) */
  cpu?: StageCpu;
  /** faces the classifier ran on for this frame (two-stage; 0 when all repeated or carried) */
  classified?: number;
}

export interface PipelineResult {
  faces: Face[];
  timings: StageTimings;
}

export interface Pipeline {
  /** `focus`: the tracked player's box, the face classified first (two-stage). */
  run(f: FrameView, focus?: BoxTuple | null): Promise<PipelineResult>;
  info(): DetectorInfo;
  close(): Promise<void>;
}

export interface PipelineDeps {
  ort: OrtBinding;
  log: Logger;
}

/** A model input: the floats we write each frame, and the session's feeds over them. */
export interface ModelInput {
  data: Float32Array;
  /** `{ [input name]: tensor over data }`, made once (nothing changes it) */
  feeds: Record<string, OrtTensor>;
}

export function modelInput(ort: OrtBinding, name: string, dims: readonly number[]): ModelInput {
  const data = new Float32Array(dims.reduce((a, b) => a * b, 1));
  return { data, feeds: { [name]: float32Tensor(ort, data, dims) } };
}

/** Open a model file with the providers and session options of the model config. */
export function openModel(cfg: ModelConfig, deps: PipelineDeps, path: string, label: string): Promise<OpenedSession> {
  return openSession(deps.ort, path, { providers: cfg.providers, intraOpThreads: cfg.intraOpThreads, graphOptimizationLevel: cfg.graphOptimizationLevel, log: deps.log, model: label });
}

export type SessionShapes = ReturnType<typeof sessionShapes>;

/**
 * Open a model and build what runs it from the session's input and output shapes. A
 * shape that does not fit throws from `build`; the session is released before the error
 * goes on, so nothing stays open on failure.
 */
export async function openAndBuild<T>(cfg: ModelConfig, deps: PipelineDeps, path: string, label: string, build: (s: OpenedSession, shapes: SessionShapes) => T): Promise<T> {
  const s = await openModel(cfg, deps, path, label);
  try {
    return build(s, sessionShapes(s.session));
  } catch (e) {
    await s.session.release();
    throw e;
  }
}

/** openAndBuild() for a model verified against the manifest: its shapes are checked first. */
export function openVerified<T>(cfg: ModelConfig, deps: PipelineDeps, entry: VerifiedModel, build: (s: OpenedSession, shapes: SessionShapes) => T): Promise<T> {
  return openAndBuild(cfg, deps, entry.path, entry.file, (s, shapes) => {
    checkShapes(entry, shapes.inputs, shapes.outputs);
    return build(s, shapes);
  });
}

/** Frame coordinates from a detection normalised to the letterboxed model input. */
function toFrame(v: number, size: number, pad: number, scale: number): number {
  return (v * size - pad) / scale;
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
