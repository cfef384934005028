// No orphans: the daemon records the children it starts (mpv, the capture child) in a
// pidfile in its runtime folder, and a start ends those a killed predecessor left
// behind. Outside systemd (whose cgroup kill covers this), `kill -9` of the daemon
// leaves mpv running with PPID 1, holding DRM master and blocking the next mpv.
//
// A recorded process is ended only when all of these hold, so nothing else is ever hit:
// the daemon that recorded it is gone (its pid is dead or now another process), and the
// process still has the exact command line (/proc/<pid>/cmdline) and start time
// (/proc/<pid>/stat) recorded when it was started. Never by name.
import { mkdirSync, readFileSync, renameSync, rmSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { setTimeout as delay } from 'node:timers/promises';
import { stopPids } from '../child-stop.js';
import type { Logger } from '../log.js';
import type { Lifecycle, ModuleHealth } from '../types.js';
import { defineModule, type ModuleSpec } from '../wiring.js';

/** What the ledger reads of other processes and how it signals them; tests hand in fakes. */
export interface ProcessTable {
  /** /proc/<pid>/cmdline as read (NUL-separated), or null when there is no such process */
  cmdline(pid: number): string | null;
  /** field 22 of /proc/<pid>/stat (start time in clock ticks since boot), or null */
  startTime(pid: number): string | null;
  kill(pid: number, signal: NodeJS.Signals): void;
}

export const procTable: ProcessTable = {
  cmdline(pid) {
    try {
      return readFileSync(`/proc/${pid}/cmdline`, 'latin1');
    } catch {
      return null;
    }
  },
  startTime(pid) {
    try {
      const stat = readFileSync(`/proc/${pid}/stat`, 'latin1');
      // the command name (field 2) may hold spaces and parentheses: count from the last ')'
      return stat.slice(stat.lastIndexOf(')') + 2).split(' ')[19] ?? null;
    } catch {
      return null;
    }
  },
  kill(pid, signal) {
    process.kill(pid, signal);
  },
};

interface ProcRecord {
  pid: number;
  start: string;
  cmdline: string;
}

interface LedgerFile {
  daemon: ProcRecord;
  children: ProcRecord[];
}

export interface ChildLedgerOptions {
  /** the pidfile, e.g. /run/pokerface/pokerface.pids */
  file: string;
  log: Logger;
  procs?: ProcessTable;
  selfPid?: number;
  /** how long a stale child gets after SIGTERM before SIGKILL (default 2000 ms) */
  killGraceMs?: number;
  sleep?: (ms: number) => Promise<void>;
}

export class ChildLedger implements Lifecycle {
  readonly name = 'children';
  private children: ProcRecord[] = [];
  private self: ProcRecord | null = null;
  private reaped = 0;
  private writeError: string | null = null;

  constructor(private readonly opts: ChildLedgerOptions) {}

  private get procs(): ProcessTable {
    return this.opts.procs ?? procTable;
  }

  async start(): Promise<void> {
    await this.reapStale();
    const pid = this.opts.selfPid ?? process.pid;
    this.self = { pid, start: this.procs.startTime(pid) ?? '', cmdline: this.procs.cmdline(pid) ?? '' };
    this.children = [];
    this.write();
  }

  stop(): Promise<void> {
    // a clean stop has ended every child itself: nothing is left to clean up
    this.children = [];
    try {
      rmSync(this.opts.file, { force: true });
    } catch {
      // a read-only runtime folder was already reported on write
    }
    return Promise.resolve();
  }

  /** Record a child right after it was spawned (its exec has happened by then). */
  track = (pid: number | null | undefined): void => {
    if (!pid || !this.self) return;
    const cmdline = this.procs.cmdline(pid);
    const start = this.procs.startTime(pid);
    if (cmdline === null || start === null) return; // already gone
    // drop records of children that have ended, so the file stays small
    this.children = this.children.filter((c) => this.procs.startTime(c.pid) === c.start);
    this.children.push({ pid, start, cmdline });
    this.write();
  };

  /** Children of a predecessor ended at this start. */
  get reapedCount(): number {
    return this.reaped;
  }

  health(): ModuleHealth {
    return { name: this.name, healthy: true, reasons: this.writeError ? [`pidfile not written (${this.writeError}): a killed daemon's children would not be cleaned up`] : [] };
  }

  private read(): LedgerFile | null {
    let text: string;
    try {
      text = readFileSync(this.opts.file, 'utf8');
    } catch {
      return null;
    }
    try {
      const data = JSON.parse(text) as Partial<LedgerFile>;
      if (!data.daemon || !Array.isArray(data.children)) return null;
      return data as LedgerFile;
    } catch {
      this.opts.log.warn({ file: this.opts.file }, 'pidfile is not readable JSON; ignoring it');
      return null;
    }
  }

  private same(r: ProcRecord): boolean {
    return this.procs.startTime(r.pid) === r.start && this.procs.cmdline(r.pid) === r.cmdline;
  }

  private async reapStale(): Promise<void> {
    const old = this.read();
    if (!old) return;
    const { log } = this.opts;
    if (old.daemon.pid !== (this.opts.selfPid ?? process.pid) && this.same(old.daemon)) {
      // another daemon is alive with this runtime folder: its children are not ours to end
      log.warn({ pid: old.daemon.pid, file: this.opts.file }, 'another pokerface daemon is running with this runtime folder; leaving its children alone');
      return;
    }
    const stale = old.children.filter((c) => this.same(c));
    if (stale.length === 0) return;
    for (const c of stale) log.warn({ pid: c.pid, cmd: c.cmdline.split('\0')[0] }, 'ending a child a killed predecessor left behind');
    const byPid = new Map(stale.map((c) => [c.pid, c]));
    await stopPids([...byPid.keys()], this.procs, {
      graceMs: this.opts.killGraceMs ?? 2000,
      // same pid, start time and command line: anything else is gone or not ours
      alive: (pid) => this.same(byPid.get(pid) as ProcRecord),
      sleep: this.opts.sleep ?? ((ms: number) => delay(ms)),
      onKill: (pid) => log.warn({ pid }, 'stale child ignored SIGTERM; sending SIGKILL'),
    });
    this.reaped += stale.length;
  }

  private write(): void {
    if (!this.self) return;
    const data: LedgerFile = { daemon: this.self, children: this.children };
    const tmp = `${this.opts.file}.tmp`;
    try {
      mkdirSync(dirname(this.opts.file), { recursive: true });
      writeFileSync(tmp, JSON.stringify(data));
      renameSync(tmp, this.opts.file);
      this.writeError = null;
    } catch (e) {
      const msg = (e as Error).message;
      if (this.writeError !== msg) this.opts.log.warn({ err: msg, file: this.opts.file }, 'cannot write the pidfile');
      this.writeError = msg;
    }
  }
}

/** The runtime folder: systemd's RuntimeDirectory (/run/pokerface), else the mpv socket's folder. */
export function runtimeDir(env: NodeJS.ProcessEnv, mpvSocketPath: string): string {
  const dir = env.RUNTIME_DIRECTORY?.split(':')[0];
  return dir && dir.length > 0 ? dir : dirname(mpvSocketPath);
}

/** services.children: capture and the player want it, so stale children are gone before mpv and capture start. */
export function childrenModule(opts: { env?: NodeJS.ProcessEnv; procs?: ProcessTable } = {}): ModuleSpec {
  return defineModule({
    name: 'children',
    needs: [],
    provides: ['children'],
    create(ctx) {
      const file = join(runtimeDir(opts.env ?? process.env, ctx.config.player.socketPath), 'pokerface.pids');
      const ledger = new ChildLedger({ file, log: ctx.log, ...(opts.procs ? { procs: opts.procs } : {}) });
      return { lifecycle: ledger, services: { children: ledger } };
    },
  });
}
