// The only code that talks to libgpiod, through its 1.6 command-line tools (Debian 12,
// JetPack 5/6 and Raspberry Pi OS all ship libgpiod 1.6 as the `gpiod` package):
//   gpioinfo <chip>                      preflight: chip exists, lines in range and free
//   gpiomon -b -F "%o %e %s %n" [-l] [-B bias] <chip> <line>...
//                                        both-edge events with kernel timestamps
//   gpioset -m signal <chip> <line>=<0|1>...
//                                        hold output levels until SIGTERM
// Each tool is a child process, so no native addon is built and a libgpiod crash cannot
// take the daemon down. See docs/controls.md for why, and how to check it on a booth.
import { spawn as nodeSpawn, type ChildProcess, type SpawnOptions } from 'node:child_process';
import { createInterface } from 'node:readline';
import { PokerfaceError } from '../errors.js';
import type { InputRequest, InputWatch, LineDriver, LineEdge, OutputGroup } from './line-driver.js';
import { childEnv } from '../child-env.js';
import { stopChild } from '../child-stop.js';
import { systemTimers, type Timers } from '../timers.js';

export type SpawnFn = (cmd: string, args: string[], opts: SpawnOptions) => ChildProcess;

export interface GpiodPaths {
  gpiomon: string;
  gpioset: string;
  gpioinfo: string;
}

export interface GpiodDriverOptions {
  paths: GpiodPaths;
  spawn?: SpawnFn;
  /** a tool still running this long after start holds its lines (the 1.6 tools print nothing on success) */
  openGraceMs?: number;
  /** how long a tool gets to exit after SIGTERM before SIGKILL */
  killGraceMs?: number;
  /** the last gpioset before a close runs at least this long, so its levels are really driven before release */
  applyMs?: number;
  timers?: Timers;
}

/** %o offset, %e 1 rising / 0 falling, %s and %n the timestamp's seconds and nanoseconds (%n is not zero-padded). */
export const GPIOMON_FORMAT = '%o %e %s %n';

export function gpiomonArgs(req: InputRequest): string[] {
  const args = ['--line-buffered', `--format=${GPIOMON_FORMAT}`];
  if (req.activeLow) args.push('--active-low');
  if (req.bias !== 'as-is') args.push(`--bias=${req.bias}`);
  args.push(req.chip, ...req.lines.map(String));
  return args;
}

const EVENT_LINE = /^(\d+) ([01]) (\d+) (\d+)$/;

/** One line of gpiomon output in GPIOMON_FORMAT → edge; null for anything else. */
export function parseGpiomonLine(text: string): LineEdge | null {
  const m = EVENT_LINE.exec(text.trim());
  if (!m) return null;
  const [, offset, type, sec, nsec] = m as unknown as [string, string, string, string, string];
  return { line: Number(offset), active: type === '1', kernelNs: BigInt(sec) * 1_000_000_000n + BigInt(nsec) };
}

export function gpiosetArgs(chip: string, values: ReadonlyMap<number, boolean>): string[] {
  const pairs = [...values].sort((a, b) => a[0] - b[0]).map(([line, v]) => `${line}=${v ? 1 : 0}`);
  return ['--mode=signal', chip, ...pairs];
}

export interface ChipInfo {
  name: string;
  lines: number;
  /** line offset → consumer ("kernel" when the kernel holds it without a name) */
  used: Map<number, string>;
}

const INFO_HEADER = /^(\S+) - (\d+) lines:$/;
const INFO_LINE = /^\s*line\s+(\d+):\s+(?:"[^"]*"|unnamed)\s+("[^"]*"|unused|kernel)\s.*?(\[[^\]]*\])?\s*$/;

/** gpioinfo 1.6 (and 1.4) output for one chip → its line count and which lines are held by whom. */
export function parseGpioinfo(text: string): ChipInfo | null {
  let info: ChipInfo | null = null;
  for (const row of text.split('\n')) {
    const h = INFO_HEADER.exec(row.trim());
    if (h) {
      if (info) break;
      info = { name: h[1] ?? '', lines: Number(h[2]), used: new Map() };
      continue;
    }
    const l = INFO_LINE.exec(row);
    if (!info || !l) continue;
    // 1.4 prints "unused" for a line the kernel holds without a consumer name, but flags it [used]
    const flagged = /\bused\b/.test(l[3] ?? '');
    if (l[2] !== 'unused') info.used.set(Number(l[1]), (l[2] ?? '').replace(/^"|"$/g, ''));
    else if (flagged) info.used.set(Number(l[1]), 'kernel');
  }
  return info;
}

