// YOLO anchor selection: k-means over labelled box sizes with 1 - IoU as the distance
// (boxes compared as if they shared a centre), the method YOLOv2/v3 describe.

import { seededRandom } from '../random.js';

export type WH = [number, number];

export function whIou(a: WH, b: WH): number {
  const inter = Math.min(a[0], b[0]) * Math.min(a[1], b[1]);
  return inter / (a[0] * a[1] + b[0] * b[1] - inter);
}

export interface KmeansResult {
  anchors: WH[];
  /** mean IoU of each box with its best anchor */
  meanIou: number;
  iterations: number;
}

/** k-means++ seeding, then Lloyd iterations with the median as the cluster centre. */
export function kmeansAnchors(boxes: readonly WH[], k = 9, opts: { seed?: number; maxIter?: number } = {}): KmeansResult {
  if (boxes.length < k) throw new Error(`need at least ${k} boxes, got ${boxes.length}`);
  const rand = seededRandom(opts.seed ?? 1);
  const centres: WH[] = [boxes[Math.floor(rand() * boxes.length)] as WH];
  while (centres.length < k) {
    const d = boxes.map((b) => Math.min(...centres.map((c) => 1 - whIou(b, c))) ** 2);
    const sum = d.reduce((s, v) => s + v, 0);
    let r = rand() * sum;
    let pick = 0;
    for (; pick < d.length - 1; pick++) {
      r -= d[pick] as number;
      if (r <= 0) break;
    }
    centres.push([...(boxes[pick] as WH)] as WH);
  }
  const assign = new Int32Array(boxes.length).fill(-1);
  let iterations = 0;
  for (; iterations < (opts.maxIter ?? 300); iterations++) {
    let changed = false;
    boxes.forEach((b, i) => {
      let best = 0;
      let bestD = Infinity;
      centres.forEach((c, j) => {
        const dist = 1 - whIou(b, c);
        if (dist < bestD) {
          bestD = dist;
          best = j;
        }
      });
      if (assign[i] !== best) {
        assign[i] = best;
        changed = true;
      }
    });
    if (!changed) break;
    for (let j = 0; j < k; j++) {
      const members = boxes.filter((_, i) => assign[i] === j);
      if (members.length === 0) continue;
      centres[j] = [median(members.map((m) => m[0])), median(members.map((m) => m[1]))];
    }
  }
  const meanIou = boxes.reduce((s, b) => s + Math.max(...centres.map((c) => whIou(b, c))), 0) / boxes.length;
  centres.sort((a, b) => a[0] * a[1] - b[0] * b[1]);
  return { anchors: centres, meanIou, iterations };
}

function median(v: number[]): number {
  const s = [...v].sort((a, b) => a - b);
  const m = s.length >> 1;
  return s.length % 2 ? (s[m] as number) : ((s[m - 1] as number) + (s[m] as number)) / 2;
}

/**
 * Parse label text: YOLO lines `class cx cy w h` (normalised, scaled by `size`) and
 * keras-yolo3 annotation lines `path x1,y1,x2,y2,class ...` (pixels, used as they are).
 */
export function parseLabels(text: string, size: number): WH[] {
  const out: WH[] = [];
  for (const raw of text.split('\n')) {
    const line = raw.trim();
    if (!line || line.startsWith('#')) continue;
    const parts = line.split(/\s+/);
    if (parts.length === 5 && parts.every((p) => /^-?[\d.eE+-]+$/.test(p))) {
      const w = Number(parts[3]) * size;
      const h = Number(parts[4]) * size;
      if (w > 0 && h > 0) out.push([w, h]);
      continue;
    }
    for (const p of parts.slice(1)) {
      const n = p.split(',').map(Number);
      if (n.length >= 4 && n.every((v) => Number.isFinite(v))) {
        const w = (n[2] as number) - (n[0] as number);
        const h = (n[3] as number) - (n[1] as number);
        if (w > 0 && h > 0) out.push([w, h]);
      }
    }
  }
  return out;
}
