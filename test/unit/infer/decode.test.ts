import { describe, expect, it } from 'vitest';
import { BLAZEFACE_ANCHORS, ssdAnchors } from '../../../src/infer/anchors.js';
import { decodeBlazeFace, sigmoid, type BlazeFaceOutputs } from '../../../src/infer/blazeface.js';
import { iou, nms, weightedNms, type Detection } from '../../../src/infer/nms.js';

const det = (x: number, y: number, w: number, h: number, score: number, cls = -1, kps: number[] = []): Detection => ({ x, y, w, h, score, cls, kps });

describe('SSD anchors', () => {
  it.each(['front', 'back'] as const)('%s: 16x16x2 + 8x8x6 = 896 anchors in output order', (v) => {
    const a = ssdAnchors(BLAZEFACE_ANCHORS[v]);
    expect(a.length).toBe(896 * 2);
    // first grid: 2 anchors per cell, row-major
    expect([a[0], a[1], a[2], a[3]]).toEqual([0.5 / 16, 0.5 / 16, 0.5 / 16, 0.5 / 16]);
    expect([a[4], a[5]]).toEqual([1.5 / 16, 0.5 / 16]);
    expect([a[32 * 2], a[32 * 2 + 1]]).toEqual([0.5 / 16, 1.5 / 16]); // second row starts at anchor 32
    // second grid starts at anchor 512, 6 per cell
    expect([a[1024], a[1025]]).toEqual([0.5 / 8, 0.5 / 8]);
    expect([a[1024 + 12], a[1024 + 13]]).toEqual([1.5 / 8, 0.5 / 8]);
    expect([a[895 * 2], a[895 * 2 + 1]]).toEqual([7.5 / 8, 7.5 / 8]);
  });
});

function emptyOutputs(): BlazeFaceOutputs {
  return { scores16: new Float32Array(512).fill(-20), scores8: new Float32Array(384).fill(-20), boxes16: new Float32Array(512 * 16), boxes8: new Float32Array(384 * 16) };
}

describe('BlazeFace decoding', () => {
  const anchors = ssdAnchors(BLAZEFACE_ANCHORS.front);
  const opts = { inputSize: 128, scoreThreshold: 0.5, nmsIou: 0.3, weighted: false, maxFaces: 10 };

  it('decodes box and keypoints relative to the anchor, in input pixels / size', () => {
    const o = emptyOutputs();
    const i = (1 * 8 + 5) * 6 + 3; // second grid: cell x=5, y=1, anchor 3
    const cellY = Math.floor(i / 6 / 8);
    const cellX = Math.floor(i / 6) % 8;
    o.scores8[i] = 2;
    const r = [4, -8, 32, 48, -10, -10, 10, -10, 0, 0, 0, 12, -20, 0, 20, 0];
    o.boxes8.set(r, i * 16);
    const [d] = decodeBlazeFace(o, anchors, opts);
    const ax = (cellX + 0.5) / 8;
    const ay = (cellY + 0.5) / 8;
    expect(d).toBeDefined();
    expect(d!.score).toBeCloseTo(sigmoid(2), 6);
    expect(d!.w).toBeCloseTo(32 / 128, 6);
    expect(d!.h).toBeCloseTo(48 / 128, 6);
    expect(d!.x + d!.w / 2).toBeCloseTo(ax + 4 / 128, 6);
    expect(d!.y + d!.h / 2).toBeCloseTo(ay - 8 / 128, 6);
    expect(d!.kps).toHaveLength(12);
    expect(d!.kps[0]).toBeCloseTo(ax - 10 / 128, 6); // right eye
    expect(d!.kps[3]).toBeCloseTo(ay - 10 / 128, 6); // left eye y
    expect(d!.kps[7]).toBeCloseTo(ay + 12 / 128, 6); // mouth y
  });

  it('applies the score threshold after the sigmoid, and clips extreme logits', () => {
    const o = emptyOutputs();
    o.scores16[10] = Math.log(0.49 / 0.51);
    o.boxes16.set([0, 0, 10, 10], 10 * 16);
    o.scores16[300] = 1e6;
    o.boxes16.set([0, 0, 10, 10], 300 * 16);
    const d = decodeBlazeFace(o, anchors, opts);
    expect(d).toHaveLength(1);
    expect(d[0]!.score).toBeCloseTo(1, 6);
    expect(Number.isFinite(d[0]!.score)).toBe(true);
  });

  it('merges overlapping anchors (weighted) or keeps the best (plain)', () => {
    const o = emptyOutputs();
    // two neighbouring anchors of the same cell predicting nearly the same face
    o.scores16[100] = 3;
    o.scores16[101] = 1;
    o.boxes16.set([0, 0, 40, 40], 100 * 16);
    o.boxes16.set([4, 0, 40, 40], 101 * 16);
    const plain = decodeBlazeFace(o, anchors, opts);
    const weighted = decodeBlazeFace(o, anchors, { ...opts, weighted: true });
    expect(plain).toHaveLength(1);
    expect(weighted).toHaveLength(1);
    const s1 = sigmoid(3);
    const s2 = sigmoid(1);
    const cx = (anchors[200]! + anchors[202]!) / 2; // same cell, same centre
    expect(plain[0]!.x + plain[0]!.w / 2).toBeCloseTo(cx, 6);
    expect(weighted[0]!.x + weighted[0]!.w / 2).toBeCloseTo(cx + ((4 / 128) * s2) / (s1 + s2), 6);
    expect(weighted[0]!.score).toBeCloseTo(s1, 6);
  });

  it('rejects anchors that do not match the outputs', () => {
    expect(() => decodeBlazeFace(emptyOutputs(), new Float32Array(10), opts)).toThrow(/anchor count/);
  });
});