/** Problems with wanted lines, from gpioinfo's view of the chip; empty when all are usable. */
export function checkLines(info: ChipInfo, lines: number[]): string[] {
  const problems: string[] = [];
  for (const line of lines) {
    if (line >= info.lines) problems.push(`line ${line} does not exist (${info.name} has ${info.lines} lines)`);
    else if (info.used.has(line)) problems.push(`line ${line} on ${info.name} is in use by "${info.used.get(line)}"`);
  }
  return problems;
}

interface Held {
  child: ChildProcess;
  /** performance.now() at spawn */
  startedAt: number;
  stderr(): string;
  /** SIGTERM, then SIGKILL after killGraceMs; resolves once the process has exited */
  stop(): Promise<void>;
  /** called once if the process exits without stop() */
  onLost(cb: (why: string) => void): void;
}

export class GpiodDriver implements LineDriver {
  private readonly spawn: SpawnFn;
  private readonly openGraceMs: number;
  private readonly killGraceMs: number;
  private readonly applyMs: number;
  private readonly timers: Timers;

  constructor(private readonly opts: GpiodDriverOptions) {
    this.spawn = opts.spawn ?? nodeSpawn;
    this.openGraceMs = opts.openGraceMs ?? 300;
    this.killGraceMs = opts.killGraceMs ?? 1000;
    this.applyMs = opts.applyMs ?? 100;
    this.timers = opts.timers ?? systemTimers;
  }

  async watchInputs(req: InputRequest, onEdge: (e: LineEdge) => void, onLost: (err: PokerfaceError) => void): Promise<InputWatch> {
    await this.preflight(req.chip, req.lines);
    const held = this.start(this.opts.paths.gpiomon, gpiomonArgs(req), ['ignore', 'pipe', 'pipe']);
    // Parse from the first byte: edges during the grace period keep their real timing.
    const stdout = held.child.stdout;
    if (stdout) {
      const rl = createInterface({ input: stdout });
      rl.on('line', (text) => {
        const edge = parseGpiomonLine(text);
        if (edge) onEdge(edge);
      });
    }
    await this.grace(held, this.opts.paths.gpiomon);
    held.onLost((why) => onLost(new PokerfaceError('POKERFACE_ERR_GPIO_OPEN', `gpiomon on ${req.chip} ${req.lines.join(',')} ${why}`)));
    return { close: () => held.stop() };
  }

  async openOutputs(chip: string, initial: ReadonlyMap<number, boolean>, onError: (err: PokerfaceError) => void): Promise<OutputGroup> {
    const lines = [...initial.keys()];
    await this.preflight(chip, lines);
    const report = (why: string): void => onError(new PokerfaceError('POKERFACE_ERR_GPIO_OPEN', `gpioset on ${chip} ${lines.join(',')} ${why}`));
    let current = this.start(this.opts.paths.gpioset, gpiosetArgs(chip, initial), ['ignore', 'ignore', 'pipe']);
    await this.grace(current, this.opts.paths.gpioset);
    current.onLost(report);
    let want: Map<number, boolean> | null = null;
    let pumping: Promise<void> | null = null;
    let closed = false;
    // gpioset 1.6 cannot change a value it holds: each change replaces the process.
    // Changes that arrive meanwhile collapse into the latest one.
    const pump = async (): Promise<void> => {
      try {
        while (want && !closed) {
          const values = want;
          want = null;
          await current.stop();
          current = this.start(this.opts.paths.gpioset, gpiosetArgs(chip, values), ['ignore', 'ignore', 'pipe']);
          current.onLost(report);
        }
      } finally {
        // synchronous with the loop's last check, so a set() right after starts a new pump
        pumping = null;
      }
    };
    return {
      set: (values) => {
        if (closed) return Promise.resolve();
        want = new Map(values);
        pumping ??= pump();
        return pumping;
      },
      close: async () => {
        if (pumping) await pumping;
        closed = true;
        // A gpioset stopped right after it started may not have driven its lines yet
        // (all lamps off on stop would be lost); after release the lines keep their
        // level on most boards, though libgpiod calls that undefined.
        const young = this.applyMs - (performance.now() - current.startedAt);
        if (young > 0) await new Promise<void>((r) => this.timers.setTimeout(r, young));
        await current.stop();
      },
    };
  }

