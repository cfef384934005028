import { createHash } from 'node:crypto';
import { mkdirSync, mkdtempSync, readFileSync, rmSync, truncateSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { isPokerfaceError } from '../../../src/errors.js';
import { checkShapes, readManifest, sha256File, verifyModel, writeManifest, type Manifest, type ManifestEntry } from '../../../src/infer/manifest.js';

const root = mkdtempSync(join(tmpdir(), 'pokerface-manifest-'));
afterAll(() => rmSync(root, { recursive: true, force: true }));
let n = 0;
const freshDir = (): string => {
  const d = join(root, `d${++n}`);
  mkdirSync(d);
  return d;
};

const modelBytes = Buffer.from(Array.from({ length: 4096 }, (_, i) => (i * 31) & 0xff));
const sha = createHash('sha256').update(modelBytes).digest('hex');

function entry(over: Partial<ManifestEntry> = {}): ManifestEntry {
  return {
    file: 'emotion_expression.onnx',
    sha256: sha,
    licence: 'MIT',
    source: { package: '@vladmandic/face-api', version: '1.7.15', files: ['model/face_expression_model-weights_manifest.json', 'model/face_expression_model.bin'] },
    inputs: [{ name: 'input', shape: ['N', 112, 112, 3], type: 'float32' }],
    outputs: [{ name: 'emotions', shape: ['N', 7], type: 'float32' }],
    labels: ['neutral', 'happy', 'sad', 'angry', 'fearful', 'disgusted', 'surprised'],
    notes: 'test',
    ...over,
  };
}

async function setup(): Promise<{ dir: string; manifest: Manifest }> {
  const dir = freshDir();
  writeFileSync(join(dir, 'emotion_expression.onnx'), modelBytes);
  const manifest: Manifest = { version: 1, models: { expression: entry() } };
  await writeManifest(dir, manifest);
  return { dir, manifest };
}

async function codeOf(f: () => unknown): Promise<string | undefined> {
  try {
    await f();
  } catch (e) {
    return isPokerfaceError(e) ? e.code : `not a PokerfaceError: ${String(e)}`;
  }
  return undefined;
}

describe('manifest file', () => {
  it('writes and reads back the documented format', async () => {
    const { dir, manifest } = await setup();
    expect(await readManifest(dir)).toEqual(manifest);
    const text = readFileSync(join(dir, 'manifest.json'), 'utf8');
    expect(text).toContain('"shape": ["N", 112, 112, 3]');
    expect(JSON.parse(text)).toEqual(manifest);
  });

  it('reports a missing manifest as MODEL_MISSING and a broken one as MODEL_CORRUPT', async () => {
    const dir = freshDir();
    expect(await codeOf(() => readManifest(dir))).toBe('POKERFACE_ERR_MODEL_MISSING');
    const bad: unknown[] = [
      '{"version": 1, "models": {',
      '[]',
      JSON.stringify({ version: 2, models: {} }),
      JSON.stringify({ version: 1 }),
      JSON.stringify({ version: 1, models: { x: entry({ sha256: 'abc' }) } }),
      JSON.stringify({ version: 1, models: { x: entry({ file: '../../etc/passwd' }) } }),
      JSON.stringify({ version: 1, models: { x: { ...entry(), inputs: [{ name: 'input', shape: [-1], type: 'float32' }] } } }),
      JSON.stringify({ version: 1, models: { x: { ...entry(), source: 'face-api' } } }),
    ];
    for (const text of bad) {
      writeFileSync(join(dir, 'manifest.json'), text as string);
      expect(await codeOf(() => readManifest(dir))).toBe('POKERFACE_ERR_MODEL_CORRUPT');
    }
  });

  it('refuses to write a malformed manifest', async () => {
    const dir = freshDir();
    expect(await codeOf(() => writeManifest(dir, { version: 1, models: { x: entry({ file: 'a/b.onnx' }) } }))).toBe('POKERFACE_ERR_MODEL_CORRUPT');
  });

  it('hashes files with sha256', async () => {
    const { dir } = await setup();
    expect(await sha256File(join(dir, 'emotion_expression.onnx'))).toBe(sha);
  });
});

describe('verifyModel', () => {
  it('returns the entry and path of an intact model', async () => {
    const { dir } = await setup();
    const v = await verifyModel(dir, 'expression');
    expect(v.id).toBe('expression');
    expect(v.path).toBe(join(dir, 'emotion_expression.onnx'));
    expect(v.labels?.[1]).toBe('happy');
  });

  it('uses a manifest handed in instead of reading one', async () => {
    const { dir, manifest } = await setup();
    rmSync(join(dir, 'manifest.json'));
    expect((await verifyModel(dir, 'expression', { manifest })).sha256).toBe(sha);
  });

  it('reports an unknown id and a missing file as MODEL_MISSING', async () => {
    const { dir } = await setup();
    expect(await codeOf(() => verifyModel(dir, 'mini-xception'))).toBe('POKERFACE_ERR_MODEL_MISSING');
    rmSync(join(dir, 'emotion_expression.onnx'));
    expect(await codeOf(() => verifyModel(dir, 'expression'))).toBe('POKERFACE_ERR_MODEL_MISSING');
  });

  it('reports truncated, empty, altered files and a folder in its place as MODEL_CORRUPT', async () => {
    const { dir } = await setup();
    const file = join(dir, 'emotion_expression.onnx');
    truncateSync(file, 1000);
    expect(await codeOf(() => verifyModel(dir, 'expression'))).toBe('POKERFACE_ERR_MODEL_CORRUPT');
    truncateSync(file, 0);
    expect(await codeOf(() => verifyModel(dir, 'expression'))).toBe('POKERFACE_ERR_MODEL_CORRUPT');
    const altered = Buffer.from(modelBytes);
    altered[2000] = (altered[2000] ?? 0) ^ 1;
    writeFileSync(file, altered);
    const err = await verifyModel(dir, 'expression').catch((e: unknown) => e);
    expect(isPokerfaceError(err, 'POKERFACE_ERR_MODEL_CORRUPT')).toBe(true);
    expect((err as Error).message).toContain(sha);
    rmSync(file);
    mkdirSync(file);
    expect(await codeOf(() => verifyModel(dir, 'expression'))).toBe('POKERFACE_ERR_MODEL_CORRUPT');
  });
});

describe('checkShapes', () => {
  const e = entry();
  const ok = () =>
    checkShapes(e, [{ name: 'input', shape: ['N', 112, 112, 3], type: 'float32' }], [{ name: 'emotions', shape: ['N', 7], type: 'float32' }]);

  it('accepts matching signatures, fixed sizes for symbolic dims and dynamic dims for fixed ones', () => {
    expect(ok).not.toThrow();
    expect(() => checkShapes(e, [{ name: 'input', shape: [1, 112, 112, 3] }], [{ name: 'emotions', shape: [-1, 7] }])).not.toThrow();
    expect(() => checkShapes(e, [{ name: 'input', shape: ['batch', null, 112, 3] }], [{ name: 'emotions' }])).not.toThrow();
  });

  it.each([
    ['a renamed input', [{ name: 'x', shape: ['N', 112, 112, 3] }], [{ name: 'emotions', shape: ['N', 7] }], /input "input" \[N,112,112,3\] float32 is missing.*unexpected input "x"/],
    ['a wrong size', [{ name: 'input', shape: ['N', 224, 224, 3] }], [{ name: 'emotions', shape: ['N', 7] }], /expected shape \[N,112,112,3\], got \[N,224,224,3\]/],
    ['a wrong rank', [{ name: 'input', shape: ['N', 3, 112] }], [{ name: 'emotions', shape: ['N', 7] }], /expected shape \[N,112,112,3\], got \[N,3,112\]/],
    ['a wrong class count', [{ name: 'input', shape: ['N', 112, 112, 3] }], [{ name: 'emotions', shape: ['N', 8] }], /output "emotions": expected shape \[N,7\], got \[N,8\]/],
    ['a wrong type', [{ name: 'input', shape: ['N', 112, 112, 3], type: 'uint8' }], [{ name: 'emotions', shape: ['N', 7] }], /expected type float32, got uint8/],
    ['an extra output', [{ name: 'input', shape: ['N', 112, 112, 3] }], [{ name: 'emotions', shape: ['N', 7] }, { name: 'logits', shape: ['N', 7] }], /unexpected output "logits"/],
  ])('throws MODEL_SHAPE naming expected and actual for %s', (_label, ins, outs, message) => {
    let err: unknown;
    try {
      checkShapes(e, ins, outs);
    } catch (x) {
      err = x;
    }
    expect(isPokerfaceError(err, 'POKERFACE_ERR_MODEL_SHAPE')).toBe(true);
    expect((err as Error).message).toMatch(message);
    expect((err as Error).message).toContain('emotion_expression.onnx');
  });
});
