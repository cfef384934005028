import { mkdirSync, mkdtempSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { Writable } from 'node:stream';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { PokerfaceError } from '../../../src/errors.js';
import { createLogger } from '../../../src/log.js';
import { FsMediaLibrary, type FsMediaLibraryOptions, type WatchFn } from '../../../src/player/media.js';
import type { ProbeFn } from '../../../src/player/probe.js';
import { waitFor } from '../../wait-for.js';

let root: string;
let outside: string;
beforeEach(() => {
  const base = mkdtempSync(path.join(tmpdir(), 'pf-media-'));
  root = path.join(base, 'media');
  outside = path.join(base, 'elsewhere');
  mkdirSync(root);
  mkdirSync(outside);
});
afterEach(() => rmSync(path.dirname(root), { recursive: true, force: true }));

const put = (rel: string, body = 'video'): string => {
  const f = path.join(root, rel);
  mkdirSync(path.dirname(f), { recursive: true });
  writeFileSync(f, body);
  return f;
};

/** A probe that believes files whose content is "video" and counts its calls. */
function fakeProbe(): ProbeFn & { calls: string[] } {
  const calls: string[] = [];
  const fn = (async (file: string) => {
    calls.push(file);
    const { readFileSync } = await import('node:fs');
    if (readFileSync(file, 'utf8') !== 'video') throw new PokerfaceError('POKERFACE_ERR_MEDIA_UNPLAYABLE', `${file}: unrecognized file format`);
    return { durationMs: 6000, width: 640, height: 360, videoCodec: 'h264', hasAudio: false };
  }) as ProbeFn & { calls: string[] };
  fn.calls = calls;
  return fn;
}

function logSink(): { log: ReturnType<typeof createLogger>; lines: () => Array<{ level: string; msg: string; code?: string }> } {
  const chunks: string[] = [];
  const dest = new Writable({
    write(c: Buffer, _e, cb) {
      chunks.push(c.toString());
      cb();
    },
  });
  const log = createLogger({ level: 'debug', destination: dest });
  return { log, lines: () => chunks.join('').split('\n').filter(Boolean).map((l) => JSON.parse(l) as { level: string; msg: string }) };
}

function lib(over: Partial<FsMediaLibraryOptions> = {}): FsMediaLibrary {
  return new FsMediaLibrary({
    dir: root,
    modes: { funny: 'funny', scary: 'scary-clips' },
    levels: 3,
    noRepeat: 2,
    watch: false,
    log: createLogger({ level: 'silent' }),
    probe: fakeProbe(),
    ...over,
  });
}

/** a small deterministic PRNG so picks are reproducible */
function seeded(seed: number): () => number {
  let s = seed >>> 0;
  return () => {
    s = (s * 1664525 + 1013904223) >>> 0;
    return s / 2 ** 32;
  };
}

describe('FsMediaLibrary', () => {
  it('finds clips per mode and level, maps mode names to folders, skips what it cannot play', async () => {
    const good = put('funny/1/a clip with "quotes" and \'apostrophes\'.mp4');
    put('funny/1/notes.txt', 'hello');
    put('funny/1/.hidden.mp4');
    put('funny/1/broken.mp4', 'garbage');
    put('scary-clips/2/boo.MKV');
    put('funny/x/ignored.mp4');
    const secret = path.join(outside, 'secret.mp4');
    writeFileSync(secret, 'video');
    symlinkSync(secret, path.join(root, 'funny/1/escape.mp4'));
    symlinkSync(path.join(root, 'funny/1/loop.mp4'), path.join(root, 'funny/1/loop.mp4'));
    symlinkSync(path.join(root, 'funny/1/gone.mp4'), path.join(root, 'funny/1/dangling.mp4'));
    symlinkSync(path.join(root, 'funny'), path.join(root, 'funny/1/dirloop.mp4'));
    const attract = put('attract/loop.webm');
    const sink = logSink();
    const m = lib({ log: sink.log, createFolders: true });
    await m.start();

    expect(m.pick('funny', 1)).toBe(good);
    expect(m.pick('scary', 2)).toBe(path.join(root, 'scary-clips/2/boo.MKV'));
    expect(m.pick('scary-clips', 2)).toBe(path.join(root, 'scary-clips/2/boo.MKV'));
    expect(m.pick('funny', 3)).toBeNull();
    expect(m.pick('nope', 1)).toBeNull();
    expect(m.attract()).toBe(attract);
    expect(m.durationMs(good)).toBe(6000);
    expect(m.clips().map((c) => [c.folder, c.clip.file, c.clip.durationMs]).sort()).toEqual(
      [
        ['funny/1', good, 6000],
        ['scary-clips/2', path.join(root, 'scary-clips/2/boo.MKV'), 6000],
      ].sort(),
    );

    const s = m.summary();
    expect(s.total).toBe(2);
    expect(s.attract).toBe(1);
    expect(s.folders.find((f) => f.folder === 'funny/1')).toEqual({ folder: 'funny/1', clips: 1, durationMs: 6000 });
    expect(s.empty).toEqual(['funny/2', 'funny/3', 'scary-clips/1', 'scary-clips/3']);
    const reasons = Object.fromEntries(s.skipped.map((x) => [path.basename(x.file), x.reason]));
    expect(reasons['broken.mp4']).toMatch(/unrecognized/);
    expect(reasons['escape.mp4']).toMatch(/outside the media folder/);
    expect(reasons['loop.mp4']).toBe('symlink loop');
    expect(reasons['dangling.mp4']).toBe('dangling symlink');
    expect(reasons['dirloop.mp4']).toBe('not a regular file');

    const warns = sink.lines().filter((l) => l.level === 'warn');
    expect(warns.some((w) => w.code === 'POKERFACE_ERR_MEDIA_OUTSIDE')).toBe(true);
    expect(warns.filter((w) => w.msg.startsWith('no playable clips in'))).toHaveLength(4);
    await m.stop();
  });

  it('never repeats any of the last N clips of a folder', async () => {
    for (const n of ['a', 'b', 'c', 'd', 'e']) put(`funny/2/${n}.mp4`);
    const m = lib({ noRepeat: 3, random: seeded(7) });
    await m.start();
    const picks = Array.from({ length: 300 }, () => m.pick('funny', 2) as string);
    for (let i = 1; i < picks.length; i++) {
      expect(picks.slice(Math.max(0, i - 3), i)).not.toContain(picks[i]);
    }
    expect(new Set(picks).size).toBe(5);
    await m.stop();
  });

  it('with fewer clips than N+1 it still avoids as many recent ones as it can', async () => {
    put('funny/1/a.mp4');
    put('funny/1/b.mp4');
    const m = lib({ noRepeat: 5, random: () => 0 });
    await m.start();
    const picks = Array.from({ length: 6 }, () => path.basename(m.pick('funny', 1) as string));
    expect(picks).toEqual(['a.mp4', 'b.mp4', 'a.mp4', 'b.mp4', 'a.mp4', 'b.mp4']);
    put('funny/3/only.mp4');
    await m.reload();
    expect(m.pick('funny', 3)).toBe(m.pick('funny', 3));
    await m.stop();
  });

  it('probes each file once and again only when it changes', async () => {
    const probe = fakeProbe();
    const f = put('funny/1/a.mp4');
    const m = lib({ probe });
    await m.start();
    await m.reload();
    await Promise.all([m.reload(), m.reload(), m.reload()]);
    expect(probe.calls).toHaveLength(1);
    writeFileSync(f, 'video'); // same size: mtime decides
    const later = new Date(Date.now() + 5000);
    const { utimesSync } = await import('node:fs');
    utimesSync(f, later, later);
    await m.reload();
    expect(probe.calls).toHaveLength(2);
    await m.stop();
  });

  it('rescans after folder changes, debounced, and stops watching on stop', async () => {
    const cbs = new Map<string, () => void>();
    let closed = 0;
    const watchFn: WatchFn = (dir, cb) => {
      cbs.set(dir, cb);
      return { close: () => void closed++ };
    };
    put('funny/1/a.mp4');
    const probe = fakeProbe();
    const m = lib({ watch: true, watchFn, debounceMs: 20, probe });
    await m.start();
    expect([...cbs.keys()].sort()).toEqual([root, path.join(root, 'funny'), path.join(root, 'funny/1')]);
    put('funny/1/b.mp4');
    const cb = cbs.get(path.join(root, 'funny/1')) as () => void;
    cb();
    cb();
    cb();
    await waitFor(() => m.summary().total === 2, { what: 'the rescan' });
    expect(m.summary().total).toBe(2);
    expect(probe.calls).toHaveLength(2);
    await m.stop();
    expect(closed).toBe(3);
  });

  it('watches the real file system by default', async () => {
    put('funny/1/a.mp4');
    const m = lib({ watch: true, debounceMs: 20 });
    await m.start();
    put('funny/1/b.mp4');
    await waitFor(() => m.summary().total === 2, { what: 'the watcher to see the new clip' });
    expect(m.summary().total).toBe(2);
    await m.stop();
  });

  it('after start, probes a new file only once its size and mtime have settled (a clip being copied in is not offered)', async () => {
    put('funny/1/a.mp4');
    const probe = fakeProbe();
    let now = Date.now();
    const m = lib({ probe, stableMs: 3000, wallNow: () => now, debounceMs: 0 });
    await m.start();
    expect(probe.calls).toHaveLength(1);
    // a copy in progress: its mtime keeps moving, so it is neither probed nor offered
    const b = put('funny/1/b.mp4', 'vid');
    const { statSync, appendFileSync, utimesSync } = await import('node:fs');
    now = statSync(b).mtimeMs + 1000;
    await m.reload();
    expect(probe.calls).toHaveLength(1);
    expect(m.summary().total).toBe(1);
    appendFileSync(b, 'eo');
    const t = new Date(now);
    utimesSync(b, t, t);
    now += 2500;
    await m.reload();
    expect(probe.calls).toHaveLength(1);
    // left alone for 3 s: probed and offered, by the rescan the library set itself
    now += 600;
    await waitFor(() => m.summary().total === 2, { everyMs: 50, what: 'the settled clip to be offered' });
    expect(m.summary().total).toBe(2);
    expect(probe.calls).toEqual([path.join(root, 'funny/1/a.mp4'), b]);
    await m.stop();
  });

  it('copes with a missing media folder', async () => {
    const m = lib({ dir: path.join(root, 'nope') });
    await m.start();
    expect(m.pick('funny', 1)).toBeNull();
    expect(m.attract()).toBeNull();
    expect(m.summary().empty).toContain('attract');
    await m.stop();
  });
});
