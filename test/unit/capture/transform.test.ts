import { describe, expect, it } from 'vitest';
import { FrameTransform, outputSize, type Geometry } from '../../../src/capture/transform.js';

// a 3x2 gray image:  0 1 2
//                    3 4 5
const src = Uint8Array.from([0, 1, 2, 3, 4, 5]);
const g = (over: Partial<Geometry>): Geometry => ({ width: 3, height: 2, format: 'gray8', mirror: false, rotate: 0, scaleWidth: 0, ...over });
const run = (over: Partial<Geometry>): number[] => [...new FrameTransform(g(over)).apply(src)];

describe('FrameTransform', () => {
  it('passes the identity through without copying', () => {
    const t = new FrameTransform(g({}));
    expect(t.identity).toBe(true);
    expect(t.apply(src)).toBe(src);
  });

  it('mirrors left-right', () => {
    expect(run({ mirror: true })).toEqual([2, 1, 0, 5, 4, 3]);
  });

  it('rotates clockwise', () => {
    expect(run({ rotate: 90 })).toEqual([3, 0, 4, 1, 5, 2]);
    expect(run({ rotate: 180 })).toEqual([5, 4, 3, 2, 1, 0]);
    expect(run({ rotate: 270 })).toEqual([2, 5, 1, 4, 0, 3]);
    expect(outputSize(g({ rotate: 90 }))).toEqual({ width: 2, height: 3 });
  });

  it('mirrors after rotating (the selfie view of the rotated image)', () => {
    expect(run({ rotate: 90, mirror: true })).toEqual([0, 3, 1, 4, 2, 5]);
  });

  it('downscales to scaleWidth keeping the aspect, never upscales', () => {
    expect(outputSize({ width: 640, height: 480, format: 'bgr24', mirror: false, rotate: 0, scaleWidth: 320 })).toEqual({ width: 320, height: 240 });
    expect(outputSize({ width: 640, height: 480, format: 'bgr24', mirror: false, rotate: 0, scaleWidth: 1280 })).toEqual({ width: 640, height: 480 });
    const four = Uint8Array.from([0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14, 15]);
    const t = new FrameTransform({ width: 4, height: 4, format: 'gray8', mirror: false, rotate: 0, scaleWidth: 2 });
    expect([...t.apply(four)]).toEqual([5, 7, 13, 15]);
  });

  it('moves whole BGR pixels', () => {
    const bgr = Uint8Array.from([1, 2, 3, 4, 5, 6]); // 2x1
    const t = new FrameTransform({ width: 2, height: 1, format: 'bgr24', mirror: true, rotate: 0, scaleWidth: 0 });
    expect([...t.apply(bgr)]).toEqual([4, 5, 6, 1, 2, 3]);
  });

  it('reuses its output buffer', () => {
    const t = new FrameTransform(g({ mirror: true }));
    expect(t.apply(src)).toBe(t.apply(src));
  });
});
