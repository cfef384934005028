// The results log: every round's result in SQLite (better-sqlite3), durable across power
// loss, bounded in size by retention, with totals per day/mode/level.
import { mkdirSync } from 'node:fs';
import { dirname } from 'node:path';
import Database from 'better-sqlite3';
import { PokerfaceError } from '../errors.js';
import type { Logger } from '../log.js';
import type { Clock, Lifecycle, ModuleHealth, Outcome, ResultTotals, ResultsStore, RoundResult } from '../types.js';
import type { Timers } from './notify.js';

const DAY_MS = 86_400_000;
const SCHEMA_VERSION = 1;

export interface SqliteResultsOptions {
  /** file path, or ':memory:' */
  path: string;
  retentionDays: number;
  maxRows: number;
  clock: Clock;
  log: Logger;
  /** how often to prune while running (default hourly) */
  pruneEveryMs?: number;
  timers?: Timers;
  /** open an existing log for reading only (the `pokerface results` command): no schema change, no pruning */
  readonly?: boolean;
}

interface Row {
  id: string;
  ended_at: number;
  mode: string;
  level: number;
  clip: string | null;
  outcome: Outcome;
  peak: number;
  duration_ms: number;
  reason: string | null;
}

export class SqliteResultsStore implements ResultsStore, Lifecycle {
  readonly name = 'results';
  private db: Database.Database | null = null;
  private timer: unknown = null;
  private failures = 0;
  private lastError: string | null = null;
  private insert: Database.Statement | null = null;

  constructor(private readonly opts: SqliteResultsOptions) {}

  start(): Promise<void> {
    if (this.db) return Promise.resolve();
    try {
      if (this.opts.readonly) {
        this.db = new Database(this.opts.path, { readonly: true, fileMustExist: true });
        return Promise.resolve();
      }
      if (this.opts.path !== ':memory:') mkdirSync(dirname(this.opts.path), { recursive: true });
      const db = new Database(this.opts.path);
      // WAL: a crash or power cut mid-write leaves the last committed state intact, and
      // readers (REST) never block the writer. synchronous=FULL fsyncs the WAL on every
      // commit, so a round reported as stored survives a power cut; NORMAL could lose the
      // last rounds. At one commit per round (a minute or so) the fsync costs nothing.
      db.pragma('journal_mode = WAL');
      db.pragma('synchronous = FULL');
      db.pragma('busy_timeout = 2000');
      this.migrate(db);
      this.db = db;
      this.insert = db.prepare(
        'INSERT OR IGNORE INTO results (id, ended_at, mode, level, clip, outcome, peak, duration_ms, reason) VALUES (@id, @endedAt, @mode, @level, @clip, @outcome, @peak, @durationMs, @reason)',
      );
      this.prune();
    } catch (e) {
      this.close();
      return Promise.reject(new PokerfaceError('POKERFACE_ERR_RESULTS_STORE', `${this.opts.path}: ${(e as Error).message}`, { cause: e }));
    }
    const timers = this.opts.timers ?? { setInterval: (cb: () => void, ms: number) => setInterval(cb, ms), clearInterval: (h: unknown) => clearInterval(h as NodeJS.Timeout) };
    this.timer = timers.setInterval(() => this.prune(), this.opts.pruneEveryMs ?? 3_600_000);
    return Promise.resolve();
  }

  stop(): Promise<void> {
    if (this.timer !== null) {
      const timers = this.opts.timers ?? { clearInterval: (h: unknown) => clearInterval(h as NodeJS.Timeout) };
      timers.clearInterval(this.timer);
      this.timer = null;
    }
    this.close();
    return Promise.resolve();
  }

  /** Never throws: a full or failing disk must not stop the game; it shows in health. */
  append(r: RoundResult): void {
    if (!this.db || !this.insert) {
      this.fail(new Error('results log is not open'), r);
      return;
    }
    try {
      this.insert.run({
        id: r.id,
        endedAt: Math.round(r.endedAt),
        mode: r.mode,
        level: r.level,
        clip: r.clip,
        outcome: r.outcome,
        peak: r.peak,
        durationMs: Math.round(r.durationMs),
        reason: r.reason ?? null,
      });
      this.lastError = null;
    } catch (e) {
      this.fail(e as Error, r);
    }
  }

  recent(limit: number): RoundResult[] {
    if (!this.db) return [];
    const n = Math.max(0, Math.min(10_000, Math.floor(limit)));
    const rows = this.db.prepare('SELECT * FROM results ORDER BY ended_at DESC, rowid DESC LIMIT ?').all(n) as Row[];
    return rows.map(toResult);
  }