  /** Run gpioinfo on the chip so a missing chip, a line out of range or a busy line gives a clear error. */
  private async preflight(chip: string, lines: number[]): Promise<void> {
    const { code, stdout, stderr } = await this.collect(this.opts.paths.gpioinfo, [chip]);
    if (code !== 0) throw new PokerfaceError('POKERFACE_ERR_GPIO_OPEN', `${chip}: ${firstLine(stderr) || `gpioinfo exited ${code}`}`);
    const info = parseGpioinfo(stdout);
    if (!info) throw new PokerfaceError('POKERFACE_ERR_GPIO_OPEN', `${chip}: gpioinfo printed nothing usable`);
    const problems = checkLines(info, lines);
    if (problems.length > 0) throw new PokerfaceError('POKERFACE_ERR_GPIO_OPEN', problems.join('; '));
  }

  private collect(cmd: string, args: string[]): Promise<{ code: number | null; stdout: string; stderr: string }> {
    return new Promise((resolve, reject) => {
      let child: ChildProcess;
      try {
        child = this.spawn(cmd, args, { stdio: ['ignore', 'pipe', 'pipe'], env: childEnv() });
      } catch (e) {
        reject(spawnError(cmd, e));
        return;
      }
      let stdout = '';
      let stderr = '';
      child.stdout?.setEncoding('utf8').on('data', (d: string) => (stdout += d));
      child.stderr?.setEncoding('utf8').on('data', (d: string) => (stderr += d));
      child.once('error', (e) => reject(spawnError(cmd, e)));
      child.once('close', (code) => resolve({ code, stdout, stderr }));
    });
  }

  /** Wait out the grace period of a tool that holds lines; reject if it exits (or fails to spawn) first. */
  private grace(held: Held, cmd: string): Promise<void> {
    return new Promise((resolve, reject) => {
      const timer = this.timers.setTimeout(() => {
        held.child.off('exit', early);
        held.child.off('error', failed);
        resolve();
      }, this.openGraceMs);
      const early = (code: number | null, signal: NodeJS.Signals | null): void => {
        this.timers.clearTimeout(timer);
        held.child.off('error', failed);
        afterOutput(held.child, this.timers, () => {
          const why = firstLine(held.stderr()) || `${cmd} exited (${signal ?? code})`;
          reject(new PokerfaceError('POKERFACE_ERR_GPIO_OPEN', why));
        });
      };
      const failed = (e: Error): void => {
        this.timers.clearTimeout(timer);
        held.child.off('exit', early);
        reject(spawnError(cmd, e));
      };
      held.child.once('exit', early);
      held.child.once('error', failed);
    });
  }

  private start(cmd: string, args: string[], stdio: SpawnOptions['stdio']): Held {
    const child = this.spawn(cmd, args, { stdio, env: childEnv() });
    let stderr = '';
    child.stderr?.setEncoding('utf8').on('data', (d: string) => {
      if (stderr.length < 4096) stderr += d;
    });
    let exited = false;
    let stopping = false;
    let lost: ((why: string) => void) | null = null;
    const exitedP = new Promise<void>((resolve) => {
      child.once('exit', (code, signal) => {
        exited = true;
        resolve();
        if (!stopping) afterOutput(child, this.timers, () => lost?.(`exited (${signal ?? code})${stderr ? `: ${firstLine(stderr)}` : ''}`));
      });
      // A spawn failure emits 'error' and maybe no 'exit'; 'on' so a later error (a failed kill) is never unhandled.
      child.on('error', () => {
        exited = true;
        resolve();
      });
    });
    return {
      child,
      startedAt: performance.now(),
      stderr: () => stderr,
      onLost: (cb) => void (lost = cb),
      stop: async () => {
        stopping = true;
        if (exited) return;
        await stopChild(child, exitedP, { graceMs: this.killGraceMs, timers: this.timers });
      },
    };
  }
}

/** Run cb once the child's output is all read ('close'), or 100 ms after exit if a grandchild keeps a pipe open. */
function afterOutput(child: ChildProcess, timers: Timers, cb: () => void): void {
  let done = false;
  const once = (): void => {
    if (done) return;
    done = true;
    timers.clearTimeout(timer);
    child.off('close', once);
    cb();
  };
  const timer = timers.setTimeout(once, 100);
  child.once('close', once);
}

function firstLine(s: string): string {
  return s.trim().split('\n')[0]?.trim() ?? '';
}

function spawnError(cmd: string, e: unknown): PokerfaceError {
  const code = (e as NodeJS.ErrnoException).code;
  if (code === 'ENOENT' || code === 'EACCES') {
    return new PokerfaceError('POKERFACE_ERR_GPIO_UNAVAILABLE', `${cmd}: ${code} (install the Debian package "gpiod")`, { cause: e });
  }
  return new PokerfaceError('POKERFACE_ERR_GPIO_OPEN', `${cmd}: ${(e as Error).message}`, { cause: e });
}
