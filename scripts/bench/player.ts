// Clip start latency: from play() to mpv's playback-restart (our `started` event), and
// how long mpv takes to come back after being killed. Prints figures; asserts nothing.
//
//   npx tsx scripts/bench/player.ts [--file CLIP] [--runs 50] [--kills 5] [--stops 2] [--screen]
//
// --kills: SIGKILL mpv, time to the `restarted` event; --stops: SIGSTOP mpv (alive but
// silent), time until the ping notices, kills it and a new mpv answers.
//
// Without --file it makes a 6 s 960x540 H.264+AAC clip like the demo clips. mpv runs
// with --vo=null --ao=null unless --screen is given (then player.vo/gpuContext apply).
import { execFileSync } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { parseArgs } from 'node:util';
import { defaultConfig } from '../../src/config/load.js';
import { silentLogger } from '../../src/log.js';
import { MpvPlayer } from '../../src/player/mpv.js';
import type { PlayerEvent } from '../../src/types.js';

const { values } = parseArgs({
  options: {
    file: { type: 'string' },
    runs: { type: 'string', default: '50' },
    kills: { type: 'string', default: '5' },
    stops: { type: 'string', default: '2' },
    screen: { type: 'boolean', default: false },
  },
});

const pct = (xs: number[], p: number): number => {
  const s = [...xs].sort((a, b) => a - b);
  return s[Math.min(s.length - 1, Math.ceil((p / 100) * s.length) - 1)] ?? NaN;
};
const fmt = (xs: number[]): string =>
  `n=${xs.length} p50=${pct(xs, 50).toFixed(1)} ms p95=${pct(xs, 95).toFixed(1)} ms max=${Math.max(...xs).toFixed(1)} ms`;

const tmp = mkdtempSync(path.join(tmpdir(), 'pf-bench-'));
let file = values.file;
if (!file) {
  file = path.join(tmp, 'clip.mp4');
  execFileSync('ffmpeg', ['-v', 'error', '-y', '-f', 'lavfi', '-i', 'testsrc2=size=960x540:rate=30:duration=6', '-f', 'lavfi', '-i', 'sine=frequency=440:duration=6',
    '-c:v', 'libx264', '-preset', 'veryfast', '-pix_fmt', 'yuv420p', '-c:a', 'aac', '-shortest', file]);
}
const config = { ...defaultConfig().player, socketPath: path.join(tmp, 'mpv.sock') };
const player = new MpvPlayer({ config, log: silentLogger, headless: !values.screen });
let waiter: { pred: (e: PlayerEvent) => boolean; resolve: (e: PlayerEvent) => void } | null = null;
player.onEvent((e) => {
  if (waiter?.pred(e)) {
    const w = waiter;
    waiter = null;
    w.resolve(e);
  }
});
const next = (pred: (e: PlayerEvent) => boolean): Promise<PlayerEvent> =>
  new Promise((resolve, reject) => {
    const t = setTimeout(() => reject(new Error('no player event within 10 s')), 10_000);
    waiter = { pred, resolve: (e) => (clearTimeout(t), resolve(e)) };
  });

try {
  const t0 = performance.now();
  await player.start();
  const startMs = performance.now() - t0;
  const lat: number[] = [];
  const runs = Number(values.runs);
  for (let i = 0; i < runs; i++) {
    // alternate clip and attract loop, as the booth does between rounds
    const started = next((e) => e.type === 'started');
    const t = performance.now();
    if (i % 2 === 0) await player.play(file);
    else await player.playAttract(file);
    await started;
    lat.push(performance.now() - t);
    await new Promise((r) => setTimeout(r, 100));
  }
  await player.stopClip();
  const back: number[] = [];
  for (let i = 0; i < Number(values.kills); i++) {
    const restarted = next((e) => e.type === 'restarted');
    const t = performance.now();
    process.kill(player.pid as number, 'SIGKILL');
    await restarted;
    back.push(performance.now() - t);
  }
  const hung: number[] = [];
  for (let i = 0; i < Number(values.stops); i++) {
    const restarted = next((e) => e.type === 'restarted');
    const pid = player.pid as number;
    const t = performance.now();
    process.kill(pid, 'SIGSTOP');
    await restarted;
    hung.push(performance.now() - t);
  }
  console.log(`mpv ${values.screen ? `--vo=${config.vo}` : '--vo=null --ao=null'}, clip ${path.basename(file)}`);
  console.log(`player start (spawn to first IPC answer): ${startMs.toFixed(1)} ms`);
  console.log(`clip start latency (play() to playback-restart): ${fmt(lat)}  target <= 300 ms: ${pct(lat, 95) <= 300 ? 'PASS' : 'FAIL'}`);
  if (back.length) console.log(`restart after SIGKILL (kill to restarted event): ${fmt(back)}  target <= 2000 ms: ${Math.max(...back) <= 2000 ? 'PASS' : 'FAIL'}`);
  if (hung.length) {
    console.log(`restart after SIGSTOP (silent mpv, ping ${config.pingIntervalMs} ms / timeout ${config.ipcTimeoutMs} ms): ${fmt(hung)}  target <= 2000 ms: ${Math.max(...hung) <= 2000 ? 'PASS' : 'FAIL'}`);
  }
} finally {
  await player.stop();
  rmSync(tmp, { recursive: true, force: true });
}