  totals(opts: { sinceDays?: number } = {}): ResultTotals[] {
    if (!this.db) return [];
    const since = opts.sinceDays !== undefined ? this.opts.clock.wall() - opts.sinceDays * DAY_MS : 0;
    // Days are local time: staff read "today" as the booth's day, not UTC's.
    const rows = this.db
      .prepare(
        `SELECT date(ended_at / 1000, 'unixepoch', 'localtime') AS day, mode, level,
                count(*) AS rounds,
                sum(outcome = 'cracked') AS cracked,
                sum(outcome = 'survived') AS survived,
                sum(outcome = 'aborted') AS aborted
           FROM results WHERE ended_at >= ?
          GROUP BY day, mode, level ORDER BY day DESC, mode, level`,
      )
      .all(since) as ResultTotals[];
    return rows.map((t) => ({ ...t, level: Number(t.level), rounds: Number(t.rounds), cracked: Number(t.cracked), survived: Number(t.survived), aborted: Number(t.aborted) }));
  }

  count(): number {
    if (!this.db) return 0;
    return (this.db.prepare('SELECT count(*) AS n FROM results').get() as { n: number }).n;
  }

  /** Drop rounds older than retentionDays, then the oldest beyond maxRows. Returns rows removed. */
  prune(): number {
    if (!this.db) return 0;
    try {
      const cutoff = this.opts.clock.wall() - this.opts.retentionDays * DAY_MS;
      const old = this.db.prepare('DELETE FROM results WHERE ended_at < ?').run(cutoff).changes;
      const extra = this.db
        .prepare('DELETE FROM results WHERE rowid IN (SELECT rowid FROM results ORDER BY ended_at DESC, rowid DESC LIMIT -1 OFFSET ?)')
        .run(this.opts.maxRows).changes;
      if (old + extra > 0) {
        // Freed pages are reused by later inserts, so the file stops growing at the bound;
        // a checkpoint keeps the WAL file itself small on the SD card.
        this.db.pragma('wal_checkpoint(TRUNCATE)');
        this.opts.log.info({ expired: old, overflow: extra }, 'results log pruned');
      }
      return old + extra;
    } catch (e) {
      this.opts.log.error({ err: e }, 'results log prune failed');
      return 0;
    }
  }

  health(): ModuleHealth {
    const reasons: string[] = [];
    if (!this.db) reasons.push('results log is not open');
    if (this.lastError) reasons.push(`last write failed: ${this.lastError}`);
    return { name: this.name, healthy: reasons.length === 0, reasons };
  }

  get writeFailures(): number {
    return this.failures;
  }

  private migrate(db: Database.Database): void {
    const version = db.pragma('user_version', { simple: true }) as number;
    if (version > SCHEMA_VERSION) throw new Error(`results log schema ${version} is newer than this pokerface understands (${SCHEMA_VERSION})`);
    if (version < 1) {
      db.exec(`
        CREATE TABLE IF NOT EXISTS results (
          id          TEXT PRIMARY KEY,
          ended_at    INTEGER NOT NULL,
          mode        TEXT NOT NULL,
          level       INTEGER NOT NULL,
          clip        TEXT,
          outcome     TEXT NOT NULL CHECK (outcome IN ('cracked', 'survived', 'aborted')),
          peak        REAL NOT NULL,
          duration_ms INTEGER NOT NULL,
          reason      TEXT
        );
        CREATE INDEX IF NOT EXISTS results_ended_at ON results (ended_at);
        PRAGMA user_version = ${SCHEMA_VERSION};
      `);
    }
  }

  private fail(e: Error, r: RoundResult): void {
    this.failures++;
    this.lastError = e.message;
    const err = new PokerfaceError('POKERFACE_ERR_RESULTS_STORE', e.message, { cause: e });
    this.opts.log.error({ code: err.code, id: r.id, outcome: r.outcome, failures: this.failures }, err.message);
  }

  private close(): void {
    this.insert = null;
    if (this.db) {
      try {
        this.db.close();
      } catch {
        // closing twice or after an I/O error: nothing left to release
      }
    }
    this.db = null;
  }
}

function toResult(row: Row): RoundResult {
  const r: RoundResult = {
    id: row.id,
    endedAt: row.ended_at,
    mode: row.mode,
    level: row.level,
    clip: row.clip,
    outcome: row.outcome,
    peak: row.peak,
    durationMs: row.duration_ms,
  };
  if (row.reason !== null) r.reason = row.reason;
  return r;
}
