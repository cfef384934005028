// The one-stage YOLO path on real onnxruntime, with small YOLO-shaped models written in
// the test: each output is a constant tensor of known raw values (plus 0 x the input, so
// the graph has a real image input), and the decoded faces are checked exactly.
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { GraphBuilder } from '../../../src/infer/convert/graph-builder.js';
import { encodeModel } from '../../../src/infer/convert/onnx-proto.js';
import { loadOrt, type OrtBinding } from '../../../src/infer/onnx.js';
import { YoloPipeline } from '../../../src/infer/yolo-pipeline.js';
import { WorkerDetector } from '../../../src/infer/detector.js';
import { silentLogger } from '../../../src/log.js';
import type { Face } from '../../../src/types.js';
import { modelConfig, solidFrame } from '../../unit/infer/helpers.js';

const S = 64;
const CLASSES = ['happy', 'surprised', 'neutral'];
const C = CLASSES.length;
const PER = 5 + C;
const ANCHORS: Array<[number, number]> = [[4, 6], [8, 8], [10, 14], [16, 20], [20, 24], [24, 30], [30, 30], [40, 40], [50, 60]];
const GRIDS = [2, 8, 4]; // output order deliberately not by scale
const logit = (p: number): number => Math.log(p / (1 - p));

interface Plant {
  grid: number;
  anchor: number; // 0..2 within the scale
  gx: number;
  gy: number;
  t: [number, number, number, number];
  obj: number;
  cls: number[];
}

// finest grid (8) uses anchors 0..2, grid 4 uses 3..5, grid 2 uses 6..8
const scaleOf = (grid: number): number => [8, 4, 2].indexOf(grid);

const PLANTS: Plant[] = [
  // A: happy face, grid 8, anchor 1 (8x8): centre cell (3, 2), width doubled
  { grid: 8, anchor: 1, gx: 3, gy: 2, t: [0, 0, Math.log(2), 0], obj: 0.9, cls: [0.8, 0.1, 0.1] },
  // A2: the same box from another anchor, lower score, surprised
  { grid: 8, anchor: 0, gx: 3, gy: 2, t: [0, 0, Math.log(16 / 4), Math.log(8 / 6)], obj: 0.7, cls: [0.1, 0.9, 0.1] },
  // B: a large neutral face on the coarsest grid, anchor 8 (50x60), cell (1, 0), offsets
  { grid: 2, anchor: 2, gx: 1, gy: 0, t: [logit(0.25), logit(0.75), 0, Math.log(0.5)], obj: 0.95, cls: [0.05, 0.2, 0.6] },
  // below the confidence threshold (0.9 * 0.3 = 0.27 < 0.4)
  { grid: 4, anchor: 1, gx: 0, gy: 3, t: [0, 0, 0, 0], obj: 0.9, cls: [0.3, 0.3, 0.3] },
];

function rawOutput(grid: number, layout: 'nchw' | 'nhwc'): { data: Float32Array; dims: number[] } {
  const data = new Float32Array(3 * PER * grid * grid).fill(-12); // nothing anywhere
  const set = (a: number, k: number, gy: number, gx: number, v: number): void => {
    const i = layout === 'nchw' ? (a * PER + k) * grid * grid + gy * grid + gx : (gy * grid + gx) * 3 * PER + a * PER + k;
    data[i] = v;
  };
  for (const p of PLANTS.filter((q) => q.grid === grid)) {
    p.t.forEach((v, k) => set(p.anchor, k, p.gy, p.gx, v));
    set(p.anchor, 4, p.gy, p.gx, logit(p.obj));
    p.cls.forEach((v, c) => set(p.anchor, 5 + c, p.gy, p.gx, logit(v)));
  }
  return { data, dims: layout === 'nchw' ? [1, 3 * PER, grid, grid] : [1, grid, grid, 3 * PER] };
}

function yoloModel(layout: 'nchw' | 'nhwc', inputLayout: 'nchw' | 'nhwc'): Uint8Array {
  const g = new GraphBuilder('yolo-test');
  const x = g.input('image', inputLayout === 'nchw' ? [1, 3, S, S] : [1, S, S, 3]);
  const mean = g.op('ReduceMean', [x], { keepdims: 1 });
  const zero = g.op('Mul', [mean, g.floatConst('zero', [0], [1])]);
  GRIDS.forEach((grid, i) => {
    const raw = rawOutput(grid, layout);
    g.op('Add', [zero, g.floatConst(`head${i}`, raw.data, raw.dims)], {}, 'add', `out_${grid}`);
    g.output(`out_${grid}`, raw.dims);
  });
  return encodeModel(g.model({ producerName: 'pokerface-test', producerVersion: '0' }));
}

/** Expected face for a plant, in frame pixels, for a 128x64 frame letterboxed into 64. */
function expected(p: Plant, frameW: number, frameH: number): { box: number[]; score: number; cls: number } {
  const [aw, ah] = ANCHORS[scaleOf(p.grid) * 3 + p.anchor]!;
  const sig = (v: number): number => 1 / (1 + Math.exp(-v));
  const cx = ((sig(p.t[0]) + p.gx) / p.grid) * S;
  const cy = ((sig(p.t[1]) + p.gy) / p.grid) * S;
  const w = aw * Math.exp(p.t[2]);
  const h = ah * Math.exp(p.t[3]);
  const scale = Math.min(S / frameW, S / frameH);
  const padX = (S - frameW * scale) / 2;
  const padY = (S - frameH * scale) / 2;
  const x1 = Math.max(0, (cx - w / 2 - padX) / scale);
  const y1 = Math.max(0, (cy - h / 2 - padY) / scale);
  const x2 = Math.min(frameW, (cx + w / 2 - padX) / scale);
  const y2 = Math.min(frameH, (cy + h / 2 - padY) / scale);
  let best = 0;
  p.cls.forEach((v, c) => (v > p.cls[best]! ? (best = c) : 0));
  return { box: [x1, y1, x2 - x1, y2 - y1], score: p.obj * p.cls[best]!, cls: best };
}

