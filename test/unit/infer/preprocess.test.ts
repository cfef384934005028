import { describe, expect, it } from 'vitest';
import { isPokerfaceError } from '../../../src/errors.js';
import { LetterboxResizer, NORM_0_255, NORM_MINUS1_1, checkFrame, cropGeometry, cropToFrame, letterboxFor, sampleCrop } from '../../../src/infer/preprocess.js';
import { playerFaceIndex } from '../../../src/geometry.js';
import { mapDetection } from '../../../src/infer/pipeline-shared.js';
import type { Frame } from '../../../src/types.js';
import { solidFrame } from './helpers.js';

describe('letterbox resize', () => {
  it('geometry: 640x480 into 128 scales by 0.2 and pads top and bottom', () => {
    expect(letterboxFor(640, 480, 128)).toEqual({ scale: 0.2, padX: 0, padY: 16 });
    expect(letterboxFor(480, 640, 128)).toEqual({ scale: 0.2, padX: 16, padY: 0 });
  });

  it.each(['rgb24', 'bgr24'] as const)('%s: RGB order, [-1,1], padding is 0', (format) => {
    const r = new LetterboxResizer(128, NORM_MINUS1_1, 'nhwc', 127.5);
    const out = new Float32Array(128 * 128 * 3);
    r.run(solidFrame(640, 480, [255, 0, 51], format), out);
    const px = (x: number, y: number): number[] => Array.from(out.subarray((y * 128 + x) * 3, (y * 128 + x) * 3 + 3)).map((v) => Math.round(v * 1000) / 1000);
    expect(px(64, 64)).toEqual([1, -1, -0.6]);
    expect(px(0, 0)).toEqual([0, 0, 0]); // letterbox band
    expect(px(0, 16)).toEqual([1, -1, -0.6]); // first content row
    expect(px(127, 111)).toEqual([1, -1, -0.6]); // last content row
    expect(px(127, 112)).toEqual([0, 0, 0]);
  });

  it('gray8 frames fill all three channels; NCHW layout writes planes', () => {
    const r = new LetterboxResizer(32, NORM_0_255, 'nchw', 128);
    const out = new Float32Array(32 * 32 * 3);
    r.run(solidFrame(32, 32, [200, 0, 0], 'gray8'), out);
    expect([out[0], out[32 * 32], out[2 * 32 * 32]]).toEqual([200, 200, 200]);
  });

  it('bilinear: a horizontal ramp stays a ramp', () => {
    const w = 256;
    const f = solidFrame(w, 256, [0, 0, 0]);
    for (let y = 0; y < 256; y++) for (let x = 0; x < w; x++) f.data.fill(x, (y * w + x) * 3, (y * w + x) * 3 + 3);
    const r = new LetterboxResizer(128, NORM_0_255);
    const out = new Float32Array(128 * 128 * 3);
    r.run(f, out);
    // output pixel o samples source x = (o + 0.5) * 2 - 0.5 = 2o + 0.5
    for (const o of [1, 40, 100]) expect(out[(50 * 128 + o) * 3]).toBeCloseTo(2 * o + 0.5, 4);
  });

  it('reuses its tables and output: no per-frame allocation for the same frame size', () => {
    const r = new LetterboxResizer(64, NORM_0_255);
    const out = new Float32Array(64 * 64 * 3);
    const a = r.run(solidFrame(100, 50, [1, 2, 3]), out);
    const b = r.run(solidFrame(100, 50, [4, 5, 6]), out);
    expect(a).toBe(b);
    expect(out[0 * 3 + (20 * 64) * 3]).toBe(4);
  });

  it('refuses zero-size, short and unknown-format frames with POKERFACE_ERR_FRAME_INVALID', () => {
    const bad: Frame[] = [
      { seq: 0, ts: 0, width: 0, height: 10, format: 'rgb24', data: new Uint8Array(0) },
      { seq: 0, ts: 0, width: 10, height: 10, format: 'rgb24', data: new Uint8Array(299) },
      { seq: 0, ts: 0, width: 10, height: 10, format: 'yuv' as 'rgb24', data: new Uint8Array(300) },
    ];
    for (const f of bad) {
      let err: unknown;
      try {
        checkFrame(f);
      } catch (e) {
        err = e;
      }
      expect(isPokerfaceError(err, 'POKERFACE_ERR_FRAME_INVALID')).toBe(true);
    }
  });
});

