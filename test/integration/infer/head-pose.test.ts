// Head pose on real faces through the shipped pipeline (real onnxruntime, the worker):
// the face-api demo photos' frontal faces face the screen, its one real profile does not;
// turning a photo in its plane (roll) changes little; squeezing one side of a frontal
// face (a head turning, seen flat) moves the yaw the way of the turn, and the mirror
// image moves it the other way. Expectations are what a person sees, and the default
// limits of the attention check (game.lookAwayYawDeg / lookAwayPitchDeg).
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import sharp from 'sharp';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { defaultConfig } from '../../../src/config/load.js';
import { WorkerDetector } from '../../../src/infer/detector.js';
import { decodeImage } from '../../../src/infer/image.js';
import { silentLogger } from '../../../src/log.js';
import type { Face, Frame } from '../../../src/types.js';
import { modelConfig } from '../../unit/infer/helpers.js';
import { demoPhoto } from './demo-faces.js';

const haveModels = existsSync(join('models', 'manifest.json'));
const { lookAwayYawDeg, lookAwayPitchDeg } = defaultConfig().game;
const facing = (f: Face): boolean => Math.abs(f.pose!.yaw) <= lookAwayYawDeg && Math.abs(f.pose!.pitch) <= lookAwayPitchDeg;
const at = (faces: Face[], x: number, y: number): Face | undefined => faces.find((f) => x >= f.box[0] && x <= f.box[0] + f.box[2] && y >= f.box[1] && y <= f.box[1] + f.box[3]);

// [photo, x, y, size]: a face's box (about) in full-size photo pixels, looking at the camera
const FRONTAL: ReadonlyArray<readonly [number, number, number, number]> = [
  [1, 1494, 270, 148],
  [3, 590, 388, 200],
  [5, 356, 941, 204],
  [6, 1151, 353, 227],
];
/** sample2's left face: a woman in profile, looking to the image's left */
const PROFILE = [2, 450, 290] as const;

const raw = (data: Buffer, width: number, height: number): Frame => ({ seq: 0, ts: 0, width, height, format: 'rgb24', data: new Uint8Array(data.buffer, data.byteOffset, data.byteLength) });

/** The face with margin, as a square rgb crop. */
async function crop(photo: number, x: number, y: number, s: number): Promise<{ data: Buffer; size: number; cx: number }> {
  const m = Math.round(s * 0.8);
  const left = Math.max(0, x - m);
  const top = Math.max(0, y - m);
  const size = s + 2 * m;
  const data = await sharp(demoPhoto(photo)).extract({ left, top, width: size, height: size }).removeAlpha().raw().toBuffer();
  return { data, size, cx: Math.round(x + s / 2 - left) };
}

/** Squeeze the part left of the face centre to k of its width (a head turning to the image's left, seen flat), padded back to a square. */
async function squeezeLeft(c: { data: Buffer; size: number; cx: number }, k: number): Promise<Buffer> {
  const { data, size, cx } = c;
  const img = (): ReturnType<typeof sharp> => sharp(data, { raw: { width: size, height: size, channels: 3 } });
  const lw = Math.max(1, Math.round(cx * k));
  const l = await img().extract({ left: 0, top: 0, width: cx, height: size }).resize(lw, size, { fit: 'fill' }).raw().toBuffer();
  const r = await img().extract({ left: cx, top: 0, width: size - cx, height: size }).raw().toBuffer();
  const x0 = size - (lw + size - cx);
  return sharp({ create: { width: size, height: size, channels: 3, background: '#000' } })
    .composite([
      { input: l, raw: { width: lw, height: size, channels: 3 }, left: x0, top: 0 },
      { input: r, raw: { width: size - cx, height: size, channels: 3 }, left: x0 + lw, top: 0 },
    ])
    .removeAlpha()
    .raw()
    .toBuffer();
}

describe.skipIf(!haveModels)('head pose on the face-api demo photos', () => {
  let detector: WorkerDetector;
  const one = async (f: Frame): Promise<Face> => {
    const faces = await detector.detect(f);
    expect(faces.length).toBeGreaterThanOrEqual(1);
    const main = faces.reduce((a, b) => (b.box[2] * b.box[3] > a.box[2] * a.box[3] ? b : a));
    expect(main.pose).toBeDefined();
    return main;
  };

  beforeAll(async () => {
    detector = new WorkerDetector({ config: modelConfig({ dir: 'models', detector: { variant: 'back' } }), log: silentLogger });
    await detector.start();
  }, 120_000);
  afterAll(async () => {
    await detector?.close();
  });

  it('faces looking at the camera face the screen; the profile in sample2 looks away', async () => {
    for (const [i, x, y, s] of FRONTAL) {
      const faces = await detector.detect(await decodeImage(demoPhoto(i)));
      const f = at(faces, x + s / 2, y + s / 2);
      expect(f, `sample${i} face at ${x},${y}`).toBeDefined();
      expect(facing(f!), `sample${i} face at ${x},${y}: ${JSON.stringify(f!.pose)}`).toBe(true);
    }
    const faces = await detector.detect(await decodeImage(demoPhoto(PROFILE[0])));
    const p = at(faces, PROFILE[1], PROFILE[2]);
    expect(p).toBeDefined();
    expect(facing(p!), JSON.stringify(p!.pose)).toBe(false);
    // she looks to the image's left
    expect(p!.pose!.yaw).toBeLessThan(-lookAwayYawDeg);
  }, 120_000);

  it('a photo turned in its plane (a tilted head) still faces the screen, with about the same yaw', async () => {
    for (const [i, x, y, s] of FRONTAL) {
      const c = await crop(i, x, y, s);
      const base = await one(raw(c.data, c.size, c.size));
      for (const deg of [-25, 25]) {
        const { data, info } = await sharp(c.data, { raw: { width: c.size, height: c.size, channels: 3 } }).rotate(deg, { background: '#000' }).removeAlpha().raw().toBuffer({ resolveWithObject: true });
        const f = await one(raw(data, info.width, info.height));
        expect(facing(f), `sample${i} rolled ${deg}: ${JSON.stringify(f.pose)}`).toBe(true);
        expect(Math.abs(f.pose!.yaw - base.pose!.yaw), `sample${i} rolled ${deg}`).toBeLessThan(10);
      }
    }
  }, 120_000);

  it('squeezing one side of a face moves the yaw towards that side, and its mirror image the other way', async () => {
    for (const [i, x, y, s] of FRONTAL) {
      const c = await crop(i, x, y, s);
      const base = (await one(raw(c.data, c.size, c.size))).pose!.yaw;
      const turned = (await one(raw(await squeezeLeft(c, 0.4), c.size, c.size))).pose!.yaw;
      expect(turned, `sample${i}: ${base} -> ${turned}`).toBeLessThan(base - 5);
      const mirrored = await sharp(await squeezeLeft(c, 0.4), { raw: { width: c.size, height: c.size, channels: 3 } }).flop().raw().toBuffer();
      const back = (await one(raw(mirrored, c.size, c.size))).pose!.yaw;
      // the mirror image turns the other way: past the mirrored untouched face
      expect(back, `sample${i} mirrored: ${turned} -> ${back}`).toBeGreaterThan(Math.max(0, -base));
    }
  }, 120_000);
});