let ort: OrtBinding;
const dir = mkdtempSync(join(tmpdir(), 'pokerface-yolo-'));
beforeAll(async () => {
  ort = await loadOrt();
});
afterAll(() => rmSync(dir, { recursive: true, force: true }));

async function run(layout: 'nchw' | 'nhwc', inputLayout: 'nchw' | 'nhwc', classAgnosticNms: boolean, configLayout: 'auto' | 'nchw' | 'nhwc' = 'auto'): Promise<Face[]> {
  const file = join(dir, `yolo-${layout}-${inputLayout}.onnx`);
  writeFileSync(file, yoloModel(layout, inputLayout));
  const cfg = modelConfig({ kind: 'yolo', yolo: { file, inputSize: S, classes: CLASSES, anchors: ANCHORS, layout: configLayout, confThreshold: 0.4, nmsIou: 0.5, classAgnosticNms } });
  const p = await YoloPipeline.create(cfg, { ort, log: silentLogger });
  try {
    expect(p.info()).toMatchObject({ kind: 'yolo', provider: 'cpu' });
    return (await p.run(solidFrame(128, 64, [10, 20, 30]))).faces;
  } finally {
    await p.close();
  }
}

function check(faces: Face[], plants: Plant[]): void {
  expect(faces).toHaveLength(plants.length);
  plants.forEach((p, i) => {
    const e = expected(p, 128, 64);
    const f = faces[i]!;
    f.box.forEach((v, k) => expect(v).toBeCloseTo(e.box[k]!, 4));
    expect(f.score).toBeCloseTo(e.score, 5);
    CLASSES.forEach((c, k) => expect(f.emotions[c as 'happy']).toBeCloseTo(p.cls[k]!, 5));
  });
}

describe('YOLO one-stage decoding on onnxruntime', () => {
  it.each([
    ['nchw', 'nchw'],
    ['nhwc', 'nhwc'],
    ['nchw', 'nhwc'],
  ] as const)('%s outputs (%s input): class-agnostic NMS keeps one box per face', async (layout, inputLayout) => {
    const faces = await run(layout, inputLayout, true);
    // by score: A (0.9 * 0.8 = 0.72), then B (0.95 * 0.6 = 0.57); A2 (0.63) overlaps A
    check(faces, [PLANTS[0]!, PLANTS[2]!]);
  });

  it.each(['nchw', 'nhwc'] as const)('%s outputs: class-aware NMS keeps the overlapping box of another class', async (layout) => {
    const faces = await run(layout, 'nhwc', false);
    check(faces, [PLANTS[0]!, PLANTS[1]!, PLANTS[2]!]);
    expect(Object.entries(faces[1]!.emotions).sort((a, b) => b[1] - a[1])[0]![0]).toBe('surprised');
  });

  it('an explicit layout that does not fit the outputs is POKERFACE_ERR_MODEL_SHAPE', async () => {
    await expect(run('nhwc', 'nhwc', true, 'nchw')).rejects.toMatchObject({ code: 'POKERFACE_ERR_MODEL_SHAPE' });
  });

  it('a model file that is missing is POKERFACE_ERR_MODEL_MISSING; a wrong input size is POKERFACE_ERR_MODEL_SHAPE', async () => {
    const missing = modelConfig({ kind: 'yolo', yolo: { file: join(dir, 'nope.onnx') } });
    await expect(YoloPipeline.create(missing, { ort, log: silentLogger })).rejects.toMatchObject({ code: 'POKERFACE_ERR_MODEL_MISSING' });
    const file = join(dir, 'size.onnx');
    writeFileSync(file, yoloModel('nhwc', 'nhwc'));
    const wrong = modelConfig({ kind: 'yolo', yolo: { file, inputSize: 96, classes: CLASSES } });
    await expect(YoloPipeline.create(wrong, { ort, log: silentLogger })).rejects.toMatchObject({ code: 'POKERFACE_ERR_MODEL_SHAPE' });
  });

  it('runs through the worker-hosted Detector with model.kind yolo', async () => {
    const file = join(dir, 'worker.onnx');
    writeFileSync(file, yoloModel('nhwc', 'nhwc'));
    const cfg = modelConfig({ kind: 'yolo', yolo: { file, inputSize: S, classes: CLASSES, anchors: ANCHORS, confThreshold: 0.4 } });
    const d = new WorkerDetector({ config: cfg, log: silentLogger });
    try {
      await d.start();
      expect(d.info()).toMatchObject({ kind: 'yolo', provider: 'cpu', models: [{ file }] });
      check(await d.detect(solidFrame(128, 64, [1, 2, 3])), [PLANTS[0]!, PLANTS[2]!]);
    } finally {
      await d.close();
    }
  });
});
