// The totals summary (schema 2): kept by triggers in the transaction of every append and
// prune, so totals never scan the rounds and never disagree with them.
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import Database from 'better-sqlite3';
import { ManualClock } from '../../../src/clock.js';
import { silentLogger } from '../../../src/log.js';
import { RECENT_MAX, SqliteResultsStore } from '../../../src/ops/results.js';
import type { Outcome, ResultTotals, RoundResult } from '../../../src/types.js';

const DAY = 86_400_000;
const NOON = new Date(2026, 10, 20, 12, 0, 0).getTime();
const OUTCOMES: Outcome[] = ['cracked', 'survived', 'aborted'];

function result(i: number, endedAt: number): RoundResult {
  return { id: `r${i}`, endedAt, mode: i % 3 === 0 ? 'scary' : 'funny', level: 1 + (i % 3), clip: null, outcome: OUTCOMES[i % 3] as Outcome, peak: 0.5, durationMs: 1000 };
}

/** the totals computed the old way: a scan of every round */
function scanTotals(path: string): ResultTotals[] {
  const db = new Database(path, { readonly: true });
  const rows = db
    .prepare(
      `SELECT date(ended_at / 1000, 'unixepoch', 'localtime') AS day, mode, level, count(*) AS rounds,
              sum(outcome = 'cracked') AS cracked, sum(outcome = 'survived') AS survived, sum(outcome = 'aborted') AS aborted
         FROM results GROUP BY day, mode, level ORDER BY day DESC, mode, level`,
    )
    .all() as ResultTotals[];
  db.close();
  return rows;
}

describe('results log summary', () => {
  let dir = '';
  const open: SqliteResultsStore[] = [];
  afterEach(async () => {
    for (const s of open.splice(0)) await s.stop();
    if (dir) rmSync(dir, { recursive: true, force: true });
    dir = '';
  });

  function store(path: string, clock: ManualClock, maxRows = 100_000, retentionDays = 30): SqliteResultsStore {
    const s = new SqliteResultsStore({ path, retentionDays, maxRows, clock, log: silentLogger });
    open.push(s);
    return s;
  }

  it('matches a full scan after appends and after pruning by age and by row count', async () => {
    dir = mkdtempSync(join(tmpdir(), 'pokerface-summary-'));
    const path = join(dir, 'r.sqlite');
    const clock = new ManualClock(0, NOON);
    const s = store(path, clock, 150, 5);
    await s.start();
    for (let i = 0; i < 200; i++) s.append(result(i, NOON - (i % 10) * DAY + i));
    expect(s.totals()).toEqual(scanTotals(path));
    expect(s.prune()).toBeGreaterThan(0);
    expect(s.count()).toBeLessThanOrEqual(150);
    expect(s.totals()).toEqual(scanTotals(path));
    expect(s.totals().reduce((n, t) => n + t.rounds, 0)).toBe(s.count());
    // a window in days: only days from the window's first day on
    const two = s.totals({ sinceDays: 1 });
    expect(new Set(two.map((t) => t.day)).size).toBeLessThanOrEqual(2);
  });

  it('sums an existing schema-1 log once when it is opened by this version', async () => {
    dir = mkdtempSync(join(tmpdir(), 'pokerface-summary-'));
    const path = join(dir, 'old.sqlite');
    const db = new Database(path);
    db.exec(`CREATE TABLE results (id TEXT PRIMARY KEY, ended_at INTEGER NOT NULL, mode TEXT NOT NULL, level INTEGER NOT NULL, clip TEXT,
      outcome TEXT NOT NULL, peak REAL NOT NULL, duration_ms INTEGER NOT NULL, reason TEXT); PRAGMA user_version = 1;`);
    const ins = db.prepare('INSERT INTO results VALUES (?, ?, ?, ?, NULL, ?, 0.5, 1000, NULL)');
    db.transaction(() => {
      for (let i = 0; i < 300; i++) {
        const r = result(i, NOON - (i % 4) * DAY);
        ins.run(r.id, r.endedAt, r.mode, r.level, r.outcome);
      }
    })();
    db.close();
    const before = scanTotals(path);
    const s = store(path, new ManualClock(0, NOON));
    await s.start();
    expect(s.totals()).toEqual(before);
    s.append(result(1000, NOON));
    expect(s.totals()).toEqual(scanTotals(path));
  });

  it('caps a page of recent rounds', async () => {
    const s = store(':memory:', new ManualClock(0, NOON));
    await s.start();
    for (let i = 0; i < RECENT_MAX + 20; i++) s.append(result(i, NOON - i));
    expect(s.recent(100_000)).toHaveLength(RECENT_MAX);
  });
});
