// The daemon as a child process for the soak bench: counts its error/fatal log lines as
// they stream by (a long run keeps no full log) and tracks its process tree so that the
// bench can check nothing is left behind.
import { spawn, type ChildProcess } from 'node:child_process';
import { readFileSync, readdirSync } from 'node:fs';
import { join } from 'node:path';

export interface LogLine {
  level?: number;
  msg?: string;
  [k: string]: unknown;
}

/** pino levels: 40 warn, 50 error, 60 fatal */
const WARN = 40;
const ERROR = 50;

export class SoakDaemon {
  proc: ChildProcess | null = null;
  errors = 0;
  warnings = 0;
  lines = 0;
  /** the first few error/fatal lines and the last warnings, to show what went wrong */
  readonly errorSamples: LogLine[] = [];
  readonly warnSamples: LogLine[] = [];
  stderr = '';
  exit: Promise<number | null> = Promise.resolve(null);
  /** every descendant seen while running: pid → command name */
  readonly seen = new Map<number, string>();

  constructor(
    readonly root: string,
    readonly configFile: string,
    readonly apiPort: number,
    readonly token: string,
  ) {}

  start(): void {
    const p = spawn(process.execPath, [join(this.root, 'bin/pokerface.js'), 'run', '--config', this.configFile], {
      cwd: this.root,
      env: { ...process.env, FORCE_COLOR: '0' },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    this.proc = p;
    let buf = '';
    p.stdout?.setEncoding('utf8').on('data', (d: string) => {
      buf += d;
      let i;
      while ((i = buf.indexOf('\n')) >= 0) {
        this.line(buf.slice(0, i));
        buf = buf.slice(i + 1);
      }
    });
    p.stderr?.setEncoding('utf8').on('data', (d: string) => {
      // keep the tail only: a warning printed in a loop must not grow the bench
      this.stderr = (this.stderr + d).slice(-8000);
    });
    this.exit = new Promise((r) => p.once('exit', (code, signal) => r(code ?? (signal ? 128 : null))));
  }

  private line(text: string): void {
    this.lines++;
    let l: LogLine;
    try {
      l = JSON.parse(text) as LogLine;
    } catch {
      l = { msg: text };
    }
    const level = typeof l.level === 'number' ? l.level : 0;
    if (level >= ERROR) {
      this.errors++;
      if (this.errorSamples.length < 10) this.errorSamples.push(l);
    } else if (level >= WARN) {
      this.warnings++;
      this.warnSamples.push(l);
      if (this.warnSamples.length > 10) this.warnSamples.shift();
    }
  }

  get pid(): number {
    return this.proc?.pid ?? -1;
  }

  get exited(): boolean {
    return this.proc !== null && (this.proc.exitCode !== null || this.proc.signalCode !== null);
  }

  /** Remember the current process tree (call now and then while it runs). */
  recordTree(): void {
    for (const d of descendants(this.pid)) this.seen.set(d.pid, d.comm);
  }

  async stop(graceMs = 10_000): Promise<{ code: number | null; killed: boolean; ms: number }> {
    const p = this.proc;
    if (!p || this.exited) return { code: p?.exitCode ?? null, killed: false, ms: 0 };
    this.recordTree();
    const t0 = Date.now();
    p.kill('SIGTERM');
    let killed = false;
    const timer = setTimeout(() => {
      killed = true;
      p.kill('SIGKILL');
    }, graceMs);
    const code = await this.exit;
    clearTimeout(timer);
    return { code, killed, ms: Date.now() - t0 };
  }

  /** Descendants seen while running that are still alive (the same pid and name). */
  leftovers(): Array<{ pid: number; comm: string }> {
    return [...this.seen].filter(([pid, comm]) => comm !== '' && commOf(pid) === comm).map(([pid, comm]) => ({ pid, comm }));
  }
}

function commOf(pid: number): string | null {
  try {
    return readFileSync(`/proc/${pid}/comm`, 'utf8').trim();
  } catch {
    return null;
  }
}

/** Every descendant of pid, from /proc/<pid>/task/<tid>/children of all its threads. */
export function descendants(pid: number): Array<{ pid: number; comm: string }> {
  const out: Array<{ pid: number; comm: string }> = [];
  const walk = (p: number): void => {
    let tids: string[] = [];
    try {
      tids = readdirSync(`/proc/${p}/task`);
    } catch {
      return;
    }
    for (const tid of tids) {
      let kids = '';
      try {
        kids = readFileSync(`/proc/${p}/task/${tid}/children`, 'utf8').trim();
      } catch {
        continue;
      }
      for (const k of kids.split(/\s+/).filter(Boolean)) {
        const c = Number(k);
        out.push({ pid: c, comm: commOf(c) ?? '' });
        walk(c);
      }
    }
  };
  walk(pid);
  return out;
}

/** Resident set size of a process in bytes (0 when gone). */
export function rssOf(pid: number): number {
  try {
    const m = /VmRSS:\s+(\d+) kB/.exec(readFileSync(`/proc/${pid}/status`, 'utf8'));
    return m ? Number(m[1]) * 1024 : 0;
  } catch {
    return 0;
  }
}