describe('aligned face crops', () => {
  it('the crop angle follows the eye line; without align it is 0', () => {
    const box = { x: 100, y: 100, w: 80, h: 100 };
    const eyes = { rx: 120, ry: 130, lx: 160, ly: 130 + 40 * Math.tan(Math.PI / 9) };
    const g = cropGeometry(box, eyes, 0.25, true);
    expect(g.angle).toBeCloseTo(Math.PI / 9, 9);
    expect(g.side).toBe(125);
    expect([g.cx, g.cy]).toEqual([140, 150]);
    expect(cropGeometry(box, eyes, 0.25, false).angle).toBe(0);
    expect(cropGeometry(box, null, 0.25, true).angle).toBe(0);
  });

  it('crop-to-frame mapping: centre maps to the face centre, the crop x axis runs along the eye line', () => {
    const g = { cx: 200, cy: 150, side: 112, angle: Math.PI / 6 };
    expect(cropToFrame(g, 112, 56, 56)).toEqual([200, 150]);
    const [x, y] = cropToFrame(g, 112, 56 + 10, 56);
    expect(x - 200).toBeCloseTo(10 * Math.cos(Math.PI / 6), 9);
    expect(y - 150).toBeCloseTo(10 * Math.sin(Math.PI / 6), 9);
  });

  it('levels two eye dots drawn on a line tilted by 20 degrees', () => {
    const W = 200;
    const H = 200;
    const f = solidFrame(W, H, [0, 0, 0]);
    const theta = (20 * Math.PI) / 180;
    const c = [100, 100];
    const eyes: Array<[number, number]> = [-1, 1].map((s) => [c[0]! + s * 30 * Math.cos(theta), c[1]! + s * 30 * Math.sin(theta)]);
    for (const [ex, ey] of eyes) {
      for (let y = -3; y <= 3; y++) for (let x = -3; x <= 3; x++) f.data.fill(255, ((Math.round(ey) + y) * W + Math.round(ex) + x) * 3, ((Math.round(ey) + y) * W + Math.round(ex) + x) * 3 + 3);
    }
    const g = cropGeometry({ x: 60, y: 60, w: 80, h: 80 }, { rx: eyes[0]![0], ry: eyes[0]![1], lx: eyes[1]![0], ly: eyes[1]![1] }, 0, true);
    const out = new Float32Array(112 * 112 * 3);
    sampleCrop(f, g, 112, NORM_0_255, out);
    // centroid of the bright pixels in each half of the crop
    const centroid = (u0: number, u1: number): [number, number] => {
      let sx = 0;
      let sy = 0;
      let n = 0;
      for (let v = 0; v < 112; v++) {
        for (let u = u0; u < u1; u++) {
          const p = out[(v * 112 + u) * 3]!;
          if (p > 128) {
            sx += u;
            sy += v;
            n++;
          }
        }
      }
      return [sx / n, sy / n];
    };
    const left = centroid(0, 56);
    const right = centroid(56, 112);
    expect(Math.abs(left[1] - right[1])).toBeLessThan(1); // level (dots are drawn on whole pixels)
    expect(Math.abs(right[0] - left[0] - (60 * 112) / 80)).toBeLessThan(1.5); // 60 px apart, scaled
    // without alignment the same dots stay tilted: 60 * sin(20 deg) px apart vertically
    sampleCrop(f, { ...g, angle: 0 }, 112, NORM_0_255, out);
    const tilt = centroid(56, 112)[1] - centroid(0, 56)[1];
    expect(Math.abs(tilt - (60 * Math.sin(theta) * 112) / 80)).toBeLessThan(1.5);
  });

  it('pads outside the frame with black', () => {
    const f = solidFrame(50, 50, [255, 255, 255]);
    const out = new Float32Array(112 * 112 * 3);
    sampleCrop(f, { cx: 0, cy: 0, side: 100, angle: 0 }, 112, NORM_0_255, out);
    expect(out[0]).toBe(0);
    expect(out[(111 * 112 + 111) * 3]).toBe(255);
  });
});

