// What the HDMI output shows, checked on real pixels: the daemon plays a demo round with
// mpv drawing into Xvfb (test/e2e/screen-harness.ts), and each grab is read back. The
// regions are those of the HUD's 1280x720 layout (src/player/hud.ts).
import { rmSync } from 'node:fs';
import sharp from 'sharp';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { HUD_H } from '../../src/player/hud.js';
import { FACE_SIZE } from '../../src/player/screen.js';
import { tempDir } from './harness.js';
import { SCREEN_H, SCREEN_W, haveXvfb, playScreenRound, type Shots } from './screen-harness.js';

interface Img { data: Buffer; width: number }
interface Box { x: number; y: number; w: number; h: number }

const decode = async (png: Buffer): Promise<Img> => {
  const { data, info } = await sharp(png).removeAlpha().raw().toBuffer({ resolveWithObject: true });
  return { data, width: info.width };
};

/** Share of pixels in box that pass test. */
function share(img: Img, b: Box, test: (r: number, g: number, bl: number) => boolean): number {
  let n = 0;
  for (let y = b.y; y < b.y + b.h; y++) {
    for (let x = b.x; x < b.x + b.w; x++) {
      const i = (y * img.width + x) * 3;
      if (test(img.data[i]!, img.data[i + 1]!, img.data[i + 2]!)) n++;
    }
  }
  return n / (b.w * b.h);
}

/** Mean absolute difference of two images over box (0..255). */
function diff(a: Img, c: Img, b: Box): number {
  let s = 0;
  for (let y = b.y; y < b.y + b.h; y++) {
    for (let x = b.x; x < b.x + b.w; x++) {
      const i = (y * a.width + x) * 3;
      s += Math.abs(a.data[i]! - c.data[i]!) + Math.abs(a.data[i + 1]! - c.data[i + 1]!) + Math.abs(a.data[i + 2]! - c.data[i + 2]!);
    }
  }
  return s / (3 * b.w * b.h);
}

const red = (r: number, g: number, b: number): boolean => r > 180 && g < 110 && b < 110;
const white = (r: number, g: number, b: number): boolean => r > 220 && g > 220 && b > 220;
const dark = (r: number, g: number, b: number): boolean => r < 40 && g < 40 && b < 40;

// the screen is the HUD's canvas (1280x720): no scaling between them
const METER: Box = { x: 150, y: HUD_H - 85, w: 980, h: 24 };
const HOLD: Box = { x: 145, y: HUD_H - 90 + 34 + 5, w: 990, h: 10 };
const HEADLINE: Box = { x: 400, y: 110, w: 480, h: 80 };
const FACE: Box = { x: (SCREEN_W - FACE_SIZE) / 2 + 10, y: Math.round(SCREEN_H * 0.42) + 10, w: FACE_SIZE - 20, h: FACE_SIZE - 20 };
const TITLE: Box = { x: 180, y: 150, w: 920, h: 80 };
const COUNT: Box = { x: 540, y: 260, w: 200, h: 200 };

describe.skipIf(!haveXvfb())('the player screen, grabbed from Xvfb', () => {
  const dir = tempDir('screen');
  const img = {} as Record<keyof Shots, Img>;

  beforeAll(async () => {
    const shots = await playScreenRound({ dir });
    for (const [k, v] of Object.entries(shots)) img[k as keyof Shots] = await decode(v);
  }, 300_000);
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  it('the meter is empty on a straight face and fills red, with the hold bar, on a smile', () => {
    expect(share(img.neutral, METER, red)).toBeLessThan(0.05);
    expect(share(img.smiling, METER, red)).toBeGreaterThan(0.6);
    expect(share(img.neutral, HOLD, red)).toBeLessThan(0.05);
    expect(share(img.smiling, HOLD, red)).toBeGreaterThan(0.03);
    expect(diff(img.neutral, img.smiling, METER)).toBeGreaterThan(40);
  });

  it('the result headline (red CRACKED) stands where the clip was, with the crack cam picture under it', () => {
    expect(diff(img.result, img.neutral, HEADLINE)).toBeGreaterThan(40);
    expect(share(img.result, HEADLINE, red)).toBeGreaterThan(0.05);
    // the face picture: a patch of not-black on the black result screen, beside which it is black
    expect(share(img.result, { ...FACE, x: FACE.x - FACE_SIZE }, dark)).toBeGreaterThan(0.9);
    expect(share(img.result, { ...FACE, x: FACE.x + FACE_SIZE }, dark)).toBeGreaterThan(0.9);
    expect(share(img.result, FACE, dark)).toBeLessThan(0.5);
  });

  it('the countdown shows a big number on black; the attract screen its title over the loop', () => {
    expect(share(img.countdown, COUNT, white)).toBeGreaterThan(0.1);
    expect(share(img.countdown, { x: 0, y: 300, w: 300, h: 300 }, dark)).toBeGreaterThan(0.95);
    expect(share(img.attract, TITLE, white)).toBeGreaterThan(0.15);
    // today's figures (green line) after the round
    expect(share(img.attract, { x: 300, y: 590, w: 680, h: 40 }, (r, g, b) => g > 170 && r < 140 && b < 140)).toBeGreaterThan(0.03);
  });
});
