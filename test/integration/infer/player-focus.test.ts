// The player's face is classified on every frame, whatever else is in view (issue: a
// larger, more central spectator used to be the pipeline's "main face", so the tracked
// player's emotions were carried over for up to otherFacesEvery-1 frames).
// Real onnxruntime, real worker, frames composed from the face-api demo photos: a small
// player on the left whose expression changes every frame, and a larger spectator in the
// middle whose face never changes.
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import sharp from 'sharp';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { WorkerDetector } from '../../../src/infer/detector.js';
import { silentLogger } from '../../../src/log.js';
import type { Face, Frame } from '../../../src/types.js';
import { modelConfig } from '../../unit/infer/helpers.js';
import { NOT_SMILING, SMILING, demoPhoto } from './demo-faces.js';

const MODELS = 'models';
const haveModels = existsSync(join(MODELS, 'manifest.json'));
const W = 640;
const H = 480;
const PLAYER = { left: 30, top: 150, size: 130 };
const SPECTATOR = { left: 250, top: 110, size: 250 };

async function faceTile(spec: readonly [number, number, number], size: number): Promise<Buffer> {
  const [photo, x, y] = spec;
  const half = 180;
  return sharp(demoPhoto(photo)).extract({ left: x - half, top: y - half, width: 2 * half, height: 2 * half }).resize(size, size).png().toBuffer();
}

async function compose(player: Buffer, spectator: Buffer, seq: number): Promise<Frame> {
  const data = await sharp({ create: { width: W, height: H, channels: 3, background: { r: 128, g: 128, b: 128 } } })
    .composite([
      { input: spectator, left: SPECTATOR.left, top: SPECTATOR.top },
      { input: player, left: PLAYER.left, top: PLAYER.top },
    ])
    .removeAlpha()
    .raw()
    .toBuffer();
  return { seq, ts: seq * 33, width: W, height: H, format: 'rgb24', data: new Uint8Array(data) };
}

const isPlayer = (f: Face): boolean => f.box[0] + f.box[2] / 2 < SPECTATOR.left;
const happy = (faces: Face[]): number => faces.find(isPlayer)?.emotions.happy ?? Number.NaN;

describe.skipIf(!haveModels)('the tracked player is classified on every frame', () => {
  const frames: Frame[] = [];
  let reference: WorkerDetector;
  let booth: WorkerDetector;

  beforeAll(async () => {
    const spectator = await faceTile(NOT_SMILING[0] as readonly [number, number, number], SPECTATOR.size);
    const smile = await faceTile(SMILING[0] as readonly [number, number, number], PLAYER.size);
    const straight = await faceTile(NOT_SMILING[2] as readonly [number, number, number], PLAYER.size);
    for (let i = 0; i < 10; i++) frames.push(await compose(i % 2 === 0 ? straight : smile, spectator, i));
    const cfg = { dir: MODELS, detector: { variant: 'back' } };
    reference = new WorkerDetector({ config: modelConfig({ ...cfg, classifier: { otherFacesEvery: 1 } }), log: silentLogger });
    booth = new WorkerDetector({ config: modelConfig({ ...cfg, classifier: { otherFacesEvery: 5 } }), log: silentLogger });
    await Promise.all([reference.start(), booth.start()]);
  }, 120_000);
  afterAll(async () => {
    await reference?.close();
    await booth?.close();
  });

  it('the spectator is the larger, more central face, and the player changes expression every frame', async () => {
    const first = await reference.detect(frames[0] as Frame);
    expect(first).toHaveLength(2);
    const p = first.find(isPlayer) as Face;
    const s = first.find((f) => !isPlayer(f)) as Face;
    expect(s.box[2] * s.box[3]).toBeGreaterThan(2 * p.box[2] * p.box[3]);
    const h0 = happy(first);
    const h1 = happy(await reference.detect(frames[1] as Frame));
    // a smile against a straight face: carrying one over to the other would show
    expect(h1 - h0).toBeGreaterThan(0.3);
  });

  it('with the tracked box as focus, the player emotions on every frame are that frame\'s own', async () => {
    let focus: readonly [number, number, number, number] | null = null;
    for (const f of frames) {
      const want = await reference.detect(f);
      const got = await booth.detect(f, focus);
      const player = got.find(isPlayer);
      expect(player, `frame ${f.seq}`).toBeDefined();
      expect(Math.abs(happy(got) - happy(want)), `frame ${f.seq}`).toBeLessThan(1e-3);
      focus = (player as Face).box; // what the judge's track follows
    }
  });

  it('without a focus the spectator is the main face and the player is stale on most frames (what the focus fixes)', async () => {
    let stale = 0;
    for (const f of frames) {
      const want = happy(await reference.detect(f));
      if (Math.abs(happy(await booth.detect(f)) - want) > 0.1) stale++;
    }
    expect(stale).toBeGreaterThanOrEqual(4);
  });
});
