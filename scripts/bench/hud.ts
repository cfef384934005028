// The HUD's cost, side by side in one run: two mpv players play the same clip at the
// same time on the same display, one with the HUD (fed 30 score samples a second, as a
// 30 fps camera would, redrawn at player.hud.hz) and one without. Prints the main-thread
// cost per HUD update (render + send, µs) and each mpv's CPU over the clip (from
// /proc/<pid>/stat). Asserts nothing.
//
//   npx tsx scripts/bench/hud.ts [--seconds 20] [--hz 12] [--vo x11|null]
//
// With --vo x11 (default when Xvfb is installed) both mpv windows draw into one Xvfb
// display, so the CPU includes really rendering the overlay; --vo null decodes only.
import { execFileSync } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { performance } from 'node:perf_hooks';
import { parseArgs } from 'node:util';
import { systemClock } from '../../src/clock.js';
import { defaultConfig } from '../../src/config/load.js';
import { silentLogger } from '../../src/log.js';
import { MpvPlayer } from '../../src/player/mpv.js';
import { renderHud } from '../../src/player/hud.js';
import { Screen } from '../../src/player/screen.js';
import type { GameState, PlayerEvent, ScoreSample } from '../../src/types.js';
import { Xvfb } from '../../test/e2e/screen-harness.js';

const { values } = parseArgs({
  options: {
    seconds: { type: 'string', default: '20' },
    hz: { type: 'string', default: '12' },
    vo: { type: 'string' },
  },
});
const seconds = Number(values.seconds);
const hz = Number(values.hz);
const vo = values.vo ?? (existsSync('/usr/bin/Xvfb') ? 'x11' : 'null');

const tmp = mkdtempSync(path.join(tmpdir(), 'pf-hud-'));
const clip = path.join(tmp, 'clip.mp4');
execFileSync('ffmpeg', ['-v', 'error', '-y', '-f', 'lavfi', '-i', `testsrc2=size=1280x720:rate=30:duration=${seconds}`, '-c:v', 'libx264', '-preset', 'veryfast', '-pix_fmt', 'yuv420p', clip]);

const CLK_TCK = 100;
/** user + system CPU seconds of a process so far */
const cpuOf = (pid: number): number => {
  const f = readFileSync(`/proc/${pid}/stat`, 'utf8');
  const rest = f.slice(f.lastIndexOf(')') + 2).split(' ');
  return (Number(rest[11]) + Number(rest[12])) / CLK_TCK;
};

let x: Xvfb | null = null;
if (vo === 'x11') {
  x = new Xvfb();
  await x.start();
  process.env.DISPLAY = x.display;
}
const base = defaultConfig().player;
const mk = (name: string): MpvPlayer =>
  new MpvPlayer({
    config: { ...base, vo, gpuContext: '', hwdec: 'no', ao: 'null', socketPath: path.join(tmp, `${name}.sock`), extraArgs: vo === 'x11' ? ['--geometry=1280x720+0+0', '--no-fs'] : [] },
    log: silentLogger,
    headless: vo === 'null',
    mediaRoot: tmp,
  });
const on = mk('hud-on');
const off = mk('hud-off');
const updates: number[] = [];
const screen = new Screen({ config: { ...base.hud, enabled: true, hz }, surface: on, log: silentLogger, clock: systemClock, durationOf: () => seconds * 1000, onUpdate: (us) => updates.push(us) });
const q = (xs: number[], p: number): number => [...xs].sort((a, b) => a - b)[Math.min(xs.length - 1, Math.max(0, Math.ceil(p * xs.length) - 1))] ?? NaN;

try {
  await on.start();
  await off.start();
  await screen.start();
  const ended = (p: MpvPlayer): Promise<void> =>
    new Promise((r) => p.onEvent((e: PlayerEvent) => void (e.type === 'ended' || e.type === 'failed' ? r() : undefined)));
  const doneOn = ended(on);
  const doneOff = ended(off);
  await Promise.all([on.play(clip), off.play(clip)]);
  const pids = [on.pid, off.pid] as [number, number];
  const cpu0 = pids.map(cpuOf);
  const t0 = performance.now();
  // the game as the booth runner would tell it: playing, then 30 score samples a second
  const state: GameState = { phase: 'playing', mode: 'funny', level: 1, clip, since: 0 };
  screen.state(state);
  let n = 0;
  const feed = setInterval(() => {
    const t = (performance.now() - t0) / 1000;
    const smoothed = 0.5 + 0.45 * Math.sin(t * 1.3);
    const s: ScoreSample = { ts: performance.now(), target: 'happy', value: smoothed, smoothed, threshold: 0.8, holdMs: 1000, heldMs: smoothed >= 0.8 ? 300 : 0, faces: 1 };
    screen.score(s);
    n++;
  }, 1000 / 30);
  await Promise.all([doneOn, doneOff]);
  clearInterval(feed);
  const wall = (performance.now() - t0) / 1000;
  const cpu1 = pids.map(cpuOf);
  const st = screen.stats();
  // the render alone, without the send: the same kind of view, many times
  const view = screen.view();
  const reps = 20_000;
  let sink = 0;
  const r0 = performance.now();
  for (let i = 0; i < reps; i++) {
    if (view.meter) view.meter.smoothed = (i % 100) / 100;
    sink += renderHud(view).length;
  }
  const renderUs = ((performance.now() - r0) * 1000) / reps;
  const pct = (i: number): string => ((100 * ((cpu1[i] as number) - (cpu0[i] as number))) / wall).toFixed(1);
  process.stdout.write(
    [
      `clip: 1280x720 30 fps H.264, ${seconds} s; vo=${vo}; HUD at most ${hz} Hz; ${n} score samples fed (30/s)`,
      `HUD updates sent to mpv: ${st.sent} (${(st.sent / wall).toFixed(1)}/s), renders ${st.renders}`,
      `HUD main-thread cost per update (render + send to mpv): p50 ${q(updates, 0.5).toFixed(0)} µs, p95 ${q(updates, 0.95).toFixed(0)} µs, mean ${(st.busyUs / Math.max(1, updates.length)).toFixed(0)} µs; ${((st.busyUs / 1e6 / wall) * 100).toFixed(2)} % of one core`,
      `HUD render alone (no send, warm): ${renderUs.toFixed(1)} µs${sink > 0 ? '' : ' (nothing rendered?)'}`,
      `mpv CPU while the clip played (${wall.toFixed(1)} s): HUD on ${pct(0)} %, HUD off ${pct(1)} % of one core`,
      '',
    ].join('\n'),
  );
} finally {
  await screen.stop();
  await on.stop();
  await off.stop();
  await x?.stop();
  rmSync(tmp, { recursive: true, force: true });
}
