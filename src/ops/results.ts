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
const SCHEMA_VERSION = 2;
/** most rows `recent()` returns, whatever the caller asks */
export const RECENT_MAX = 500;

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
    const n = Math.max(0, Math.min(RECENT_MAX, Math.floor(limit)));
    // served by the ended_at index read backwards: cost grows with n, not with the table
    const rows = this.db.prepare('SELECT * FROM results ORDER BY ended_at DESC, rowid DESC LIMIT ?').all(n) as Row[];
    return rows.map(toResult);
  }

  /**
   * Totals per local day, mode and level, from the summary the triggers keep in the same
   * transaction as each append and prune: a read costs the days asked for, never a scan
   * of every round (200 000 rows took over a second on the main thread).
   */
  totals(opts: { sinceDays?: number } = {}): ResultTotals[] {
    if (!this.db) return [];
    const since = opts.sinceDays !== undefined ? this.opts.clock.wall() - opts.sinceDays * DAY_MS : 0;
    const hasSummary = this.db.prepare("SELECT 1 FROM sqlite_master WHERE type = 'table' AND name = 'results_daily'").get() !== undefined;
    // Days are local time: staff read "today" as the booth's day, not UTC's.
    const rows = (
      hasSummary
        ? this.db
            .prepare(
              `SELECT day, mode, level, rounds, cracked, survived, aborted FROM results_daily
                WHERE day >= date(? / 1000, 'unixepoch', 'localtime') AND rounds > 0
                ORDER BY day DESC, mode, level`,
            )
            .all(since)
        : // a log written by an older pokerface, opened read-only by `pokerface results`
          this.db
            .prepare(
              `SELECT date(ended_at / 1000, 'unixepoch', 'localtime') AS day, mode, level,
                      count(*) AS rounds, sum(outcome = 'cracked') AS cracked,
                      sum(outcome = 'survived') AS survived, sum(outcome = 'aborted') AS aborted
                 FROM results WHERE ended_at >= ?
                GROUP BY day, mode, level ORDER BY day DESC, mode, level`,
            )
            .all(since)
    ) as ResultTotals[];
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
      `);
    }
    if (version < 2) migrateSummary(db);
    if (version < SCHEMA_VERSION) db.pragma(`user_version = ${SCHEMA_VERSION}`);
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

/**
 * Schema 2: results_daily holds the totals per local day, mode and level. Triggers keep it
 * in step inside the transaction of every insert and delete (append, prune), so it can
 * never disagree with the rows; an existing log is summed once here.
 */
function migrateSummary(db: Database.Database): void {
  const DAY = "date(%.ended_at / 1000, 'unixepoch', 'localtime')";
  const delta = (r: 'new' | 'old', sign: '+' | '-'): string =>
    `rounds = rounds ${sign} 1, cracked = cracked ${sign} (${r}.outcome = 'cracked'), survived = survived ${sign} (${r}.outcome = 'survived'), aborted = aborted ${sign} (${r}.outcome = 'aborted')`;
  db.transaction(() => {
    db.exec(`
      CREATE TABLE IF NOT EXISTS results_daily (
        day      TEXT NOT NULL,
        mode     TEXT NOT NULL,
        level    INTEGER NOT NULL,
        rounds   INTEGER NOT NULL DEFAULT 0,
        cracked  INTEGER NOT NULL DEFAULT 0,
        survived INTEGER NOT NULL DEFAULT 0,
        aborted  INTEGER NOT NULL DEFAULT 0,
        PRIMARY KEY (day, mode, level)
      ) WITHOUT ROWID;
      DELETE FROM results_daily;
      INSERT INTO results_daily (day, mode, level, rounds, cracked, survived, aborted)
        SELECT ${DAY.replace('%.', '')}, mode, level, count(*), sum(outcome = 'cracked'), sum(outcome = 'survived'), sum(outcome = 'aborted')
          FROM results GROUP BY 1, 2, 3;
      CREATE TRIGGER IF NOT EXISTS results_daily_insert AFTER INSERT ON results BEGIN
        INSERT OR IGNORE INTO results_daily (day, mode, level) VALUES (${DAY.replace('%', 'new')}, new.mode, new.level);
        UPDATE results_daily SET ${delta('new', '+')}
         WHERE day = ${DAY.replace('%', 'new')} AND mode = new.mode AND level = new.level;
      END;
      CREATE TRIGGER IF NOT EXISTS results_daily_delete AFTER DELETE ON results BEGIN
        UPDATE results_daily SET ${delta('old', '-')}
         WHERE day = ${DAY.replace('%', 'old')} AND mode = old.mode AND level = old.level;
        DELETE FROM results_daily WHERE day = ${DAY.replace('%', 'old')} AND mode = old.mode AND level = old.level AND rounds <= 0;
      END;
    `);
  })();
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
