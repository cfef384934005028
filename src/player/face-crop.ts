// The crack cam's picture: the player's face cut out of a camera frame into a small
// BGRA image (premultiplied alpha, opaque), the one format mpv's overlay-add takes.
// Nearest-neighbour: it is shown for a few seconds at 240 px, not analysed.
import type { Frame } from '../types.js';

/**
 * Crop box (plus margin on every side, as a fraction of its size) out of f into out,
 * a size x size BGRA buffer. Parts outside the frame are black.
 */
export function cropFaceBgra(f: Frame, box: readonly [number, number, number, number], size: number, out: Uint8Array, margin = 0.25): void {
  const [bx, by, bw, bh] = box;
  const side = Math.max(bw, bh) * (1 + 2 * margin);
  const x0 = bx + bw / 2 - side / 2;
  const y0 = by + bh / 2 - side / 2;
  const step = side / size;
  const ch = f.format === 'gray8' ? 1 : 3;
  const rgb = f.format === 'rgb24';
  const { width, height, data } = f;
  for (let y = 0; y < size; y++) {
    const sy = Math.floor(y0 + (y + 0.5) * step);
    for (let x = 0; x < size; x++) {
      const sx = Math.floor(x0 + (x + 0.5) * step);
      const o = (y * size + x) * 4;
      if (sx < 0 || sy < 0 || sx >= width || sy >= height) {
        out[o] = out[o + 1] = out[o + 2] = 0;
      } else {
        const i = (sy * width + sx) * ch;
        if (ch === 1) {
          out[o] = out[o + 1] = out[o + 2] = data[i] as number;
        } else {
          out[o] = data[rgb ? i + 2 : i] as number;
          out[o + 1] = data[i + 1] as number;
          out[o + 2] = data[rgb ? i : i + 2] as number;
        }
      }
      out[o + 3] = 255;
    }
  }
}
