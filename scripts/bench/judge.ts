// Per-frame decision cost of the judge: a long round at 30 fps with one player and two
// spectators, timed over many frames. Run: npx tsx scripts/bench/judge.ts [frames]
import { performance } from 'node:perf_hooks';
import { defaultConfig } from '../../src/config/load.js';
import { Judge } from '../../src/judge/judge.js';
import { judgeRules } from '../../src/judge/rules.js';
import type { Face } from '../../src/types.js';

const frames = Number(process.argv[2] ?? 300_000);
const rules = { ...judgeRules(defaultConfig()), maxRoundMs: Number.POSITIVE_INFINITY, levels: [{ level: 1, threshold: 0.99, holdMs: 1000, smoothingMs: 150 }] };
let samples = 0;
const judge = new Judge(rules, {
  state: () => undefined,
  event: () => undefined,
  score: () => void samples++,
  result: () => undefined,
  effect: () => undefined,
});

const mk = (x: number, y: number, s: number, happy: number): Face => ({ box: [x, y, s, s], score: 0.9, emotions: { happy, neutral: 1 - happy } });
const player = mk(250, 170, 140, 0.1);
const faces: Face[] = [mk(20, 20, 120, 0.9), player, mk(500, 300, 100, 0.5)];

let t = 0;
judge.start(t);
judge.staffStart((t += 10), { mode: 'funny', level: 1 });
for (let i = 0; i < 100; i++) judge.faces((t += 33.3), faces, 640, 480);
judge.tick((t += 3000));
judge.clipStarted('clip.mp4', (t += 10));

const run = (n: number): number => {
  const t0 = performance.now();
  for (let i = 0; i < n; i++) {
    player.box[0] = 250 + (i % 7); // a little sway
    player.emotions.happy = 0.1 + 0.3 * ((i % 50) / 50);
    judge.faces((t += 33.3), faces, 640, 480);
    if ((i & 15) === 0) judge.tick(t);
  }
  return performance.now() - t0;
};
run(20_000); // warm up the JIT
samples = 0;
const ms = run(frames);
if (judge.state().phase !== 'playing' || samples !== frames) throw new Error(`bench round ended early (${judge.state().phase}, ${samples} samples)`);
const perFrame = ms / frames;
console.log(`judge: ${frames} frames (3 faces each) in ${ms.toFixed(1)} ms = ${(perFrame * 1000).toFixed(2)} µs/frame = ${perFrame.toFixed(5)} ms/frame (target < 0.05 ms)`);
