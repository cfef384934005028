// BlazeFace output decoding. The model gives, per anchor, one raw score and 16
// regressors: box centre offset (dx, dy), size (w, h), then 6 keypoints (x, y), all in
// input pixels relative to the anchor centre. Keypoints: right eye, left eye, nose tip,
// mouth centre, right ear tragion, left ear tragion (subject's right/left).
import type { Detection } from './nms.js';
import { nms, weightedNms } from './nms.js';

export interface BlazeFaceOutputs {
  /** raw scores for the 16x16x2 grid (512) and the 8x8x6 grid (384) */
  scores16: Float32Array;
  scores8: Float32Array;
  /** regressors, 16 per anchor */
  boxes16: Float32Array;
  boxes8: Float32Array;
}

export interface DecodeOptions {
  inputSize: number;
  scoreThreshold: number;
  nmsIou: number;
  weighted: boolean;
  maxFaces: number;
}

const SCORE_CLIP = 100;

export function sigmoid(x: number): number {
  return 1 / (1 + Math.exp(-x));
}

/** Decode to detections with coordinates normalised to the model input (0..1). */
export function decodeBlazeFace(out: BlazeFaceOutputs, anchors: Float32Array, o: DecodeOptions): Detection[] {
  const raw: Detection[] = [];
  const n16 = out.scores16.length;
  const total = n16 + out.scores8.length;
  if (anchors.length !== total * 2) throw new Error(`anchor count ${anchors.length / 2} does not match ${total} model outputs`);
  // threshold on the logit so sigmoid runs only for candidates
  const t = Math.min(Math.max(o.scoreThreshold, 1e-6), 1 - 1e-6);
  const logitThreshold = Math.log(t / (1 - t));
  const s = 1 / o.inputSize;
  for (let i = 0; i < total; i++) {
    const first = i < n16;
    const j = first ? i : i - n16;
    let logit = first ? (out.scores16[j] as number) : (out.scores8[j] as number);
    logit = Math.max(-SCORE_CLIP, Math.min(SCORE_CLIP, logit));
    if (logit < logitThreshold) continue;
    const r = first ? out.boxes16 : out.boxes8;
    const b = j * 16;
    const ax = anchors[i * 2] as number;
    const ay = anchors[i * 2 + 1] as number;
    const cx = ax + (r[b] as number) * s;
    const cy = ay + (r[b + 1] as number) * s;
    const w = (r[b + 2] as number) * s;
    const h = (r[b + 3] as number) * s;
    if (!(w > 0 && h > 0)) continue;
    const kps = new Array<number>(12);
    for (let k = 0; k < 6; k++) {
      kps[k * 2] = ax + (r[b + 4 + k * 2] as number) * s;
      kps[k * 2 + 1] = ay + (r[b + 5 + k * 2] as number) * s;
    }
    raw.push({ x: cx - w / 2, y: cy - h / 2, w, h, score: sigmoid(logit), cls: -1, kps });
  }
  return o.weighted ? weightedNms(raw, o.nmsIou, o.maxFaces) : nms(raw, o.nmsIou, o.maxFaces);
}
