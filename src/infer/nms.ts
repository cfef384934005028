// Non-maximum suppression over boxes in any one coordinate space.
import { iou as boxIou } from '../geometry.js';

export interface Detection {
  /** top-left corner and size */
  x: number;
  y: number;
  w: number;
  h: number;
  score: number;
  /** class index (YOLO); -1 when there is one class */
  cls: number;
  /** keypoints as [x0, y0, x1, y1, ...] in the same space as the box */
  kps: number[];
  /** per-class probabilities (YOLO) */
  classScores?: number[];
}

export function iou(a: Detection, b: Detection): number {
  return boxIou(a.x, a.y, a.w, a.h, b.x, b.y, b.w, b.h);
}

const byScore = (a: Detection, b: Detection): number => b.score - a.score;

/**
 * Greedy NMS: keep the best box, drop every box overlapping it by more than `threshold`.
 * With classAware, boxes of different classes never suppress one another.
 */
export function nms(dets: Detection[], threshold: number, maxOut: number, classAware = false): Detection[] {
  const sorted = [...dets].sort(byScore);
  const kept: Detection[] = [];
  for (const d of sorted) {
    if (kept.length >= maxOut) break;
    let drop = false;
    for (const k of kept) {
      if ((!classAware || k.cls === d.cls) && iou(k, d) > threshold) {
        drop = true;
        break;
      }
    }
    if (!drop) kept.push(d);
  }
  return kept;
}

/**
 * MediaPipe's weighted NMS: each kept detection is the score-weighted mean (box and
 * keypoints) of the best box and every box overlapping it by more than `threshold`;
 * its score stays the best one's. Steadier boxes from frame to frame than plain NMS.
 */
export function weightedNms(dets: Detection[], threshold: number, maxOut: number): Detection[] {
  let rest = [...dets].sort(byScore);
  const kept: Detection[] = [];
  while (rest.length > 0 && kept.length < maxOut) {
    const top = rest[0] as Detection;
    const group: Detection[] = [];
    const others: Detection[] = [];
    for (const d of rest) (iou(top, d) > threshold ? group : others).push(d);
    if (group.length === 0) group.push(top); // threshold >= 1: top must still be consumed
    rest = others.filter((d) => d !== top);
    let total = 0;
    let x = 0;
    let y = 0;
    let w = 0;
    let h = 0;
    const kps = new Array<number>(top.kps.length).fill(0);
    for (const d of group) {
      total += d.score;
      x += d.x * d.score;
      y += d.y * d.score;
      w += d.w * d.score;
      h += d.h * d.score;
      for (let i = 0; i < kps.length; i++) kps[i] = (kps[i] as number) + (d.kps[i] ?? 0) * d.score;
    }
    kept.push({
      x: x / total,
      y: y / total,
      w: w / total,
      h: h / total,
      score: top.score,
      cls: top.cls,
      kps: kps.map((v) => v / total),
      ...(top.classScores ? { classScores: top.classScores } : {}),
    });
  }
  return kept;
}
