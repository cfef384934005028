import { describe, expect, it } from 'vitest';
import { decodeTensor, decodeWeightGroups, float16ToFloat32, storedByteLength, type WeightSpec } from '../../../src/infer/convert/tfjs-weights.js';
import { isPokerfaceError } from '../../../src/errors.js';

function le16(values: number[]): Uint8Array {
  const b = new Uint8Array(values.length * 2);
  const v = new DataView(b.buffer);
  values.forEach((x, i) => v.setUint16(i * 2, x, true));
  return b;
}

function f32(values: number[]): Uint8Array {
  const b = new Uint8Array(values.length * 4);
  const v = new DataView(b.buffer);
  values.forEach((x, i) => v.setFloat32(i * 4, x, true));
  return b;
}

describe('float16 decoding', () => {
  it.each([
    [0x0000, 0],
    [0x3c00, 1],
    [0xc000, -2],
    [0x3555, 0.333251953125],
    [0x7bff, 65504],
    [0x0400, 2 ** -14],
    [0x0001, 2 ** -24],
    [0x03ff, 1023 * 2 ** -24],
    [0x7c00, Infinity],
    [0xfc00, -Infinity],
  ])('0x%s', (bits, expected) => {
    expect(float16ToFloat32(bits)).toBe(expected);
  });
  it('keeps the sign of zero and decodes NaN', () => {
    expect(Object.is(float16ToFloat32(0x8000), -0)).toBe(true);
    expect(float16ToFloat32(0x7e00)).toBeNaN();
  });
});

describe('decodeTensor', () => {
  it('dequantises uint8 as q * scale + min, rounded once to float32', () => {
    const spec: WeightSpec = { name: 'w', shape: [2, 2], dtype: 'float32', quantization: { dtype: 'uint8', scale: 0.1, min: -1 } };
    const t = decodeTensor(spec, Uint8Array.from([0, 1, 10, 255]));
    expect(t.shape).toEqual([2, 2]);
    expect(Array.from(t.data)).toEqual([-1, 1 * 0.1 - 1, 10 * 0.1 - 1, 255 * 0.1 - 1].map(Math.fround));
  });

  it('dequantises little-endian uint16', () => {
    const spec: WeightSpec = { name: 'w', shape: [3], dtype: 'float32', quantization: { dtype: 'uint16', scale: 0.5, min: 2 } };
    const t = decodeTensor(spec, le16([0, 0x0102, 65535]));
    expect(Array.from(t.data)).toEqual([2, 0x0102 * 0.5 + 2, 65535 * 0.5 + 2]);
  });

  it('decodes float16-quantised float32 tensors', () => {
    const spec: WeightSpec = { name: 'w', shape: [1, 3], dtype: 'float32', quantization: { dtype: 'float16' } };
    const t = decodeTensor(spec, le16([0x3c00, 0xc000, 0x3800]));
    expect(Array.from(t.data)).toEqual([1, -2, 0.5]);
  });

  it('reads plain float32 and int32', () => {
    expect(Array.from(decodeTensor({ name: 'a', shape: [2], dtype: 'float32' }, f32([1.5, -3.25])).data)).toEqual([1.5, -3.25]);
    const i = new Uint8Array(8);
    new DataView(i.buffer).setInt32(0, -7, true);
    new DataView(i.buffer).setInt32(4, 123456, true);
    const t = decodeTensor({ name: 'b', shape: [2], dtype: 'int32' }, i);
    expect(t.data).toBeInstanceOf(Int32Array);
    expect(Array.from(t.data)).toEqual([-7, 123456]);
  });

  it('rounds uint8-quantised int32 tensors', () => {
    const t = decodeTensor({ name: 'i', shape: [2], dtype: 'int32', quantization: { dtype: 'uint8', scale: 0.4, min: 0 } }, Uint8Array.from([1, 4]));
    expect(Array.from(t.data)).toEqual([0, 2]);
  });

  it('rejects wrong byte counts, missing scale/min and unknown quantisation', () => {
    const bad = [
      () => decodeTensor({ name: 'a', shape: [3], dtype: 'float32' }, new Uint8Array(8)),
      () => decodeTensor({ name: 'a', shape: [2], dtype: 'float32', quantization: { dtype: 'uint8' } }, new Uint8Array(2)),
      () => decodeTensor({ name: 'a', shape: [2], dtype: 'float32', quantization: { dtype: 'int4' as 'uint8', scale: 1, min: 0 } }, new Uint8Array(2)),
    ];
    for (const f of bad) {
      let err: unknown;
      try {
        f();
      } catch (e) {
        err = e;
      }
      expect(isPokerfaceError(err, 'POKERFACE_ERR_MODEL_BUILD')).toBe(true);
    }
  });
});

describe('decodeWeightGroups', () => {
  const specs: WeightSpec[] = [
    { name: 'a', shape: [2], dtype: 'float32', quantization: { dtype: 'uint8', scale: 2, min: 1 } },
    { name: 'b', shape: [1], dtype: 'float32' },
    { name: 'c', shape: [2], dtype: 'float32', quantization: { dtype: 'float16' } },
  ];
  const whole = Buffer.concat([Uint8Array.from([3, 4]), f32([0.25]), le16([0x4000, 0xbc00])]);

  it('reads tensors packed back to back across shard boundaries', () => {
    expect(storedByteLength(specs[0] as WeightSpec)).toBe(2);
    const shards: Record<string, Uint8Array> = { s1: whole.subarray(0, 3), s2: whole.subarray(3) };
    const out = decodeWeightGroups([{ paths: ['s1', 's2'], weights: specs }], (p) => shards[p] as Uint8Array);
    expect(Array.from(out.get('a')?.data ?? [])).toEqual([7, 9]);
    expect(Array.from(out.get('b')?.data ?? [])).toEqual([0.25]);
    expect(Array.from(out.get('c')?.data ?? [])).toEqual([2, -1]);
  });

  it('refuses shards that are too short or too long', () => {
    expect(() => decodeWeightGroups([{ paths: ['s'], weights: specs }], () => whole.subarray(0, whole.length - 1))).toThrow(/shards end/);
    expect(() => decodeWeightGroups([{ paths: ['s'], weights: specs }], () => Buffer.concat([whole, Uint8Array.from([0])]))).toThrow(/no tensor describes/);
  });
});
