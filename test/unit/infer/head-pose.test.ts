// Head pose from the six BlazeFace keypoints: a rigid head turned in 3-D and projected
// gives back its yaw and pitch (roughly: the model is an average head), roll does not
// leak into them, and degenerate points give null.
import { describe, expect, it } from 'vitest';
import { headPose, headPoseOf } from '../../../src/infer/head-pose.js';

// an average head in arbitrary units: x to the image's right, y down, z towards the camera
// (right eye, left eye, nose tip, mouth, right tragion, left tragion; subject's right is image left)
const HEAD: ReadonlyArray<readonly [number, number, number]> = [
  [-32, 0, 0], [32, 0, 0], [0, 36, 30], [0, 66, 0], [-75, 20, -70], [75, 20, -70],
];

/** Keypoints of HEAD turned by yaw (about y), pitch (about x, positive: looking down) and roll, seen from the front. */
function project(yawDeg: number, pitchDeg: number, rollDeg = 0, scale = 2, at: [number, number] = [320, 240]): number[] {
  const [a, b, c] = [yawDeg, pitchDeg, rollDeg].map((d) => (d * Math.PI) / 180) as [number, number, number];
  const out: number[] = [];
  for (const [x0, y0, z0] of HEAD) {
    // yaw: the nose (z > 0) moves to +x for a positive yaw
    const x1 = x0 * Math.cos(a) + z0 * Math.sin(a);
    const z1 = -x0 * Math.sin(a) + z0 * Math.cos(a);
    // pitch: looking down moves the nose (z > 0) to +y
    const y2 = y0 * Math.cos(b) + z1 * Math.sin(b);
    // roll in the image plane
    const x3 = x1 * Math.cos(c) - y2 * Math.sin(c);
    const y3 = x1 * Math.sin(c) + y2 * Math.cos(c);
    out.push(at[0] + x3 * scale, at[1] + y3 * scale);
  }
  return out;
}

describe('headPose', () => {
  it('a frontal head is about (0, 0)', () => {
    const p = headPose(project(0, 0))!;
    expect(Math.abs(p.yaw)).toBeLessThan(3);
    expect(Math.abs(p.pitch)).toBeLessThan(5);
  });

  it('follows yaw in sign and roughly in size', () => {
    for (const yaw of [-60, -30, -15, 15, 30, 60]) {
      const p = headPose(project(yaw, 0))!;
      expect(Math.sign(p.yaw), `yaw ${yaw}`).toBe(Math.sign(yaw));
      expect(Math.abs(p.yaw - yaw), `yaw ${yaw}: ${p.yaw}`).toBeLessThan(12);
    }
  });

  it('follows pitch in sign and roughly in size', () => {
    for (const pitch of [-40, -20, 20, 40]) {
      const p = headPose(project(0, pitch))!;
      expect(Math.sign(p.pitch), `pitch ${pitch}`).toBe(Math.sign(pitch));
      expect(Math.abs(p.pitch - pitch), `pitch ${pitch}: ${p.pitch}`).toBeLessThan(12);
    }
  });

  it('a tilted head (roll) reads as the same yaw and pitch', () => {
    for (const roll of [-30, -10, 10, 30]) {
      for (const [yaw, pitch] of [[0, 0], [40, 0], [0, 30]] as const) {
        const flat = headPose(project(yaw, pitch))!;
        const rolled = headPose(project(yaw, pitch, roll))!;
        expect(Math.abs(rolled.yaw - flat.yaw)).toBeLessThan(1e-6);
        expect(Math.abs(rolled.pitch - flat.pitch)).toBeLessThan(1e-6);
      }
    }
  });

  it('does not depend on scale or position', () => {
    const a = headPose(project(25, -15, 0, 1, [0, 0]))!;
    const b = headPose(project(25, -15, 0, 7.5, [1000, 50]))!;
    expect(b.yaw).toBeCloseTo(a.yaw, 6);
    expect(b.pitch).toBeCloseTo(a.pitch, 6);
  });

  it('gives null for too few or degenerate points, and reads Face keypoint pairs', () => {
    expect(headPose([1, 2, 3])).toBeNull();
    expect(headPose(new Array(12).fill(5))).toBeNull();
    expect(headPoseOf(undefined)).toBeNull();
    const flat = project(30, 10);
    const pairs: Array<[number, number]> = [];
    for (let i = 0; i < 12; i += 2) pairs.push([flat[i]!, flat[i + 1]!]);
    expect(headPoseOf(pairs)).toEqual(headPose(flat));
  });
});
