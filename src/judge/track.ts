// Which face is the player: chosen once (largest near the centre), then followed by
// IoU so spectators walking into the picture never take over the round.
import { iou } from '../geometry.js';
import type { Face } from '../types.js';

export { choosePlayer, iou } from '../geometry.js';

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

  /** The tracked box while locked, else null (handed to inference as its focus). */
  box(): readonly [number, number, number, number] | null {
    if (!this.locked) return null;
    const t = this.tuple;
    t[0] = this.x;
    t[1] = this.y;
    t[2] = this.w;
    t[3] = this.h;
    return t;
  }

  private readonly tuple: [number, number, number, number] = [0, 0, 0, 0];

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