describe('NMS', () => {
  it('iou of identical, disjoint and half-overlapping boxes', () => {
    expect(iou(det(0, 0, 10, 10, 1), det(0, 0, 10, 10, 1))).toBe(1);
    expect(iou(det(0, 0, 10, 10, 1), det(20, 0, 10, 10, 1))).toBe(0);
    expect(iou(det(0, 0, 10, 10, 1), det(5, 0, 10, 10, 1))).toBeCloseTo(50 / 150, 9);
  });

  it('plain: keeps the best of an overlapping group, keeps separate boxes, respects maxOut', () => {
    const d = [det(0, 0, 10, 10, 0.6), det(1, 0, 10, 10, 0.9), det(50, 50, 10, 10, 0.7), det(80, 80, 5, 5, 0.5)];
    const k = nms(d, 0.5, 10);
    expect(k.map((x) => x.score)).toEqual([0.9, 0.7, 0.5]);
    expect(nms(d, 0.5, 2)).toHaveLength(2);
  });

  it('class-aware NMS keeps overlapping boxes of different classes; class-agnostic does not', () => {
    const d = [det(0, 0, 10, 10, 0.9, 0), det(0, 0, 10, 10, 0.8, 1), det(0, 0, 10, 10, 0.7, 0)];
    expect(nms(d, 0.5, 10, true).map((x) => x.cls)).toEqual([0, 1]);
    expect(nms(d, 0.5, 10, false).map((x) => x.score)).toEqual([0.9]);
  });

  it('weighted: score-weighted mean of box and keypoints, best score kept', () => {
    const d = [det(0, 0, 10, 10, 0.75, -1, [1, 1]), det(2, 0, 10, 10, 0.25, -1, [5, 1]), det(100, 0, 10, 10, 0.5, -1, [0, 0])];
    const k = weightedNms(d, 0.3, 10);
    expect(k).toHaveLength(2);
    expect(k[0]!.x).toBeCloseTo(0.5, 9);
    expect(k[0]!.kps[0]).toBeCloseTo(2, 9);
    expect(k[0]!.score).toBe(0.75);
    expect(k[1]!.x).toBe(100);
  });
});
