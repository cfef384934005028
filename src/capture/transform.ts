// Mirror, rotate and downscale in one pass through a precomputed index table: the table
// is built once per geometry, so the per-frame work is one gather loop with no
// allocation. Downscaling is nearest-neighbour (cheap; good enough for face detection).
import type { PixelFormat } from '../types.js';

export type Rotation = 0 | 90 | 180 | 270;

export interface Geometry {
  width: number;
  height: number;
  format: PixelFormat;
  mirror: boolean;
  rotate: Rotation;
  /** 0: keep; else the output width (never upscales) */
  scaleWidth: number;
}

export function channelsOf(format: PixelFormat): number {
  return format === 'gray8' ? 1 : 3;
}

export function frameBytes(width: number, height: number, format: PixelFormat): number {
  return width * height * channelsOf(format);
}

/** Output size after rotation and downscale. */
export function outputSize(g: Geometry): { width: number; height: number } {
  const rw = g.rotate === 90 || g.rotate === 270 ? g.height : g.width;
  const rh = g.rotate === 90 || g.rotate === 270 ? g.width : g.height;
  if (g.scaleWidth <= 0 || g.scaleWidth >= rw) return { width: rw, height: rh };
  return { width: g.scaleWidth, height: Math.max(1, Math.round((rh * g.scaleWidth) / rw)) };
}

export function isIdentity(g: Geometry): boolean {
  const o = outputSize(g);
  return !g.mirror && g.rotate === 0 && o.width === g.width && o.height === g.height;
}

/**
 * Applies a Geometry to frames of the input size. Holds its own output buffer, which is
 * overwritten on each apply().
 */
export class FrameTransform {
  readonly outWidth: number;
  readonly outHeight: number;
  readonly identity: boolean;
  private readonly channels: number;
  private readonly index: Int32Array | null;
  private out: Uint8Array | null;

  constructor(g: Geometry) {
    const o = outputSize(g);
    this.outWidth = o.width;
    this.outHeight = o.height;
    this.identity = isIdentity(g);
    this.channels = channelsOf(g.format);
    if (this.identity) {
      this.index = null;
      this.out = null;
      return;
    }
    this.index = buildIndex(g, o.width, o.height, this.channels);
    this.out = new Uint8Array(o.width * o.height * this.channels);
  }

  /** A consumer may have transferred (detached) the output buffer: give it a new one. */
  reviveIfDetached(): void {
    if (this.out && this.out.byteLength === 0) this.out = new Uint8Array(this.outWidth * this.outHeight * this.channels);
  }

  /** Transformed copy of src (or src itself for the identity). Valid until the next call. */
  apply(src: Uint8Array): Uint8Array {
    const index = this.index;
    const out = this.out;
    if (!index || !out) return src;
    const n = index.length;
    if (this.channels === 3) {
      for (let i = 0, o = 0; i < n; i++, o += 3) {
        const s = index[i] as number;
        out[o] = src[s] as number;
        out[o + 1] = src[s + 1] as number;
        out[o + 2] = src[s + 2] as number;
      }
    } else {
      for (let i = 0; i < n; i++) out[i] = src[index[i] as number] as number;
    }
    return out;
  }
}

/** Byte offset in the source of each output pixel. */
function buildIndex(g: Geometry, ow: number, oh: number, ch: number): Int32Array {
  const rw = g.rotate === 90 || g.rotate === 270 ? g.height : g.width;
  const rh = g.rotate === 90 || g.rotate === 270 ? g.width : g.height;
  const index = new Int32Array(ow * oh);
  for (let oy = 0; oy < oh; oy++) {
    // position in the rotated (and mirrored) full-size image
    const ry = Math.min(rh - 1, Math.floor(((oy + 0.5) * rh) / oh));
    for (let ox = 0; ox < ow; ox++) {
      let rx = Math.min(rw - 1, Math.floor(((ox + 0.5) * rw) / ow));
      if (g.mirror) rx = rw - 1 - rx;
      // rotated (rx, ry) back to source (sx, sy); rotation is clockwise
      let sx: number;
      let sy: number;
      switch (g.rotate) {
        case 90:
          sx = ry;
          sy = g.height - 1 - rx;
          break;
        case 180:
          sx = g.width - 1 - rx;
          sy = g.height - 1 - ry;
          break;
        case 270:
          sx = g.width - 1 - ry;
          sy = rx;
          break;
        default:
          sx = rx;
          sy = ry;
      }
      index[oy * ow + ox] = (sy * g.width + sx) * ch;
    }
  }
  return index;
}
