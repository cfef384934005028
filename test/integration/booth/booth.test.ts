// The booth runner against the real player (mpv, --vo=null --ao=null) and the real media
// library (ffprobe) on clips made here with ffmpeg; camera and detector are fakes (no
// camera or face in a test machine): a fake frame source at 20 fps and a detector whose
// answer the test sets.
import { execFileSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { BoothRunner } from '../../../src/booth/runner.js';
import { FakeFrameSource } from '../../../src/capture/fake.js';
import { systemClock } from '../../../src/clock.js';
import { parseConfig } from '../../../src/config/load.js';
import { VirtualButtonSource } from '../../../src/controls/virtual.js';
import { silentLogger } from '../../../src/log.js';
import { FsMediaLibrary } from '../../../src/player/media.js';
import { MpvPlayer } from '../../../src/player/mpv.js';
import { ffprobe } from '../../../src/player/probe.js';
import type { GameEvent, RoundResult } from '../../../src/types.js';
import { face, ScriptedDetector } from '../../unit/booth/fakes.js';
import { waitFor } from '../../wait-for.js';

const W = 160;
const H = 120;
let dir = '';

function makeClip(file: string, seconds: number): void {
  mkdirSync(path.dirname(file), { recursive: true });
  execFileSync('ffmpeg', ['-v', 'error', '-y', '-f', 'lavfi', '-i', `testsrc=size=160x120:rate=25:duration=${seconds}`, '-c:v', 'libx264', '-preset', 'ultrafast', '-pix_fmt', 'yuv420p', file]);
}

beforeAll(() => {
  dir = mkdtempSync(path.join(tmpdir(), 'pf-booth-'));
  makeClip(path.join(dir, 'media', 'funny', '1', 'short.mp4'), 2);
  makeClip(path.join(dir, 'media', 'attract', 'loop.mp4'), 1);
});
afterAll(() => {
  if (dir) rmSync(dir, { recursive: true, force: true });
});

const config = parseConfig(
  [
    'camera: { stallMs: 3000 }',
    'game:',
    '  countdownMs: 600',
    '  resultMs: 300',
    '  levels:',
    '    - { threshold: 0.8, holdMs: 300, smoothingMs: 50 }',
  ].join('\n'),
  'test.yaml',
);

interface Rig {
  runner: BoothRunner;
  player: MpvPlayer;
  detector: ScriptedDetector;
  events: GameEvent[];
  results: RoundResult[];
  setHappy(v: number): void;
  stop(): Promise<void>;
}

const running: Rig[] = [];
afterEach(async () => {
  for (const r of running.splice(0)) await r.stop();
});

async function rig(): Promise<Rig> {
  const mediaDir = path.join(dir, 'media');
  const media = new FsMediaLibrary({
    dir: mediaDir,
    modes: { funny: 'funny', scary: 'scary' },
    levels: 1,
    noRepeat: 0,
    watch: false,
    log: silentLogger,
    probe: ffprobe(),
  });
  const player = new MpvPlayer({
    config: { ...config.player, socketPath: path.join(dir, `mpv-${process.pid}-${running.length}-${Date.now()}.sock`), vo: 'null', ao: 'null' },
    log: silentLogger,
    headless: true,
    mediaRoot: mediaDir,
  });
  const src = new FakeFrameSource({ width: W, height: H, fps: 20 });
  const detector = new ScriptedDetector();
  const buttons = new VirtualButtonSource(systemClock, silentLogger);
  const results: RoundResult[] = [];
  const runner = new BoothRunner({
    config,
    log: silentLogger,
    clock: systemClock,
    frameSource: src,
    detector,
    player,
    media,
    buttons,
    results: { append: (r) => void results.push(r), recent: () => results, totals: () => [] },
  });
  const events: GameEvent[] = [];
  runner.control.onEvent((e) => events.push(e));
  detector.faces = [face(W / 2, H / 2, 40, 0.02)];
  await media.start();
  await player.start();
  await src.start();
  await buttons.start();
  await runner.start();
  const r: Rig = {
    runner,
    player,
    detector,
    events,
    results,
    setHappy: (v) => (detector.faces = [face(W / 2, H / 2, 40, v)]),
    stop: async () => {
      await runner.stop();
      await buttons.stop();
      await src.stop();
      await player.stop();
      await media.stop();
    },
  };
  running.push(r);
  return r;
}

const has = (r: Rig, type: string): boolean => r.events.some((e) => e.type === type);

describe('booth with real mpv and media library', () => {
  it('buttons → countdown → clip → smile → cracked → result → attract', async () => {
    const r = await rig();
    await waitFor(() => r.player.stats().current?.endsWith('loop.mp4') === true, { what: 'attract clip' });
    for (const b of ['funny', 'level1', 'start'] as const) expect(r.runner.control.press(b)).toEqual({ ok: true });
    await waitFor(() => has(r, 'round_start'), { what: 'round start' });
    expect(r.runner.control.state().clip).toMatch(/funny\/1\/short\.mp4$/);
    r.setHappy(0.97);
    await waitFor(() => has(r, 'cracked'), { what: 'cracked' });
    expect(r.results[0]).toMatchObject({ outcome: 'cracked', mode: 'funny', level: 1 });
    await waitFor(() => r.runner.control.state().phase === 'attract', { what: 'back to attract' });
    await waitFor(() => r.player.stats().current?.endsWith('loop.mp4') === true, { what: 'attract clip again' });
  });

  it('survived when the clip ends first', async () => {
    const r = await rig();
    expect(r.runner.control.start({ mode: 'funny', level: 1 })).toEqual({ ok: true });
    await waitFor(() => has(r, 'survived'), { what: 'survived' });
    expect(r.results[0]).toMatchObject({ outcome: 'survived' });
    expect(r.results[0]?.durationMs).toBeGreaterThan(1500);
  });

  it('mpv killed mid-round → aborted, never survived', async () => {
    const r = await rig();
    r.runner.control.start();
    await waitFor(() => has(r, 'round_start'), { what: 'round start' });
    const pid = r.player.pid;
    expect(pid).not.toBeNull();
    process.kill(pid as number, 'SIGKILL');
    await waitFor(() => has(r, 'aborted'), { what: 'aborted' });
    expect(r.results[0]?.outcome).toBe('aborted');
    await waitFor(() => r.runner.control.state().phase === 'attract' && r.player.stats().healthy, { what: 'player back and attract playing' });
    expect(has(r, 'survived')).toBe(false);
  });
});
