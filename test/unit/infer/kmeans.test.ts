import { describe, expect, it } from 'vitest';
import { kmeansAnchors, parseLabels, whIou, type WH } from '../../../src/infer/kmeans.js';

describe('anchor k-means (1 - IoU)', () => {
  it('IoU of boxes sharing a centre', () => {
    expect(whIou([10, 10], [10, 10])).toBe(1);
    expect(whIou([10, 10], [5, 10])).toBe(0.5);
  });

  it('recovers well-separated size clusters, sorted by area, deterministically', () => {
    const centres: WH[] = [[10, 12], [20, 18], [30, 40], [50, 45], [60, 90], [100, 80], [120, 160], [200, 150], [300, 280]];
    const boxes: WH[] = [];
    centres.forEach(([w, h], i) => {
      for (let k = 0; k < 20; k++) boxes.push([w * (1 + ((k % 5) - 2) * 0.01), h * (1 + (((k + i) % 3) - 1) * 0.01)]);
    });
    const a = kmeansAnchors(boxes, 9);
    expect(a.anchors).toHaveLength(9);
    a.anchors.forEach(([w, h], i) => {
      expect(w).toBeCloseTo(centres[i]![0], -1);
      expect(h).toBeCloseTo(centres[i]![1], -1);
    });
    expect(a.meanIou).toBeGreaterThan(0.95);
    expect(kmeansAnchors(boxes, 9).anchors).toEqual(a.anchors);
  });

  it('parses YOLO (normalised) and keras-yolo3 (pixel) label lines', () => {
    expect(parseLabels('0 0.5 0.5 0.25 0.5\n# comment\n\n1 0.1 0.1 0.1 0.2\n', 224)).toEqual([[56, 112], [22.400000000000002, 44.800000000000004]]);
    expect(parseLabels('img/a.jpg 10,20,50,80,0 0,0,30,30,2\n', 224)).toEqual([[40, 60], [30, 30]]);
  });

  it('needs at least k boxes', () => {
    expect(() => kmeansAnchors([[1, 1]], 9)).toThrow(/at least 9/);
  });
});
