// The shipped two-stage pipeline (BlazeFace + face-api expression net, built by
// `pokerface models build`) on real onnxruntime, through the real worker, on the
// face-api demo photos. Expectations are what a person sees in the photos (clear smiles
// are happy; clearly unsmiling faces are not), never thresholds fitted to them.
import { copyFileSync, existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { WorkerDetector } from '../../../src/infer/detector.js';
import { decodeImage } from '../../../src/infer/image.js';
import { loadOrt } from '../../../src/infer/onnx.js';
import { TwoStagePipeline } from '../../../src/infer/two-stage-pipeline.js';
import { silentLogger } from '../../../src/log.js';
import type { Face } from '../../../src/types.js';
import { modelConfig } from '../../unit/infer/helpers.js';
import { NOT_SMILING, SMILING, demoPhoto } from './demo-faces.js';

const MODELS = 'models';
const haveModels = existsSync(join(MODELS, 'manifest.json'));
const photo = demoPhoto;

const top = (f: Face): string => Object.entries(f.emotions).sort((a, b) => (b[1] ?? 0) - (a[1] ?? 0))[0]?.[0] ?? 'none';
const at = (faces: Face[], x: number, y: number): Face | undefined => faces.find((f) => x >= f.box[0] && x <= f.box[0] + f.box[2] && y >= f.box[1] && y <= f.box[1] + f.box[3]);

describe.skipIf(!haveModels)('two-stage pipeline on the face-api demo photos', () => {
  const results = new Map<number, Face[]>();
  let detector: WorkerDetector;

  beforeAll(async () => {
    // group photos: the BlazeFace variant for smaller faces
    detector = new WorkerDetector({ config: modelConfig({ dir: MODELS, detector: { variant: 'back' }, classifier: { otherFacesEvery: 1 } }), log: silentLogger });
    await detector.start();
    for (let i = 1; i <= 6; i++) results.set(i, await detector.detect(await decodeImage(photo(i))));
  }, 120_000);
  afterAll(async () => {
    await detector?.close();
  });

  it('finds faces in every photo, with keypoints and all 7 emotion probabilities summing to 1', () => {
    for (const [, faces] of results) {
      expect(faces.length).toBeGreaterThanOrEqual(3);
      for (const f of faces) {
        expect(f.keypoints).toHaveLength(6);
        expect(Object.keys(f.emotions).sort()).toEqual(['angry', 'disgusted', 'fearful', 'happy', 'neutral', 'sad', 'surprised']);
        expect(Object.values(f.emotions).reduce((s, v) => s + (v ?? 0), 0)).toBeCloseTo(1, 3);
      }
    }
    expect(detector.info()).toMatchObject({ kind: 'two-stage', provider: 'cpu' });
    expect(detector.info().models.map((m) => m.file)).toEqual(['face_detection_back_256.onnx', 'emotion_expression.onnx']);
  });

  it('smiling faces come out happy first', () => {
    for (const [i, x, y] of SMILING) {
      const f = at(results.get(i) ?? [], x, y);
      expect(f, `sample${i} face at ${x},${y}`).toBeDefined();
      expect(top(f!), `sample${i} face at ${x},${y}: ${JSON.stringify(f!.emotions)}`).toBe('happy');
    }
  });

  it('unsmiling faces do not come out happy', () => {
    for (const [i, x, y] of NOT_SMILING) {
      const f = at(results.get(i) ?? [], x, y);
      expect(f, `sample${i} face at ${x},${y}`).toBeDefined();
      expect(top(f!), `sample${i} face at ${x},${y}: ${JSON.stringify(f!.emotions)}`).not.toBe('happy');
    }
  });

  it('an image that is not an image is POKERFACE_ERR_IMAGE_DECODE', async () => {
    await expect(decodeImage(Buffer.from('not a jpeg'))).rejects.toMatchObject({ code: 'POKERFACE_ERR_IMAGE_DECODE' });
  });
});

describe.skipIf(!haveModels)('model checks at start', () => {
  const dir = mkdtempSync(join(tmpdir(), 'pokerface-models-'));
  let ort: Awaited<ReturnType<typeof loadOrt>>;
  beforeAll(async () => {
    ort = await loadOrt();
  });
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  const manifest = (): { models: Record<string, { file: string; outputs: Array<{ shape: Array<number | string> }> }> } =>
    JSON.parse(readFileSync(join(MODELS, 'manifest.json'), 'utf8')) as never;
  function setup(name: string, edit: (d: string) => void): string {
    const d = join(dir, name);
    const m = manifest();
    rmSync(d, { recursive: true, force: true });
    mkdirSync(d, { recursive: true });
    writeFileSync(join(d, 'manifest.json'), JSON.stringify(m));
    for (const e of Object.values(m.models)) copyFileSync(join(MODELS, e.file), join(d, e.file));
    edit(d);
    return d;
  }
  const create = (d: string): Promise<TwoStagePipeline> => TwoStagePipeline.create(modelConfig({ dir: d }), { ort, log: silentLogger });

  it('no manifest: POKERFACE_ERR_MODEL_MISSING', async () => {
    await expect(create(join(dir, 'empty'))).rejects.toMatchObject({ code: 'POKERFACE_ERR_MODEL_MISSING' });
  });

  it('a truncated model file: POKERFACE_ERR_MODEL_CORRUPT', async () => {
    const d = setup('truncated', (p) => {
      const f = join(p, 'emotion_expression.onnx');
      writeFileSync(f, readFileSync(f).subarray(0, 1000));
    });
    await expect(create(d)).rejects.toMatchObject({ code: 'POKERFACE_ERR_MODEL_CORRUPT' });
  });

  it('a model file that is gone: POKERFACE_ERR_MODEL_MISSING', async () => {
    const d = setup('gone', (p) => rmSync(join(p, 'face_detection_front_128.onnx')));
    await expect(create(d)).rejects.toMatchObject({ code: 'POKERFACE_ERR_MODEL_MISSING' });
  });

  it('a model whose shapes differ from the manifest: POKERFACE_ERR_MODEL_SHAPE', async () => {
    const d = setup('shape', (p) => {
      const m = manifest();
      m.models['expression']!.outputs[0]!.shape = ['N', 8];
      writeFileSync(join(p, 'manifest.json'), JSON.stringify(m));
    });
    await expect(create(d)).rejects.toMatchObject({ code: 'POKERFACE_ERR_MODEL_SHAPE' });
  });

  it('the detector refuses to start on a corrupt model, through the worker', async () => {
    const d = setup('worker', (p) => writeFileSync(join(p, 'face_detection_front_128.onnx'), 'garbage'));
    const det = new WorkerDetector({ config: modelConfig({ dir: d }), log: silentLogger });
    await expect(det.start()).rejects.toMatchObject({ code: 'POKERFACE_ERR_MODEL_CORRUPT' });
    await det.close();
  });
});
