import { mkdtempSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import Database from 'better-sqlite3';
import { ManualClock } from '../../../src/clock.js';
import { defaultConfig } from '../../../src/config/load.js';
import { Daemon } from '../../../src/daemon.js';
import { silentLogger } from '../../../src/log.js';
import { resultsModule } from '../../../src/ops/module.js';
import { SqliteResultsStore } from '../../../src/ops/results.js';
import type { ResultsStore, RoundResult } from '../../../src/types.js';

const DAY = 86_400_000;
// Noon local time, so day grouping does not depend on the machine's time zone.
const NOON = new Date(2026, 10, 20, 12, 0, 0).getTime();

function result(i: number, endedAt: number, over: Partial<RoundResult> = {}): RoundResult {
  return { id: `r${i}`, endedAt, mode: 'funny', level: 1, clip: `funny/1/c${i}.mp4`, outcome: 'cracked', peak: 0.8, durationMs: 12_000, ...over };
}

describe('SQLite results log', () => {
  let dir = '';
  const open: SqliteResultsStore[] = [];
  afterEach(async () => {
    for (const s of open.splice(0)) await s.stop();
    if (dir) rmSync(dir, { recursive: true, force: true });
    dir = '';
  });

  function store(opts: { retentionDays?: number; maxRows?: number; clock?: ManualClock; path?: string } = {}): SqliteResultsStore {
    dir ||= mkdtempSync(join(tmpdir(), 'pokerface-results-'));
    const s = new SqliteResultsStore({
      path: opts.path ?? join(dir, 'sub', 'results.sqlite'),
      retentionDays: opts.retentionDays ?? 365,
      maxRows: opts.maxRows ?? 1000,
      clock: opts.clock ?? new ManualClock(0, NOON),
      log: silentLogger,
    });
    open.push(s);
    return s;
  }

  it('opens in WAL mode with synchronous=FULL and survives reopening', async () => {
    const s = store();
    await s.start();
    s.append(result(1, NOON - 1000));
    s.append(result(2, NOON, { outcome: 'survived', reason: undefined }));
    s.append(result(2, NOON)); // same id: ignored
    await s.stop();
    const path = join(dir, 'sub', 'results.sqlite');
    const raw = new Database(path, { readonly: true });
    expect(raw.pragma('journal_mode', { simple: true })).toBe('wal');
    raw.close();
    const again = store({ path });
    await again.start();
    expect(again.recent(10).map((r) => r.id)).toEqual(['r2', 'r1']);
    expect(again.recent(10)[0]).toEqual(result(2, NOON, { outcome: 'survived' }));
    expect(readdirSync(join(dir, 'sub'))).toContain('results.sqlite');
  });

  it('totals per day, mode and level', async () => {
    const s = store();
    await s.start();
    s.append(result(1, NOON - 2 * DAY));
    s.append(result(2, NOON - 60_000, { outcome: 'survived' }));
    s.append(result(3, NOON - 30_000));
    s.append(result(4, NOON - 10_000, { mode: 'scary', level: 3, outcome: 'aborted', reason: 'player left' }));
    const totals = s.totals();
    const today = new Date(NOON).toLocaleDateString('sv-SE');
    expect(totals).toEqual([
      { day: today, mode: 'funny', level: 1, rounds: 2, cracked: 1, survived: 1, aborted: 0 },
      { day: today, mode: 'scary', level: 3, rounds: 1, cracked: 0, survived: 0, aborted: 1 },
      { day: new Date(NOON - 2 * DAY).toLocaleDateString('sv-SE'), mode: 'funny', level: 1, rounds: 1, cracked: 1, survived: 0, aborted: 0 },
    ]);
    expect(s.totals({ sinceDays: 1 })).toHaveLength(2);
    expect(s.recent(1)[0]?.reason).toBe('player left');
  });

  it('prunes by retentionDays and maxRows on start and on demand', async () => {
    const clock = new ManualClock(0, NOON);
    const first = store({ clock });
    await first.start();
    for (let i = 0; i < 150; i++) first.append(result(i, NOON - 40 * DAY + i * 1000));
    for (let i = 150; i < 300; i++) first.append(result(i, NOON - 1 * DAY + i * 1000));
    expect(first.count()).toBe(300);
    await first.stop();
    const path = join(dir, 'sub', 'results.sqlite');
    const s = store({ clock, path, retentionDays: 30, maxRows: 100 });
    await s.start();
    expect(s.count()).toBe(100);
    expect(s.recent(1)[0]?.id).toBe('r299');
    expect(s.recent(1000).at(-1)?.id).toBe('r200');
    clock.advance(30 * DAY);
    expect(s.prune()).toBe(100);
    expect(s.count()).toBe(0);
  });

  it('a failed write is reported in health, never thrown', async () => {
    const s = store();
    s.append(result(1, NOON)); // not started
    expect(s.health()).toMatchObject({ healthy: false });
    expect(s.writeFailures).toBe(1);
    await s.start();
    s.append(result(1, NOON));
    expect(s.health()).toEqual({ name: 'results', healthy: true, reasons: [] });
  });

  it('a path it cannot create does not stop the start: unhealthy, saying why, rounds kept in memory', async () => {
    dir = mkdtempSync(join(tmpdir(), 'pokerface-results-'));
    writeFileSync(join(dir, 'file'), 'not a folder');
    const s = store({ path: join(dir, 'file', 'results.sqlite') });
    await s.start();
    s.append(result(1, NOON));
    expect(s.pending).toBe(1);
    const h = s.health();
    expect(h.healthy).toBe(false);
    expect(h.reasons.join('; ')).toMatch(/results log is not open: .*file\/results\.sqlite: .*(EEXIST|ENOTDIR|not a directory|file already exists)/);
    expect(h.reasons.join('; ')).toContain('1 round(s) waiting in memory');
  });

  it('resultsModule registers services.results', async () => {
    dir = mkdtempSync(join(tmpdir(), 'pokerface-results-'));
    const base = defaultConfig();
    const config = { ...base, results: { ...base.results, path: join(dir, 'r.sqlite') } };
    const d = new Daemon({ config: config, log: silentLogger, modules: [resultsModule()] });
    await d.start();
    const svc = d.serviceMap.results as ResultsStore;
    svc.append(result(9, Date.now()));
    expect(svc.recent(5)).toHaveLength(1);
    expect(d.health()).toEqual([{ name: 'results', healthy: true, reasons: [] }]);
    await d.stop();
  });
});
