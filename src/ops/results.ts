// The results log: every round's result in SQLite (better-sqlite3), durable across power
// loss, bounded in size by retention, with totals per day/mode/level.
import { accessSync, closeSync, constants, existsSync, mkdirSync, openSync, readSync, renameSync } from 'node:fs';
import { dirname } from 'node:path';
import Database from 'better-sqlite3';
import { PokerfaceError } from '../errors.js';
import type { Logger } from '../log.js';
import type { Clock, Lifecycle, ModuleHealth, Outcome, ResultTotals, ResultsStore, RoundResult } from '../types.js';
import type { Timers } from './notify.js';
import { systemTimers } from '../timers.js';

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
  /** how often a log that cannot be opened or written is tried again (default 30 s) */
  retryMs?: number;
  /** rounds kept in memory while the log cannot be written (default 1000; the oldest go first) */
  queueMax?: number;
  /** the file system boundary, injected so tests can fail it (default: better-sqlite3 and fs) */
  fs?: Partial<ResultsFs>;
}

export interface ResultsFs {
  open(path: string): Database.Database;
  rename(from: string, to: string): void;
  exists(path: string): boolean;
  mkdir(path: string): void;
  /** the first bytes of a file (fewer if it is shorter); null if it does not exist */
  head(path: string, bytes: number): Buffer | null;
  /** throws (EROFS, EACCES ...) when a folder cannot be written */
  writable(dir: string): void;
}

function readHead(path: string, bytes: number): Buffer | null {
  let fd: number;
  try {
    fd = openSync(path, 'r');
  } catch (e) {
    if ((e as NodeJS.ErrnoException).code === 'ENOENT') return null;
    throw e;
  }
  try {
    const buf = Buffer.alloc(bytes);
    return buf.subarray(0, readSync(fd, buf, 0, bytes, 0));
  } finally {
    closeSync(fd);
  }
}

const SQLITE_MAGIC = Buffer.from('SQLite format 3\0', 'latin1');

const realFs: ResultsFs = {
  open: (path) => new Database(path),
  rename: renameSync,
  exists: existsSync,
  mkdir: (path) => void mkdirSync(path, { recursive: true }),
  head: readHead,
  writable: (dir) => accessSync(dir, constants.W_OK),
};

