// Reads TF.js "weights manifest" models: a JSON list of groups, each naming its binary
// shards (concatenated in order) and the tensors packed one after another inside them.
// Quantised tensors are stored as uint8/uint16 (value = q * scale + min) or float16.
import { readFile } from 'node:fs/promises';
import { dirname, join } from 'node:path';
import { PokerfaceError } from '../../errors.js';

export interface QuantizationSpec {
  dtype: 'uint8' | 'uint16' | 'float16';
  scale?: number;
  min?: number;
}

export interface WeightSpec {
  name: string;
  shape: number[];
  dtype: 'float32' | 'int32';
  quantization?: QuantizationSpec;
}

export interface WeightGroup {
  paths: string[];
  weights: WeightSpec[];
}

export interface WeightTensor {
  name: string;
  shape: number[];
  dtype: 'float32' | 'int32';
  data: Float32Array | Int32Array;
}

const BYTES: Record<string, number> = { float32: 4, int32: 4, uint8: 1, uint16: 2, float16: 2 };

function fail(detail: string): never {
  throw new PokerfaceError('POKERFACE_ERR_MODEL_BUILD', detail);
}

function size(shape: number[]): number {
  return shape.reduce((a, b) => a * b, 1);
}

/** IEEE 754 half (binary16) bits to the float it stands for; exact for every input. */
export function float16ToFloat32(bits: number): number {
  const sign = bits & 0x8000 ? -1 : 1;
  const exp = (bits >> 10) & 0x1f;
  const frac = bits & 0x3ff;
  if (exp === 0) return sign * frac * 2 ** -24; // zero and subnormals
  if (exp === 0x1f) return frac === 0 ? sign * Infinity : NaN;
  return sign * (1 + frac / 1024) * 2 ** (exp - 15);
}

/**
 * Decodes one tensor from `bytes` (exactly its stored bytes, little-endian). The
 * arithmetic is done in doubles and rounded once to float32, as TF.js does.
 */
export function decodeTensor(spec: WeightSpec, bytes: Uint8Array): WeightTensor {
  const n = size(spec.shape);
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const q = spec.quantization;
  const stored = q ? q.dtype : spec.dtype;
  const width = BYTES[stored];
  if (width === undefined) fail(`${spec.name}: unsupported stored dtype ${stored}`);
  if (bytes.byteLength !== n * width) fail(`${spec.name}: expected ${n * width} bytes, got ${bytes.byteLength}`);

  if (!q) {
    if (spec.dtype === 'float32') {
      const out = new Float32Array(n);
      for (let i = 0; i < n; i++) out[i] = view.getFloat32(i * 4, true);
      return { name: spec.name, shape: spec.shape, dtype: 'float32', data: out };
    }
    if (spec.dtype === 'int32') {
      const out = new Int32Array(n);
      for (let i = 0; i < n; i++) out[i] = view.getInt32(i * 4, true);
      return { name: spec.name, shape: spec.shape, dtype: 'int32', data: out };
    }
    fail(`${spec.name}: unsupported dtype ${String(spec.dtype)}`);
  }

  if (q.dtype === 'float16') {
    if (spec.dtype !== 'float32') fail(`${spec.name}: float16 quantisation needs dtype float32`);
    const out = new Float32Array(n);
    for (let i = 0; i < n; i++) out[i] = float16ToFloat32(view.getUint16(i * 2, true));
    return { name: spec.name, shape: spec.shape, dtype: 'float32', data: out };
  }
  if (q.dtype !== 'uint8' && q.dtype !== 'uint16') fail(`${spec.name}: unknown quantisation ${String(q.dtype)}`);
  const { scale, min } = q;
  if (typeof scale !== 'number' || typeof min !== 'number') fail(`${spec.name}: ${q.dtype} quantisation without scale and min`);
  const read = q.dtype === 'uint8' ? (i: number) => view.getUint8(i) : (i: number) => view.getUint16(i * 2, true);
  if (spec.dtype === 'float32') {
    const out = new Float32Array(n);
    for (let i = 0; i < n; i++) out[i] = read(i) * scale + min;
    return { name: spec.name, shape: spec.shape, dtype: 'float32', data: out };
  }
  if (spec.dtype === 'int32') {
    const out = new Int32Array(n);
    for (let i = 0; i < n; i++) out[i] = Math.round(read(i) * scale + min);
    return { name: spec.name, shape: spec.shape, dtype: 'int32', data: out };
  }
  fail(`${spec.name}: unsupported dtype ${String(spec.dtype)}`);
}

/** Bytes a tensor occupies in its shard. */
export function storedByteLength(spec: WeightSpec): number {
  const stored = spec.quantization ? spec.quantization.dtype : spec.dtype;
  const width = BYTES[stored];
  if (width === undefined) fail(`${spec.name}: unsupported stored dtype ${stored}`);
  return size(spec.shape) * width;
}

function isGroupList(x: unknown): x is WeightGroup[] {
  return (
    Array.isArray(x) &&
    x.every(
      (g) =>
        typeof g === 'object' &&
        g !== null &&
        Array.isArray((g as WeightGroup).paths) &&
        Array.isArray((g as WeightGroup).weights) &&
        (g as WeightGroup).weights.every((w) => typeof w.name === 'string' && Array.isArray(w.shape) && typeof w.dtype === 'string'),
    )
  );
}

/** Decodes every tensor of a manifest whose shards are given as byte arrays (by path). */
export function decodeWeightGroups(groups: WeightGroup[], shards: (path: string) => Uint8Array): Map<string, WeightTensor> {
  const out = new Map<string, WeightTensor>();
  for (const group of groups) {
    const parts = group.paths.map(shards);
    const buf = parts.length === 1 && parts[0] ? parts[0] : Buffer.concat(parts);
    let offset = 0;
    for (const spec of group.weights) {
      const len = storedByteLength(spec);
      if (offset + len > buf.byteLength) fail(`${spec.name}: shards end at byte ${buf.byteLength}, tensor needs ${offset + len}`);
      out.set(spec.name, decodeTensor(spec, buf.subarray(offset, offset + len)));
      offset += len;
    }
    if (offset !== buf.byteLength) fail(`shards ${group.paths.join(', ')} hold ${buf.byteLength - offset} bytes no tensor describes`);
  }
  return out;
}

/** Reads a `*-weights_manifest.json` and its shards from disk. */
export async function readTfjsWeights(manifestPath: string): Promise<Map<string, WeightTensor>> {
  let groups: unknown;
  try {
    groups = JSON.parse(await readFile(manifestPath, 'utf8'));
  } catch (e) {
    fail(`cannot read weights manifest ${manifestPath}: ${(e as Error).message}`);
  }
  if (!isGroupList(groups)) fail(`${manifestPath} is not a TF.js weights manifest`);
  const dir = dirname(manifestPath);
  const shards = new Map<string, Uint8Array>();
  for (const p of groups.flatMap((g) => g.paths)) {
    try {
      shards.set(p, await readFile(join(dir, p)));
    } catch (e) {
      fail(`cannot read weights shard ${p}: ${(e as Error).message}`);
    }
  }
  return decodeWeightGroups(groups, (p) => shards.get(p) ?? fail(`missing shard ${p}`));
}
