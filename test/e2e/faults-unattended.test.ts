// Faults that must heal by themselves (issue 13), on the whole daemon: a results file that
// is not a database in a folder the daemon cannot write (read-only tmpfs where this machine
// lets root mount one; chmod for a user), and a clip cut at half its bytes dropped into
// the live media folder. Real mosquitto, mpv (--vo=null), ffmpeg, onnxruntime.
import { spawnSync } from 'node:child_process';
import { chmodSync, existsSync, mkdirSync, readFileSync, readdirSync, rmSync, statSync, unlinkSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ffmpegRunner } from '../../src/player/ffmpeg-run.js';
import { Mosquitto, Watcher } from '../integration/api/brokers.js';
import { DaemonProcess, logTime, logsWith, makeCamera, makeMedia, ports, pressRound, requireBuilt, sleep, tempDir, waitUntil, writeConfig, type GameEventMsg } from './harness.js';

const T = 'pokerface/e2e/';
const END = ['cracked', 'survived', 'aborted'];
const isRoot = process.getuid?.() === 0;

interface Health {
  healthy: boolean;
  reasons: string[];
  components: Array<{ name: string; healthy: boolean; reasons: string[] }>;
}

describe('faults that heal: results log and a truncated clip', () => {
  const dir = tempDir('faults-unattended');
  const resultsDir = join(dir, 'results');
  const resultsFile = join(resultsDir, 'results.sqlite');
  const junk = Buffer.from('not a database: what a bad SD card sector leaves behind\n'.repeat(100));
  const media = join(dir, 'media');
  let broker: Mosquitto;
  let watcher: Watcher;
  let daemon: DaemonProcess;
  let mounted = false;
  let readOnly: 'tmpfs' | 'chmod' | null = null;
  const got: Array<{ at: number; topic: string; payload: string }> = [];

  const events = (after = 0): Array<GameEventMsg & { at: number }> =>
    got.filter((m) => m.topic === `${T}event` && m.at >= after).map((m) => ({ ...(JSON.parse(m.payload) as GameEventMsg), at: m.at }));
  const phase = (): string | undefined => {
    const s = got.filter((m) => m.topic === `${T}state`).at(-1);
    return s ? (JSON.parse(s.payload) as { phase: string }).phase : undefined;
  };
  const results = async (): Promise<Health['components'][number] | undefined> =>
    ((await daemon.api('GET', '/api/health')).json as Health).components.find((c) => c.name === 'results');

  /** Play one round at this level; resolve with its end event. */
  async function round(level: string): Promise<GameEventMsg & { at: number }> {
    await waitUntil(() => phase() === 'attract', 20_000, 'attract before a new round');
    const t0 = Date.now();
    await pressRound(daemon, 'funny', level);
    await waitUntil(() => events(t0).some((e) => END.includes(e.type)), 40_000, `the round's end\n${daemon.tail()}`);
    return events(t0).find((e) => END.includes(e.type)) as GameEventMsg & { at: number };
  }

  beforeAll(async () => {
    requireBuilt();
    const p = await ports();
    broker = new Mosquitto(p.mqtt);
    await broker.start();
    await makeMedia(media, 4);
    // level 2 starts empty: the truncated clip is dropped there while the daemon runs
    unlinkSync(join(media, 'funny', '2', 'clip.mp4'));
    const camera = join(dir, 'neutral.mp4');
    await makeCamera(camera, 6, 0);

    mkdirSync(resultsDir);
    if (isRoot) mounted = spawnSync('mount', ['-t', 'tmpfs', '-o', 'size=1m', 'tmpfs', resultsDir], { stdio: 'ignore' }).status === 0;
    writeFileSync(resultsFile, junk);
    if (mounted) {
      if (spawnSync('mount', ['-o', 'remount,ro', resultsDir]).status !== 0) throw new Error('cannot remount read-only');
      readOnly = 'tmpfs';
    } else if (!isRoot) {
      chmodSync(resultsDir, 0o555);
      readOnly = 'chmod';
    }
    const cfg = writeConfig({
      dir,
      camera: { backend: 'ffmpeg', ffmpeg: { input: camera, loop: true, realtime: true } },
      mediaDir: media,
      mqttUrl: broker.url,
      ports: p,
      game: { countdownMs: 1500, resultMs: 500 },
      extra: {
        player: { socketPath: join(dir, 'mpv.sock'), vo: 'null', ao: 'null', mediaDir: media, watchMedia: true, watchDebounceMs: 200, watchStableMs: 1500 },
        results: { path: resultsFile, retryMs: 500 },
      },
    });
    watcher = new Watcher(broker.url, { protocolVersion: 5 });
    watcher.client.on('message', (topic, payload) => got.push({ at: Date.now(), topic, payload: payload.toString() }));
    await watcher.subscribe(`${T}#`, 1);
    daemon = new DaemonProcess(cfg, p.api);
    await daemon.startOnline(got, T);
  }, 180_000);

  afterAll(async () => {
    await daemon?.stop();
    await watcher?.close();
    await broker?.dispose();
    if (mounted) spawnSync('umount', [resultsDir]);
    if (readOnly === 'chmod') chmodSync(resultsDir, 0o755);
    rmSync(dir, { recursive: true, force: true });
  });

  it('a corrupt results file in a read-only folder: the daemon runs, health says why, rounds are played and written once the folder is writable, the old bytes are kept', async () => {
    if (readOnly) {
      const r = await results();
      expect(r?.healthy).toBe(false);
      expect(r?.reasons.join('; ')).toMatch(/results log is not open: .*results\.sqlite: .*(read-only file system|permission denied|no permission to write its folder)/i);
      const h = await daemon.api('GET', '/api/health');
      expect(h.status).toBe(503);
      // rounds keep playing; the result waits in memory
      const end = await round('level1');
      // a whole round (neutral face, 4 s clip): never ended by the results fault
      expect(['survived', 'cracked']).toContain(end.type);
      console.log(`results log read-only: round played to the end (${end.type}) while health said: ${(r?.reasons ?? []).join('; ')}`);
      await waitUntil(async () => ((await results())?.reasons ?? []).some((x) => x.startsWith('1 round(s) waiting in memory')), 5000, 'the round queued');
      expect(readFileSync(resultsFile).equals(junk)).toBe(true);
      const writableAt = Date.now();
      if (readOnly === 'tmpfs') {
        if (spawnSync('mount', ['-o', 'remount,rw', resultsDir]).status !== 0) throw new Error('cannot remount read-write');
      } else chmodSync(resultsDir, 0o755);
      await waitUntil(async () => (await results())?.healthy === true, 10_000, `results healthy again\n${daemon.tail()}`);
      const healedAt = Date.now();
      const recent = ((await daemon.api('GET', '/api/results?limit=5')).json as { recent: Array<{ id: string; outcome: string }> }).recent;
      expect(recent.map((x) => x.outcome)).toEqual([end.type]);
      console.log(`results log: folder writable again -> healthy, queued round written: ${healedAt - writableAt} ms (results.retryMs 500)`);
      if (readOnly === 'tmpfs') {
        // then the disk fills up while the booth runs: the next round waits in memory too
        const filler = join(resultsDir, 'filler');
        try {
          writeFileSync(filler, Buffer.alloc(4 << 20));
        } catch (e) {
          if ((e as NodeJS.ErrnoException).code !== 'ENOSPC') throw e;
        }
        const full = await round('level1');
        expect(['survived', 'cracked']).toContain(full.type);
        await waitUntil(async () => ((await results())?.reasons ?? []).some((x) => /disk is full/.test(x)), 5000, 'results unhealthy: disk full');
        expect(((await results())?.reasons ?? []).some((x) => x.startsWith('1 round(s) waiting in memory'))).toBe(true);
        const freedAt = Date.now();
        unlinkSync(filler);
        await waitUntil(async () => (await results())?.healthy === true, 10_000, `results healthy after the disk has room\n${daemon.tail()}`);
        console.log(`results log: disk full -> room again -> healthy, queued round written: ${Date.now() - freedAt} ms`);
        const after = ((await daemon.api('GET', '/api/results?limit=5')).json as { recent: Array<{ outcome: string }> }).recent;
        expect(after).toHaveLength(2);
      }
    } else {
      // root without mount: only the corrupt file can be made for real
      expect((await results())?.healthy).toBe(true);
      const end = await round('level1');
      expect(END).toContain(end.type);
    }
    const aside = readdirSync(resultsDir).filter((f) => f.startsWith('results.sqlite.corrupt-'));
    expect(aside).toHaveLength(1);
    expect(readFileSync(join(resultsDir, aside[0] as string)).equals(junk)).toBe(true);
    const moved = logsWith(daemon, 'results log is not a database: moved aside, starting a fresh one')[0];
    expect(moved).toBeDefined();
    console.log(`results log: corrupt file moved aside (${aside[0] as string}), old bytes kept`);
  }, 120_000);

  it('a clip cut at half its bytes, dropped into the live media folder, aborts the round (clip_failed), never survived', async () => {
    // faststart puts the index first, so the cut file still probes at its full 6 s
    const whole = join(dir, 'whole.mp4');
    await ffmpegRunner()([
      '-f', 'lavfi', '-i', 'testsrc=size=160x120:rate=15:duration=6', '-c:v', 'libx264', '-preset', 'ultrafast', '-pix_fmt', 'yuv420p', '-movflags', '+faststart', '-y', whole,
    ]);
    const bytes = readFileSync(whole);
    const cut = bytes.subarray(0, Math.floor(bytes.length / 2));
    // copied in the way a slow USB stick or scp does: in pieces, with pauses
    const target = join(media, 'funny', '2', 'cut.mp4');
    const droppedAt = Date.now();
    writeFileSync(target, cut.subarray(0, 4096));
    await sleep(400);
    writeFileSync(target, cut);
    expect(statSync(target).size).toBe(cut.length);
    await waitUntil(() => logsWith(daemon, 'media library changed', droppedAt).length > 0, 20_000, `the clip offered\n${daemon.tail()}`);
    const offeredAt = logTime(logsWith(daemon, 'media library changed', droppedAt)[0] as Record<string, unknown>);
    const end = await round('level2');
    expect(end.type).toBe('aborted');
    expect(end.reason).toMatch(/^clip_failed: clip ended after \d+\.\d s of its 6\.0 s$/);
    expect(end.type).not.toBe('survived');
    console.log(`truncated clip: offered ${offeredAt - droppedAt} ms after it was dropped (watchStableMs 1500); round ${end.type}: ${end.reason}`);
    expect(existsSync(target)).toBe(true);
  }, 120_000);
});
