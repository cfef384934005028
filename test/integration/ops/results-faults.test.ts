// The results log degrades, it never stops the booth (issue 13): a file that is not a
// database is moved aside (old bytes kept) and replaced; a read-only folder or a full disk
// leaves the store unhealthy with rounds kept in memory and retried. Real SQLite on real
// file systems: a small tmpfs where this machine lets us mount one (root), else chmod (a
// read-only folder for a user) or an error injected at the store's file-system boundary.
import { spawnSync } from 'node:child_process';
import { chmodSync, existsSync, mkdirSync, mkdtempSync, readFileSync, readdirSync, rmSync, unlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import Database from 'better-sqlite3';
import { ManualClock } from '../../../src/clock.js';
import { silentLogger } from '../../../src/log.js';
import { SqliteResultsStore, type ResultsFs } from '../../../src/ops/results.js';
import type { RoundResult } from '../../../src/types.js';
import { waitFor } from '../../wait-for.js';

const NOON = new Date(2026, 10, 20, 12, 0, 0).getTime();

function result(i: number): RoundResult {
  return { id: `r${i}`, endedAt: NOON + i, mode: 'funny', level: 1, clip: 'funny/1/c.mp4', outcome: 'cracked', peak: 0.8, durationMs: 12_000 };
}

const isRoot = process.getuid?.() === 0;

/** Mount a tmpfs of `size` at dir; false where this machine does not allow it. */
function mountTmpfs(dir: string, size: string): boolean {
  return spawnSync('mount', ['-t', 'tmpfs', '-o', `size=${size}`, 'tmpfs', dir], { stdio: 'ignore' }).status === 0;
}
function remount(dir: string, mode: 'ro' | 'rw'): void {
  const r = spawnSync('mount', ['-o', `remount,${mode}`, dir], { encoding: 'utf8' });
  if (r.status !== 0) throw new Error(`remount ${mode} ${dir}: ${r.stderr}`);
}

/** Fill the file system holding dir; returns the filler file to delete. */
function fill(dir: string): string {
  const f = join(dir, 'filler');
  try {
    writeFileSync(f, Buffer.alloc(64 << 20));
  } catch (e) {
    if ((e as NodeJS.ErrnoException).code !== 'ENOSPC') throw e;
  }
  return f;
}

function sqliteError(code: string, message: string): Error {
  return Object.assign(new Error(message), { code });
}

describe('results log faults (real SQLite)', () => {
  const cleanup: Array<() => void> = [];
  afterEach(async () => {
    for (const s of stores.splice(0)) await s.stop();
    for (const f of cleanup.splice(0).reverse()) f();
  });
  const stores: SqliteResultsStore[] = [];

  function tmp(): string {
    const d = mkdtempSync(join(tmpdir(), 'pokerface-results-faults-'));
    cleanup.push(() => rmSync(d, { recursive: true, force: true }));
    return d;
  }
  function store(path: string, fs?: Partial<ResultsFs>): SqliteResultsStore {
    const s = new SqliteResultsStore({ path, retentionDays: 365, maxRows: 1000, retryMs: 100, queueMax: 5, clock: new ManualClock(0, NOON), log: silentLogger, ...(fs ? { fs } : {}) });
    stores.push(s);
    return s;
  }
  const ids = (path: string): string[] => {
    const db = new Database(path, { readonly: true });
    try {
      return (db.prepare('SELECT id FROM results ORDER BY rowid').all() as Array<{ id: string }>).map((r) => r.id);
    } finally {
      db.close();
    }
  };

  it('a file that is not a database is moved aside with its -wal/-shm, bytes kept, and a fresh log takes the rounds', async () => {
    const dir = tmp();
    const path = join(dir, 'results.sqlite');
    const junk = Buffer.from('this is not an SQLite database, it is what a bad SD card leaves\n'.repeat(200));
    writeFileSync(path, junk);
    writeFileSync(`${path}-wal`, 'old wal bytes');
    writeFileSync(`${path}-shm`, 'old shm bytes');
    const s = store(path);
    const t0 = performance.now();
    await s.start();
    console.log(`corrupt results file: moved aside and a fresh log open in ${(performance.now() - t0).toFixed(1)} ms`);
    expect(s.health()).toEqual({ name: 'results', healthy: true, reasons: [] });
    expect(s.movedAside).toHaveLength(1);
    const aside = s.movedAside[0] as string;
    expect(aside).toBe(`${path}.corrupt-${new Date(NOON).toISOString().replace(/[:.]/g, '-')}`);
    expect(readFileSync(aside).equals(junk)).toBe(true);
    expect(readFileSync(`${aside}-wal`, 'utf8')).toBe('old wal bytes');
    expect(readFileSync(`${aside}-shm`, 'utf8')).toBe('old shm bytes');
    s.append(result(1));
    expect(s.count()).toBe(1);
    await s.stop();
    expect(ids(path)).toEqual(['r1']);
    // a second corrupt file the same millisecond gets its own name, never overwriting the first
    writeFileSync(path, 'junk again');
    const t = store(path);
    await t.start();
    expect(t.movedAside[0]).toBe(`${aside}-1`);
    expect(readFileSync(aside).equals(junk)).toBe(true);
    await t.stop();
    // SQLite's own header over damaged pages: found by SQLite, set aside before it closes the file
    const damaged = Buffer.concat([Buffer.from('SQLite format 3\0', 'latin1'), Buffer.alloc(8192, 0xa5)]);
    writeFileSync(path, damaged);
    writeFileSync(`${path}-wal`, 'wal of the damaged log');
    const u = store(path);
    await u.start();
    expect(u.health().healthy).toBe(true);
    expect(u.movedAside).toHaveLength(1);
    expect(readFileSync(u.movedAside[0] as string).equals(damaged)).toBe(true);
    expect(readFileSync(`${u.movedAside[0] as string}-wal`, 'utf8')).toBe('wal of the damaged log');
  });

  it('read-only folder: unhealthy with the reason, rounds queued in order and written once it is writable; an existing log is left untouched', async () => {
    const dir = tmp();
    const folder = join(dir, 'ro');
    mkdirSync(folder);
    let makeReadOnly: () => void;
    let makeWritable: () => void;
    if (isRoot && mountTmpfs(folder, '1m')) {
      cleanup.push(() => void spawnSync('umount', [folder]));
      makeReadOnly = () => remount(folder, 'ro');
      makeWritable = () => remount(folder, 'rw');
    } else if (!isRoot) {
      makeReadOnly = () => chmodSync(folder, 0o555);
      makeWritable = () => chmodSync(folder, 0o755);
      cleanup.push(() => chmodSync(folder, 0o755));
    } else {
      // root without mount: read-only is not reachable for real, so the boundary fails instead
      let ro = false;
      const open = (p: string): Database.Database => {
        if (ro) throw sqliteError('SQLITE_CANTOPEN', 'unable to open database file');
        return new Database(p);
      };
      makeReadOnly = () => void (ro = true);
      makeWritable = () => void (ro = false);
      return runReadOnly(folder, makeReadOnly, makeWritable, { open });
    }
    await runReadOnly(folder, makeReadOnly, makeWritable);
  });

  async function runReadOnly(folder: string, makeReadOnly: () => void, makeWritable: () => void, fs?: Partial<ResultsFs>): Promise<void> {
    // a log with rounds already on disk
    const path = join(folder, 'results.sqlite');
    const first = store(path, fs);
    await first.start();
    first.append(result(1));
    await first.stop();
    const before = readFileSync(path);
    rmSync(`${path}-shm`, { force: true });
    rmSync(`${path}-wal`, { force: true });
    makeReadOnly();
    const s = store(path, fs);
    await s.start();
    const h = s.health();
    expect(h.healthy).toBe(false);
    expect(h.reasons[0]).toMatch(/^results log is not open: .*results\.sqlite: (unable to open|attempt to write a readonly)/);
    for (const i of [2, 3]) s.append(result(i));
    expect(s.pending).toBe(2);
    expect(s.health().reasons).toContain('2 round(s) waiting in memory, retried every 100 ms');
    // retried while still read-only: nothing moved, nothing lost. A bounded wait is the only
    // way to see that nothing happens: 350 ms is three retries at 100 ms.
    await new Promise((r) => setTimeout(r, 350));
    expect(readdirSync(folder).filter((f) => f.includes('corrupt'))).toEqual([]);
    expect(readFileSync(path).equals(before)).toBe(true);
    makeWritable();
    await waitFor(() => s.pending === 0, { everyMs: 50, what: () => `the pending rounds to be written (${s.pending} left)` });
    expect(s.pending).toBe(0);
    expect(s.health().healthy).toBe(true);
    await s.stop();
    expect(ids(path)).toEqual(['r1', 'r2', 'r3']);
  }

  it('full disk before the first write and during the run: queued (bounded), retried, written when space is back', async () => {
    const dir = tmp();
    const folder = join(dir, 'small');
    mkdirSync(folder);
    const path = join(folder, 'results.sqlite');
    let makeFull: () => void;
    let makeRoom: () => void;
    let fs: Partial<ResultsFs> | undefined;
    if (isRoot && mountTmpfs(folder, '256k')) {
      cleanup.push(() => void spawnSync('umount', [folder]));
      let filler = '';
      makeFull = () => void (filler = fill(folder));
      makeRoom = () => unlinkSync(filler);
    } else {
      // no tmpfs here: the disk fills at the store's boundary (the first open, then writes)
      let full = false;
      fs = {
        open: (p) => {
          if (full) throw sqliteError('SQLITE_FULL', 'database or disk is full');
          const db = new Database(p);
          const prepare = db.prepare.bind(db);
          db.prepare = ((sql: string) => {
            const st = prepare(sql);
            const run = st.run.bind(st);
            st.run = ((...a: unknown[]) => {
              if (full) throw sqliteError('SQLITE_FULL', 'database or disk is full');
              return run(...(a as []));
            });
            return st;
          }) as typeof db.prepare;
          return db;
        },
      };
      makeFull = () => void (full = true);
      makeRoom = () => void (full = false);
    }
    makeFull();
    const s = store(path, fs);
    await s.start();
    expect(s.health().healthy).toBe(false);
    expect(s.health().reasons[0]).toMatch(/results log is not open: .*(disk is full|ENOSPC)/);
    s.append(result(1));
    makeRoom();
    await waitFor(() => s.pending === 0, { everyMs: 50, what: () => `the pending rounds to be written (${s.pending} left)` });
    expect(s.pending).toBe(0);
    expect(s.health().healthy).toBe(true);
    // the disk fills while running: appends wait in a bounded queue (queueMax 5)
    makeFull();
    for (let i = 2; i <= 8; i++) s.append(result(i));
    expect(s.pending).toBe(5);
    const h = s.health();
    expect(h.healthy).toBe(false);
    expect(h.reasons.join('; ')).toMatch(/last write failed: database or disk is full/);
    expect(h.reasons).toContain('2 round(s) dropped from the full memory queue');
    makeRoom();
    await waitFor(() => s.pending === 0, { everyMs: 50, what: () => `the pending rounds to be written (${s.pending} left)` });
    expect(s.pending).toBe(0);
    await s.stop();
    expect(ids(path)).toEqual(['r1', 'r4', 'r5', 'r6', 'r7', 'r8']);
    expect(existsSync(path)).toBe(true);
  });
});
