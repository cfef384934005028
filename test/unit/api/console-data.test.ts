import { describe, expect, it } from 'vitest';
import { brokerLabel, clipTable, LagWindow, relativeClip, resultsCsv } from '../../../src/api/console-data.js';
import type { RoundResult } from '../../../src/types.js';

const root = '/srv/media';
const res = (clip: string | null, outcome: RoundResult['outcome'], durationMs: number, endedAt: number, reason?: string): RoundResult => ({
  id: `r${endedAt}`,
  endedAt,
  mode: 'funny',
  level: 1,
  clip,
  outcome,
  peak: 0.5,
  durationMs,
  ...(reason !== undefined ? { reason } : {}),
});

describe('console data', () => {
  it('names clips relative to the media folder', () => {
    expect(relativeClip(root, '/srv/media/funny/1/cat.mp4')).toBe('funny/1/cat.mp4');
    expect(relativeClip(root, 'funny/1/cat.mp4')).toBe('funny/1/cat.mp4');
    expect(relativeClip(root, '/elsewhere/dog.mp4')).toBe('dog.mp4');
    expect(relativeClip(root, null)).toBeNull();
  });

  it('gives per-clip rounds, crack rate, median time to crack, last played and failures', () => {
    const t = clipTable({
      root,
      modes: { funny: 'funny', scary: 'scary' },
      clips: [
        { folder: 'funny/1', clip: { file: '/srv/media/funny/1/a.mp4', durationMs: 20_000 } },
        { folder: 'scary/2', clip: { file: '/srv/media/scary/2/b.mp4', durationMs: 9_000 } },
      ],
      skipped: [{ file: '/srv/media/funny/1/broken.mp4', reason: 'no video stream' }],
      results: [
        res('/srv/media/funny/1/a.mp4', 'cracked', 3000, 100),
        res('/srv/media/funny/1/a.mp4', 'cracked', 5000, 300),
        res('/srv/media/funny/1/a.mp4', 'cracked', 4000, 200),
        res('/srv/media/funny/1/a.mp4', 'survived', 20_000, 400),
        res('/srv/media/funny/1/a.mp4', 'aborted', 100, 500, 'staff'),
        res('/srv/media/funny/1/gone.mp4', 'aborted', 10, 600, 'clip_failed: mpv: file not found'),
        res(null, 'aborted', 0, 700, 'face_lost'),
      ],
    });
    expect(t.clips.map((c) => c.name)).toEqual(['funny/1/a.mp4', 'funny/1/gone.mp4', 'scary/2/b.mp4']);
    expect(t.clips[0]).toEqual({
      name: 'funny/1/a.mp4',
      mode: 'funny',
      level: 1,
      durationMs: 20_000,
      playable: true,
      rounds: 5,
      cracked: 3,
      survived: 1,
      aborted: 1,
      crackRate: 0.75,
      medianCrackMs: 4000,
      lastPlayed: 500,
      failures: 0,
    });
    expect(t.clips[1]).toMatchObject({ playable: false, durationMs: null, failures: 1, crackRate: null, medianCrackMs: null });
    expect(t.clips[2]).toMatchObject({ mode: 'scary', level: 2, rounds: 0, lastPlayed: null });
    expect(t.problems).toEqual([
      { name: 'funny/1/broken.mp4', kind: 'probe', reason: 'no video stream', at: null },
      { name: 'funny/1/gone.mp4', kind: 'play', reason: 'mpv: file not found', at: 600 },
    ]);
  });

  it('writes CSV with quoting, relative clips and defused formulas', () => {
    const csv = resultsCsv([res('/srv/media/funny/1/a,b.mp4', 'aborted', 1234.4, Date.UTC(2026, 0, 2, 3, 4, 5), '=HYPERLINK("x")')], root);
    const lines = csv.split('\r\n');
    expect(lines[0]).toBe('ended_at,mode,level,clip,outcome,peak,duration_ms,reason,id');
    expect(lines[1]).toBe(`2026-01-02T03:04:05.000Z,funny,1,"funny/1/a,b.mp4",aborted,0.5,1234,"'=HYPERLINK(""x"")",r${Date.UTC(2026, 0, 2, 3, 4, 5)}`);
    expect(lines[2]).toBe('');
  });

  it('summarises the last lag samples', () => {
    const w = new LagWindow(3);
    expect(w.summary()).toEqual({ meanMs: 0, maxMs: 0 });
    for (const x of [100, 1, 2, 3]) w.observe(x);
    expect(w.summary()).toEqual({ meanMs: 2, maxMs: 3 });
  });

  it('labels the broker without credentials', () => {
    expect(brokerLabel('embedded', '127.0.0.1', 1883)).toBe('embedded 127.0.0.1:1883');
    expect(brokerLabel('mqtts://user:secret@broker.lan:8883', '', 0)).toBe('mqtts://broker.lan:8883');
    expect(brokerLabel('not a url', '', 0)).toBe('external');
  });
});
