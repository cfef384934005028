// What aligning face crops (rotating so the eyes are level) changes on tilted faces: the
// smiling demo faces, with the photos rotated by -20 and +20 degrees, classified with
// and without alignment. Prints the per-face happy probabilities and a summary.
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { decodeImage } from '../../../src/infer/image.js';
import { loadOrt } from '../../../src/infer/onnx.js';
import { TwoStagePipeline } from '../../../src/infer/two-stage-pipeline.js';
import { silentLogger } from '../../../src/log.js';
import { modelConfig } from '../../unit/infer/helpers.js';
import { SMILING, demoPhoto } from './demo-faces.js';

const haveModels = existsSync(join('models', 'manifest.json'));

interface Tally {
  faces: number;
  missed: number;
  happySum: number;
  happyTop: number;
}

describe.skipIf(!haveModels)('face alignment on tilted faces', () => {
  const pipes: Record<'aligned' | 'plain', TwoStagePipeline | null> = { aligned: null, plain: null };
  const tally = new Map<string, Tally>();
  const rows: string[] = [];

  beforeAll(async () => {
    const ort = await loadOrt();
    for (const align of [true, false]) {
      pipes[align ? 'aligned' : 'plain'] = await TwoStagePipeline.create(modelConfig({ detector: { variant: 'back' }, classifier: { otherFacesEvery: 1, align } }), { ort, log: silentLogger });
    }
    for (const angle of [0, -20, 20]) {
      const th = (angle * Math.PI) / 180;
      for (const i of new Set(SMILING.map((s) => s[0]))) {
        const orig = await decodeImage(demoPhoto(i));
        const frame = angle ? await decodeImage(demoPhoto(i), { rotate: angle }) : orig;
        for (const mode of ['aligned', 'plain'] as const) {
          const { faces } = await pipes[mode]!.run(frame);
          const key = `${angle > 0 ? '+' : ''}${angle}deg ${mode}`;
          const t = tally.get(key) ?? { faces: 0, missed: 0, happySum: 0, happyTop: 0 };
          tally.set(key, t);
          for (const [, x, y] of SMILING.filter((s) => s[0] === i)) {
            // the point in the rotated (and enlarged) picture; sharp rotates clockwise
            const dx = x - orig.width / 2;
            const dy = y - orig.height / 2;
            const X = dx * Math.cos(th) - dy * Math.sin(th) + frame.width / 2;
            const Y = dx * Math.sin(th) + dy * Math.cos(th) + frame.height / 2;
            const f = faces.find((c) => X >= c.box[0] && X <= c.box[0] + c.box[2] && Y >= c.box[1] && Y <= c.box[1] + c.box[3]);
            if (!f) {
              t.missed++;
              continue;
            }
            const happy = f.emotions.happy ?? 0;
            const top = Object.entries(f.emotions).sort((a, b) => (b[1] ?? 0) - (a[1] ?? 0))[0]?.[0];
            t.faces++;
            t.happySum += happy;
            if (top === 'happy') t.happyTop++;
            rows.push(`${key.padEnd(14)} sample${i} (${x},${y}): happy ${happy.toFixed(3)}, top ${top}`);
          }
        }
      }
    }
    const summary = [...tally].map(([k, t]) => `${k.padEnd(14)} faces ${t.faces} missed ${t.missed} mean happy ${(t.happySum / Math.max(1, t.faces)).toFixed(3)} happy first ${t.happyTop}/${t.faces}`);
    console.info(`alignment on tilted faces\n${rows.join('\n')}\n${summary.join('\n')}`);
  }, 180_000);

  afterAll(async () => {
    await pipes.aligned?.close();
    await pipes.plain?.close();
  });

  it('on faces tilted by 20 degrees, aligned crops keep smiles at least as often as unaligned ones', () => {
    for (const angle of ['-20deg', '+20deg']) {
      const a = tally.get(`${angle} aligned`)!;
      const p = tally.get(`${angle} plain`)!;
      expect(a.faces).toBeGreaterThan(0);
      expect(a.happyTop / a.faces).toBeGreaterThanOrEqual(p.happyTop / p.faces);
    }
  });
});