describe('crop sampling, fast and clamped paths', () => {
  /** Plain bilinear sampling, one pixel at a time, written for clarity (the reference). */
  function reference(f: Frame, g: { cx: number; cy: number; side: number; angle: number }, size: number, u: number, v: number, c: number): number {
    const [x, y] = cropToFrame(g, size, u + 0.5, v + 0.5);
    const fx = x - 0.5;
    const fy = y - 0.5;
    if (fx < -0.5 || fy < -0.5 || fx > f.width - 0.5 || fy > f.height - 0.5) return 0;
    const px = (i: number, j: number): number => f.data[(Math.min(j, f.height - 1) * f.width + Math.min(i, f.width - 1)) * 3 + c] as number;
    const cx = Math.min(Math.max(fx, 0), f.width - 1);
    const cy = Math.min(Math.max(fy, 0), f.height - 1);
    const i = Math.floor(cx);
    const j = Math.floor(cy);
    const wx = cx - i;
    const wy = cy - j;
    return px(i, j) * (1 - wx) * (1 - wy) + px(i + 1, j) * wx * (1 - wy) + px(i, j + 1) * (1 - wx) * wy + px(i + 1, j + 1) * wx * wy;
  }

  function noiseFrame(width: number, height: number): Frame {
    const data = new Uint8Array(width * height * 3);
    let seed = 7;
    for (let i = 0; i < data.length; i++) data[i] = (seed = (seed * 1103515245 + 12345) >>> 0) >>> 24;
    return { width, height, format: 'rgb24', data, seq: 0, ts: 0 };
  }

  it.each([
    ['inside the frame, tilted (fast path)', { cx: 80, cy: 60, side: 70, angle: 0.3 }],
    ['inside the frame, tilted the other way', { cx: 80, cy: 60, side: 60, angle: -2.5 }],
    ['over the right and bottom edges (clamped)', { cx: 150, cy: 110, side: 60, angle: 0.2 }],
    ['over the top-left corner (clamped)', { cx: 5, cy: 5, side: 40, angle: -0.4 }],
  ])('matches plain bilinear sampling: %s', (_name, g) => {
    const f = noiseFrame(160, 120);
    const size = 24;
    const out = new Float32Array(size * size * 3);
    sampleCrop(f, g, size, NORM_0_255, out);
    let worst = 0;
    for (let v = 0; v < size; v++) {
      for (let u = 0; u < size; u++) {
        for (let c = 0; c < 3; c++) worst = Math.max(worst, Math.abs((out[(v * size + u) * 3 + c] as number) - reference(f, g, size, u, v, c)));
      }
    }
    expect(worst).toBeLessThan(1e-3);
  });

  it('bgr24 frames come out RGB on the fast path too', () => {
    const rgb = solidFrame(64, 64, [10, 20, 30]);
    const bgr = solidFrame(64, 64, [10, 20, 30], 'bgr24');
    const a = new Float32Array(8 * 8 * 3);
    const b = new Float32Array(8 * 8 * 3);
    sampleCrop(rgb, { cx: 32, cy: 32, side: 20, angle: 0.1 }, 8, NORM_0_255, a);
    sampleCrop(bgr, { cx: 32, cy: 32, side: 20, angle: 0.1 }, 8, NORM_0_255, b);
    expect(Array.from(b)).toEqual(Array.from(a));
    expect(Array.from(a.subarray(0, 3))).toEqual([10, 20, 30]);
  });
});

