// A capture child process (gst-launch-1.0 or ffmpeg) as a DriverSession: stdout is the
// raw frame stream, stderr is logged under a rate limit, the exit is classified into an
// error code. Spawn comes in injected; gstreamer.ts and ffmpeg.ts say what to run.
import { spawn as nodeSpawn } from 'node:child_process';
import { childEnv } from '../child-env.js';
import { stopChild } from '../child-stop.js';
import { systemTimers, type Timers } from '../timers.js';
import type { PokerfaceError } from '../errors.js';
import type { DriverSession, DriverSink } from './driver.js';

export interface ChildLike {
  readonly pid?: number | undefined;
  readonly stdout: NodeJS.ReadableStream | null;
  readonly stderr: NodeJS.ReadableStream | null;
  readonly exitCode: number | null;
  readonly signalCode: NodeJS.Signals | null;
  kill(signal?: NodeJS.Signals | number): boolean;
  on(event: 'close', fn: (code: number | null, signal: NodeJS.Signals | null) => void): this;
  on(event: 'error', fn: (err: Error) => void): this;
  once(event: 'close', fn: (code: number | null, signal: NodeJS.Signals | null) => void): this;
}

export type SpawnFn = (cmd: string, args: readonly string[]) => ChildLike;

/** The real spawn: no shell, no stdin, stdout and stderr piped, no POKERFACE_* secrets in its environment; `env` adds variables. */
export function spawnChild(cmd: string, args: readonly string[], env?: NodeJS.ProcessEnv): ChildLike {
  return nodeSpawn(cmd, [...args], { stdio: ['ignore', 'pipe', 'pipe'], shell: false, env: childEnv(env) });
}

export interface ChildExit {
  code: number | null;
  signal: NodeJS.Signals | null;
  /** spawn itself failed (e.g. ENOENT) */
  spawnError: NodeJS.ErrnoException | null;
  stderrTail: string[];
  frames: number;
  partialBytes: number;
}

export interface ChildSpec {
  cmd: string;
  args: readonly string[];
  /** turn an exit into the session's end: a clean end of input, or an error */
  classify(exit: ChildExit): { kind: 'ended' } | { kind: 'failed'; error: PokerfaceError };
  /** how long to wait after SIGTERM before SIGKILL */
  killGraceMs?: number;
}

export function runChild(spawn: SpawnFn, spec: ChildSpec, sink: DriverSink, timers: Timers = systemTimers): DriverSession {
  const child = spawn(spec.cmd, spec.args);
  let closedByUs = false;
  let exited = false;
  let spawnError: NodeJS.ErrnoException | null = null;
  let resolveExit!: () => void;
  const exitedP = new Promise<void>((r) => (resolveExit = r));

  child.stdout?.on('data', (chunk: Buffer) => sink.bytes(chunk));
  child.stderr?.on('data', (chunk: Buffer) => sink.stderr(chunk));
  // a broken pipe on our side must not become an unhandled 'error' event
  child.stdout?.on('error', () => {});
  child.stderr?.on('error', () => {});

  const finish = (code: number | null, signal: NodeJS.Signals | null): void => {
    if (exited) return;
    exited = true;
    resolveExit();
    if (closedByUs) return;
    sink.end(
      spec.classify({
        code,
        signal,
        spawnError,
        stderrTail: sink.stderrTail(),
        frames: sink.sessionFrames(),
        partialBytes: sink.partialBytes(),
      }),
    );
  };
  child.on('error', (err: NodeJS.ErrnoException) => {
    spawnError = err;
    // a failed spawn may never emit 'close'
    if (child.pid === undefined) finish(null, null);
  });
  child.on('close', (code, signal) => finish(code, signal));

  return {
    get pid() {
      return child.pid ?? null;
    },
    kill() {
      if (!exited) child.kill('SIGKILL');
    },
    async close() {
      closedByUs = true;
      if (exited || child.pid === undefined) return;
      await stopChild(child, exitedP, { graceMs: spec.killGraceMs ?? 1500, timers });
    },
  };
}

/** Whether any stderr line matches. */
export function tailHas(tail: string[], re: RegExp): string | null {
  for (let i = tail.length - 1; i >= 0; i--) if (re.test(tail[i] as string)) return tail[i] as string;
  return null;
}