/** SQLite's answer for a file that is not (or no longer) a database. */
function isCorrupt(e: unknown): boolean {
  const code = (e as { code?: unknown }).code;
  return typeof code === 'string' && (code === 'SQLITE_NOTADB' || code.startsWith('SQLITE_CORRUPT'));
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
  private retryTimer: unknown = null;
  private failures = 0;
  private lastError: string | null = null;
  /** why the log is not open (null while it is) */
  private openError: string | null = null;
  private insert: Database.Statement | null = null;
  /** rounds that could not be written yet, oldest first; retried every retryMs */
  private readonly queue: RoundResult[] = [];
  private dropped = 0;
  private asideFiles: string[] = [];

  constructor(private readonly opts: SqliteResultsOptions) {}

  /**
   * Opens the log. A file that is not a database is moved aside and replaced; a log that
   * cannot be opened at all (read-only folder, full disk) leaves the store unhealthy, with
   * rounds kept in memory and the open retried: the results log never stops the booth.
   */
  start(): Promise<void> {
    if (this.db || this.retryTimer !== null) return Promise.resolve();
    if (this.opts.readonly) {
      try {
        this.db = new Database(this.opts.path, { readonly: true, fileMustExist: true });
        return Promise.resolve();
      } catch (e) {
        return Promise.reject(new PokerfaceError('POKERFACE_ERR_RESULTS_STORE', `${this.opts.path}: ${(e as Error).message}`, { cause: e }));
      }
    }
    this.reopen();
    const timers = this.opts.timers ?? systemTimers;
    this.timer = timers.setInterval(() => this.prune(), this.opts.pruneEveryMs ?? 3_600_000);
    this.retryTimer = timers.setInterval(() => this.retry(), this.retryMs);
    return Promise.resolve();
  }

  stop(): Promise<void> {
    const timers = this.opts.timers ?? systemTimers;
    for (const h of [this.timer, this.retryTimer]) if (h !== null) timers.clearInterval(h);
    this.timer = null;
    this.retryTimer = null;
    if (this.db) this.flush();
    if (this.queue.length > 0) {
      this.opts.log.error({ code: 'POKERFACE_ERR_RESULTS_STORE', lost: this.queue.length }, 'stopping with rounds that could not be written to the results log');
    }
    this.close();
    return Promise.resolve();
  }

  /** Never throws: a full or failing disk must not stop the game; it shows in health. */
  append(r: RoundResult): void {
    // keep the order: while older rounds wait, a new one waits behind them
    if (this.db && this.queue.length === 0) {
      try {
        this.write(r);
        this.lastError = null;
        return;
      } catch (e) {
        this.fail(e as Error, r);
      }
    } else if (!this.db) {
      this.fail(new Error(`results log is not open: ${this.openError ?? 'stopped'}`), r);
    }
    this.enqueue(r);
    if (this.db) this.flush();
  }

  private write(r: RoundResult): void {
    if (!this.insert) throw new Error('results log is not open');
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
    if (!this.db) reasons.push(`results log is not open: ${this.openError ?? 'stopped'}`);
    else if (this.lastError) reasons.push(`last write failed: ${this.lastError}`);
    if (this.queue.length > 0) reasons.push(`${this.queue.length} round(s) waiting in memory, retried every ${this.retryMs < 1000 ? `${this.retryMs} ms` : `${Math.round(this.retryMs / 1000)} s`}`);
    if (this.dropped > 0) reasons.push(`${this.dropped} round(s) dropped from the full memory queue`);
    return { name: this.name, healthy: reasons.length === 0, reasons };
  }

  get writeFailures(): number {
    return this.failures;
  }

  /** rounds waiting in memory for the log to be writable again */
  get pending(): number {
    return this.queue.length;
  }

  /** where corrupt files were moved to since start */
  get movedAside(): readonly string[] {
    return this.asideFiles;
  }

  private get retryMs(): number {
    return this.opts.retryMs ?? 30_000;
  }

  private get fs(): ResultsFs {
    return { ...realFs, ...this.opts.fs };
  }

  private retry(): void {
    if (!this.db) this.reopen();
    else if (this.queue.length > 0) this.flush();
  }

  /** Open (or reopen) the log; on a corrupt file move it aside and start a fresh one. Never throws. */
  private reopen(): void {
    const path = this.opts.path;
    try {
      // A file with a foreign header is set aside before SQLite opens it: SQLite would
      // rewrite its -shm and delete its -wal on close.
      const head = path === ':memory:' ? null : this.fs.head(path, SQLITE_MAGIC.length);
      if (head && head.length > 0 && !head.equals(SQLITE_MAGIC)) this.moveAside(new Error('file is not a database'));
    } catch (e) {
      this.unavailable(e as Error);
      return;
    }
    try {
      this.openWritable();
    } catch (e) {
      if (!isCorrupt(e) || path === ':memory:') {
        this.close();
        this.unavailable(e as Error);
        return;
      }
      try {
        // Moved while SQLite still holds the files: closing first would delete the
        // -wal and -shm next to a file it could not read, and with them any rounds in the WAL.
        this.moveAside(e as Error);
        this.close();
        this.openWritable();
      } catch (e2) {
        this.close();
        this.unavailable(e2 as Error);
        return;
      }
    }
    if (this.openError !== null) this.opts.log.info({ path, pending: this.queue.length }, 'results log open again');
    this.openError = null;
    this.flush();
  }

  /** On failure `this.db` may stay set (a handle on the failed file); reopen() closes it. */
  private openWritable(): void {
    const fs = this.fs;
    try {
      if (this.opts.path !== ':memory:') fs.mkdir(dirname(this.opts.path));
      const db = fs.open(this.opts.path);
      this.db = db;
      // WAL: a crash or power cut mid-write leaves the last committed state intact, and
      // readers (REST) never block the writer. synchronous=FULL fsyncs the WAL on every
      // commit, so a round reported as stored survives a power cut; NORMAL could lose the
      // last rounds. At one commit per round (a minute or so) the fsync costs nothing.
      db.pragma('journal_mode = WAL');
      db.pragma('synchronous = FULL');
      db.pragma('busy_timeout = 2000');
      this.migrate(db);
      this.insert = db.prepare(
        'INSERT OR IGNORE INTO results (id, ended_at, mode, level, clip, outcome, peak, duration_ms, reason) VALUES (@id, @endedAt, @mode, @level, @clip, @outcome, @peak, @durationMs, @reason)',
      );
      this.prune();
    } catch (e) {
      // the caller closes, after moving a corrupt file aside
      this.insert = null;
      throw e;
    }
  }

  /** `<name>.corrupt-<timestamp>`, with its -wal and -shm next to it: the old bytes are kept, never deleted. */
  private moveAside(why: Error): void {
    const fs = this.fs;
    const path = this.opts.path;
    const stamp = new Date(this.opts.clock.wall()).toISOString().replace(/[:.]/g, '-');
    let aside = `${path}.corrupt-${stamp}`;
    for (let n = 1; fs.exists(aside); n++) aside = `${path}.corrupt-${stamp}-${n}`;
    fs.rename(path, aside);
    for (const ext of ['-wal', '-shm']) if (fs.exists(path + ext)) fs.rename(path + ext, aside + ext);
    this.asideFiles.push(aside);
    this.opts.log.error({ code: 'POKERFACE_ERR_RESULTS_STORE', path, aside, err: why.message }, 'results log is not a database: moved aside, starting a fresh one');
  }

  private unavailable(e: Error): void {
    let why = `${this.opts.path}: ${e.message}`;
    // SQLite says only "unable to open database file": say what is wrong with the folder
    if ((e as { code?: unknown }).code === 'SQLITE_CANTOPEN' && this.opts.path !== ':memory:') {
      try {
        this.fs.writable(dirname(this.opts.path));
      } catch (f) {
        const code = (f as NodeJS.ErrnoException).code;
        why += code === 'EROFS' ? ' (its folder is on a read-only file system)' : code === 'EACCES' ? ' (no permission to write its folder)' : ` (its folder: ${code ?? (f as Error).message})`;
      }
    }
    // once per distinct reason, not every retry
    if (why !== this.openError) {
      this.opts.log.error({ code: 'POKERFACE_ERR_RESULTS_STORE', retryMs: this.retryMs, pending: this.queue.length }, `results log unavailable, rounds kept in memory: ${why}`);
    }
    this.openError = why;
  }

  private enqueue(r: RoundResult): void {
    this.queue.push(r);
    const max = this.opts.queueMax ?? 1000;
    while (this.queue.length > max) {
      const gone = this.queue.shift() as RoundResult;
      this.dropped++;
      this.opts.log.error({ code: 'POKERFACE_ERR_RESULTS_STORE', id: gone.id, dropped: this.dropped }, 'results memory queue full: oldest round dropped');
    }
  }

  /** Write the waiting rounds in order; stop at the first failure and keep the rest. */
  private flush(): void {
    while (this.queue.length > 0) {
      const r = this.queue[0] as RoundResult;
      try {
        this.write(r);
      } catch (e) {
        this.lastError = (e as Error).message;
        // a log that turned corrupt while open is reopened (and moved aside) on the next retry
        if (isCorrupt(e)) {
          this.close();
          this.openError = `${this.opts.path}: ${this.lastError}`;
        }
        return;
      }
      this.queue.shift();
      this.lastError = null;
    }
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
