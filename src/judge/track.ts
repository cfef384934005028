// Which face is the player: chosen once (largest near the centre), then followed by
// IoU so spectators walking into the picture never take over the round.
import type { Face } from '../types.js';

/** Intersection over union of two x,y,w,h boxes; 0 for empty boxes. */
export function iou(ax: number, ay: number, aw: number, ah: number, bx: number, by: number, bw: number, bh: number): number {
  const ix = Math.min(ax + aw, bx + bw) - Math.max(ax, bx);
  const iy = Math.min(ay + ah, by + bh) - Math.max(ay, by);
  if (ix <= 0 || iy <= 0) return 0;
  const inter = ix * iy;
  const union = aw * ah + bw * bh - inter;
  return union > 0 ? inter / union : 0;
}

/**
 * Index of the face most likely to be the player: area weighted down linearly with the
 * distance of its centre from the frame centre (0 at a corner). -1 when there is none.
 */
export function choosePlayer(faces: readonly Face[], width: number, height: number): number {
  const cx = width / 2;
  const cy = height / 2;
  const half = Math.hypot(cx, cy) || 1;
  let best = -1;
  let bestScore = -1;
  for (let i = 0; i < faces.length; i++) {
    const b = (faces[i] as Face).box;
    const w = b[2];
    const h = b[3];
    if (!(w > 0 && h > 0)) continue;
    const d = Math.min(1, Math.hypot(b[0] + w / 2 - cx, b[1] + h / 2 - cy) / half);
    const s = w * h * (1 - d);
    if (s > bestScore) {
      bestScore = s;
      best = i;
    }
  }
  return best;
}

/** The player's box, updated in place frame by frame (no allocation per frame). */
export class PlayerTrack {
  locked = false;
  x = 0;
  y = 0;
  w = 0;
  h = 0;
  /** frame ts the player was last seen */
  lastSeen = 0;

  constructor(private readonly minIou: number) {}

  reset(): void {
    this.locked = false;
    this.x = this.y = this.w = this.h = 0;
  }

  lock(face: Face, ts: number): void {
    this.locked = true;
    this.follow(face, ts);
  }

  /** Index of the face that continues the player's track, or -1. */
  match(faces: readonly Face[]): number {
    if (!this.locked) return -1;
    let best = -1;
    let bestIou = 0;
    for (let i = 0; i < faces.length; i++) {
      const b = (faces[i] as Face).box;
      const v = iou(this.x, this.y, this.w, this.h, b[0], b[1], b[2], b[3]);
      if (v > bestIou) {
        bestIou = v;
        best = i;
      }
    }
    // a track with a zero threshold still needs some overlap
    return best >= 0 && bestIou >= this.minIou && bestIou > 0 ? best : -1;
  }

  follow(face: Face, ts: number): void {
    const b = face.box;
    this.x = b[0];
    this.y = b[1];
    this.w = b[2];
    this.h = b[3];
    this.lastSeen = ts;
  }
}
