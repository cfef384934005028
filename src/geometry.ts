// Box geometry shared by the judge (which face is the player) and inference (which face
// is classified on every frame): one main-face rule and one IoU for the whole project.

/** x, y, width, height in frame pixels (the shape of Face.box). */
export type BoxTuple = readonly [x: number, y: number, w: number, h: number];

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
export function choosePlayer(faces: ReadonlyArray<{ readonly box: BoxTuple }>, width: number, height: number): number {
  const cx = width / 2;
  const cy = height / 2;
  const half = Math.hypot(cx, cy) || 1;
  let best = -1;
  let bestScore = -1;
  for (let i = 0; i < faces.length; i++) {
    const b = (faces[i] as { box: BoxTuple }).box;
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

/** Index of the face overlapping `focus` most (any overlap), or -1. */
export function bestOverlap(faces: ReadonlyArray<{ readonly box: BoxTuple }>, focus: BoxTuple): number {
  let best = -1;
  let bestIou = 0;
  for (let i = 0; i < faces.length; i++) {
    const b = (faces[i] as { box: BoxTuple }).box;
    const v = iou(focus[0], focus[1], focus[2], focus[3], b[0], b[1], b[2], b[3]);
    if (v > bestIou) {
      bestIou = v;
      best = i;
    }
  }
  return best;
}

/**
 * The face inference must classify on every frame: the one that continues the judge's
 * player track (`focus`), else the face the judge would choose as the player.
 */
export function playerFaceIndex(faces: ReadonlyArray<{ readonly box: BoxTuple }>, focus: BoxTuple | null, width: number, height: number): number {
  const i = focus ? bestOverlap(faces, focus) : -1;
  return i >= 0 ? i : choosePlayer(faces, width, height);
}