describe('frame mapping and main face', () => {
  it('maps normalised input coordinates back through the letterbox and clips to the frame', () => {
    const lb = letterboxFor(640, 480, 128);
    const d = mapDetection({ x: 0.25, y: 0.25, w: 0.5, h: 0.5, score: 1, cls: -1, kps: [0.5, 0.5] }, 128, lb, 640, 480);
    expect(d.x).toBeCloseTo(160, 6);
    expect(d.y).toBeCloseTo(80, 6);
    expect(d.w).toBeCloseTo(320, 6);
    expect(d.h).toBeCloseTo(320, 6);
    expect(d.kps).toEqual([320, 240]);
    const clipped = mapDetection({ x: -0.1, y: 0.7, w: 0.3, h: 0.3, score: 1, cls: -1, kps: [] }, 128, lb, 640, 480);
    expect(clipped.x).toBe(0);
    expect(clipped.y + clipped.h).toBe(480);
  });

  it('without a focus the main face is the largest; between similar sizes the more central one', () => {
    const f = (x: number, y: number, w: number, h: number): { box: [number, number, number, number] } => ({ box: [x, y, w, h] });
    expect(playerFaceIndex([f(0, 0, 50, 50), f(300, 200, 100, 100)], null, 640, 480)).toBe(1);
    expect(playerFaceIndex([f(0, 0, 100, 100), f(270, 190, 100, 100)], null, 640, 480)).toBe(1);
    expect(playerFaceIndex([], null, 640, 480)).toBe(-1);
  });

  it('with a focus (the tracked player of the judge) the overlapping face wins over a larger, central one', () => {
    const f = (x: number, y: number, w: number, h: number): { box: [number, number, number, number] } => ({ box: [x, y, w, h] });
    const faces = [f(220, 140, 200, 200), f(20, 20, 80, 80)];
    expect(playerFaceIndex(faces, null, 640, 480)).toBe(0);
    expect(playerFaceIndex(faces, [25, 22, 78, 80], 640, 480)).toBe(1);
    // a focus that overlaps nothing (the player left) falls back to the judge's rule
    expect(playerFaceIndex(faces, [500, 400, 50, 50], 640, 480)).toBe(0);
  });
});

describe('grey crops (1-channel classifiers)', () => {
  it('writes BT.601 luma, one value per pixel', () => {
    const f = solidFrame(20, 20, [100, 200, 50], 'bgr24');
    const out = new Float32Array(8 * 8);
    sampleCrop(f, { cx: 10, cy: 10, side: 10, angle: 0.3 }, 8, NORM_0_255, out, 0, 1);
    expect(out[27]).toBeCloseTo(0.299 * 100 + 0.587 * 200 + 0.114 * 50, 3);
  });

  it('classifier input size and channels come from the manifest shape', async () => {
    const { classifierInput } = await import('../../../src/infer/classifier-stage.js');
    expect(classifierInput(['N', 112, 112, 3])).toEqual({ size: 112, channels: 3 });
    expect(classifierInput(['N', 64, 64, 1])).toEqual({ size: 64, channels: 1 });
    expect(classifierInput(undefined)).toEqual({ size: 112, channels: 3 });
    expect(() => classifierInput(['N', 64, 64, 4])).toThrow(/channels/);
  });
});

describe('crop change (when a kept face is detected again)', () => {
  it('mean absolute difference over a slice of each buffer', async () => {
    const { meanAbsDiff } = await import('../../../src/infer/preprocess.js');
    const a = new Float32Array([9, 1, 2, 3, 4]);
    const b = new Float32Array([0, 0, 3, 1, 8, 9]);
    expect(meanAbsDiff(a, 1, b, 1, 4)).toBeCloseTo((1 + 1 + 2 + 4) / 4, 6);
    expect(meanAbsDiff(a, 0, a, 0, 5)).toBe(0);
    expect(meanAbsDiff(a, 0, b, 0, 0)).toBe(0);
  });
});

describe('crop change, sampled', () => {
  it('every step-th value', async () => {
    const { meanAbsDiff } = await import('../../../src/infer/preprocess.js');
    const a = new Float32Array([4, 100, 100, 8, 100, 100, 1]);
    expect(meanAbsDiff(a, 0, new Float32Array(7), 0, 7, 3)).toBeCloseTo((4 + 8 + 1) / 3, 6);
  });
});
