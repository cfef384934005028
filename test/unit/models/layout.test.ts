import { describe, expect, it } from 'vitest';
import { depthwiseToOnnx, hwioToOihw, samePadding, validOutput } from '../../../src/infer/convert/layout.js';

describe('filter layout', () => {
  it('moves HWIO to OIHW', () => {
    // value encodes its TF index: h*1000 + w*100 + i*10 + o
    const [H, W, I, O] = [2, 3, 2, 4];
    const data = new Float32Array(H * W * I * O);
    for (let h = 0; h < H; h++) for (let w = 0; w < W; w++) for (let i = 0; i < I; i++) for (let o = 0; o < O; o++) data[((h * W + w) * I + i) * O + o] = h * 1000 + w * 100 + i * 10 + o;
    const out = hwioToOihw(data, [H, W, I, O]);
    expect(out.shape).toEqual([O, I, H, W]);
    for (let o = 0; o < O; o++) for (let i = 0; i < I; i++) for (let h = 0; h < H; h++) for (let w = 0; w < W; w++) expect(out.data[((o * I + i) * H + h) * W + w]).toBe(h * 1000 + w * 100 + i * 10 + o);
  });

  it('moves depthwise HW(In)(M) to [In*M, 1, H, W] with channel-major outputs', () => {
    const [H, W, I, M] = [3, 3, 2, 2];
    const data = new Float32Array(H * W * I * M);
    for (let h = 0; h < H; h++) for (let w = 0; w < W; w++) for (let i = 0; i < I; i++) for (let m = 0; m < M; m++) data[((h * W + w) * I + i) * M + m] = h * 1000 + w * 100 + i * 10 + m;
    const out = depthwiseToOnnx(data, [H, W, I, M]);
    expect(out.shape).toEqual([I * M, 1, H, W]);
    for (let i = 0; i < I; i++) for (let m = 0; m < M; m++) for (let h = 0; h < H; h++) for (let w = 0; w < W; w++) expect(out.data[((i * M + m) * H + h) * W + w]).toBe(h * 1000 + w * 100 + i * 10 + m);
  });

  it('refuses filters that are not 4-D', () => {
    expect(() => hwioToOihw(new Float32Array(4), [2, 2])).toThrow(/4-D/);
  });
});

describe('TF padding', () => {
  it.each([
    // in, kernel, stride → before, after, out
    [112, 3, 2, 0, 1, 56],
    [56, 3, 1, 1, 1, 56],
    [7, 3, 2, 1, 1, 4],
    [5, 3, 2, 1, 1, 3],
    [8, 5, 1, 2, 2, 8],
    [4, 4, 2, 1, 1, 2],
    [1, 3, 2, 1, 1, 1],
  ])('same(%i, k%i, s%i) = [%i, %i] → %i', (inSize, k, s, b, a, out) => {
    expect(samePadding(inSize, k, s)).toEqual([b, a, out]);
  });
  it('valid output size', () => {
    expect(validOutput(7, 7, 2)).toBe(1);
    expect(validOutput(14, 7, 2)).toBe(4);
  });
});
