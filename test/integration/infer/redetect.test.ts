// Detection is skipped while the player's face holds still (model.detector.redetectEvery)
// and the kept box is classified instead; a face that leaves must still be reported lost
// at once (its crop changes: redetectChange) or, with that check off, within
// redetectEvery frames, well inside the judge's face-lost rule. Real onnxruntime, frames
// composed from a face-api demo photo.
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import sharp from 'sharp';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { loadOrt } from '../../../src/infer/onnx.js';
import type { PipelineResult } from '../../../src/infer/pipeline.js';
import { TwoStagePipeline } from '../../../src/infer/two-stage-pipeline.js';
import { silentLogger } from '../../../src/log.js';
import type { Frame } from '../../../src/types.js';
import { modelConfig } from '../../unit/infer/helpers.js';
import { SMILING, demoPhoto } from './demo-faces.js';

const MODELS = 'models';
const haveModels = existsSync(join(MODELS, 'manifest.json'));
const W = 640;
const H = 480;
const EVERY = 6;

async function frameWith(face: Buffer | null, left: number, top: number): Promise<Frame> {
  const base = sharp({ create: { width: W, height: H, channels: 3, background: { r: 110, g: 120, b: 130 } } });
  const data = await (face ? base.composite([{ input: face, left, top }]) : base).removeAlpha().raw().toBuffer();
  return { seq: 0, ts: 0, width: W, height: H, format: 'rgb24', data: new Uint8Array(data) };
}

describe.skipIf(!haveModels)('detection skipped while the face holds still', () => {
  let face: Buffer;
  let present: Frame;
  let moved: Frame;
  let empty: Frame;
  const pipes: TwoStagePipeline[] = [];
  const create = async (model: Record<string, unknown>): Promise<TwoStagePipeline> => {
    const p = await TwoStagePipeline.create(modelConfig({ dir: MODELS, ...model }), { ort: await loadOrt(), log: silentLogger });
    pipes.push(p);
    return p;
  };

  beforeAll(async () => {
    const [photo, x, y] = SMILING[7] as readonly [number, number, number];
    face = await sharp(demoPhoto(photo)).extract({ left: x - 180, top: y - 180, width: 360, height: 360 }).resize(220, 220).png().toBuffer();
    present = await frameWith(face, 210, 130);
    moved = await frameWith(face, 290, 150);
    empty = await frameWith(null, 0, 0);
  }, 60_000);
  afterAll(async () => {
    for (const p of pipes) await p.close();
  });

  it('detects every redetectEvery-th frame of a still face, and the kept box gives the same emotions', async () => {
    const tracked = await create({ detector: { redetectEvery: EVERY } });
    const exact = await create({ detector: { redetectEvery: 1 } });
    const detected: boolean[] = [];
    for (let i = 0; i < 2 * EVERY; i++) {
      const r = await tracked.run(present);
      const want = await exact.run(present);
      detected.push(r.timings.detect > 0);
      expect(r.faces).toHaveLength(1);
      expect(r.faces[0]?.box).toEqual(want.faces[0]?.box);
      expect(r.faces[0]?.emotions.happy).toBeCloseTo(want.faces[0]?.emotions.happy as number, 5);
      expect(r.faces[0]?.emotions.happy).toBeGreaterThan(0.5);
    }
    expect(detected).toEqual(Array.from({ length: 2 * EVERY }, (_, i) => i % EVERY === 0));
  });

  it('a face that leaves is reported lost on the first frame without it (its crop changed)', async () => {
    const p = await create({ detector: { redetectEvery: EVERY } });
    for (let i = 0; i < 3; i++) expect((await p.run(present)).faces).toHaveLength(1);
    const gone = await p.run(empty);
    expect(gone.faces).toEqual([]);
    expect(gone.timings.detect).toBeGreaterThan(0);
  });

  it('with the change check off, a face that leaves is reported lost within redetectEvery frames', async () => {
    const p = await create({ detector: { redetectEvery: EVERY, redetectChange: 255 } });
    expect((await p.run(present)).faces).toHaveLength(1);
    const results: PipelineResult[] = [];
    for (let i = 0; i < EVERY; i++) results.push(await p.run(empty));
    const lostAt = results.findIndex((r) => r.faces.length === 0);
    expect(lostAt).toBeGreaterThanOrEqual(0);
    expect(lostAt).toBeLessThan(EVERY);
    // and it stays lost: nothing is kept from a detection that found no face
    expect(results.slice(lostAt).every((r) => r.faces.length === 0)).toBe(true);
  });

  it('a face that moves is detected again at once and its box follows', async () => {
    const p = await create({ detector: { redetectEvery: EVERY } });
    const before = (await p.run(present)).faces[0]?.box as readonly number[];
    await p.run(present);
    const r = await p.run(moved);
    expect(r.timings.detect).toBeGreaterThan(0);
    const after = r.faces[0]?.box as readonly number[];
    expect((after[0] as number) - (before[0] as number)).toBeGreaterThan(60);
  });

  it('a focus on another face than the kept one makes the frame detect again', async () => {
    const p = await create({ detector: { redetectEvery: EVERY } });
    await p.run(present);
    const r = await p.run(present, [500, 300, 100, 100]);
    expect(r.timings.detect).toBeGreaterThan(0);
  });

  /** `present` with sensor-like noise of +-1 level that differs frame to frame (a still player). */
  function jittered(i: number): Frame {
    const data = Uint8Array.from(present.data, (v, j) => Math.min(255, Math.max(0, v + (((j * 7 + i * 13) % 3) - 1))));
    return { ...present, data };
  }

  it('with classifier.playerEvery 2 a still player is classified on every other kept frame; the others repeat its emotions', async () => {
    const p = await create({ detector: { redetectEvery: EVERY }, classifier: { playerEvery: 2 } });
    const happy: number[] = [];
    const detected: boolean[] = [];
    const classified: Array<number | undefined> = [];
    for (let i = 0; i < EVERY; i++) {
      const r = await p.run(jittered(i));
      expect(r.faces).toHaveLength(1);
      happy.push(r.faces[0]?.emotions.happy as number);
      detected.push(r.timings.detect > 0);
      classified.push(r.timings.classified);
    }
    expect(detected).toEqual([true, false, false, false, false, false]);
    expect(classified).toEqual([1, 0, 1, 0, 1, 0]);
    // the noise moves the scores a little on every classified frame; a repeated frame is equal
    const repeated = happy.map((v, i) => i > 0 && v === happy[i - 1]);
    expect(repeated).toEqual([false, true, false, true, false, true]);
    expect(Math.min(...happy)).toBeGreaterThan(0.5);
  });

  it('with classifier.playerEvery 1 every frame is classified', async () => {
    const p = await create({ detector: { redetectEvery: EVERY }, classifier: { playerEvery: 1 } });
    const happy: number[] = [];
    for (let i = 0; i < 4; i++) happy.push((await p.run(jittered(i))).faces[0]?.emotions.happy as number);
    expect(happy.map((v, i) => i > 0 && v === happy[i - 1])).toEqual([false, false, false, false]);
  });

  it('with classifier.playerEvery 2 a frame whose crop changed is classified even where it would repeat', async () => {
    const p = await create({ detector: { redetectEvery: EVERY }, classifier: { playerEvery: 2 } });
    const first = await p.run(present);
    const r = await p.run(moved); // the frame after a detection: a still one would repeat
    expect(r.timings.detect).toBeGreaterThan(0);
    expect(r.faces[0]?.emotions.happy).not.toBe(first.faces[0]?.emotions.happy);
  });
});
