// The pidfile of children: a start ends only the children a dead predecessor recorded,
// checked by exact command line and start time, never by name.
import { mkdtempSync, readFileSync, rmSync, existsSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { silentLogger } from '../../../src/log.js';
import { ChildLedger, runtimeDir, type ProcessTable } from '../../../src/ops/children.js';

class FakeProcs implements ProcessTable {
  readonly table = new Map<number, { start: string; cmdline: string; ignoresTerm?: boolean }>();
  readonly signals: Array<[number, string]> = [];
  cmdline(pid: number): string | null {
    return this.table.get(pid)?.cmdline ?? null;
  }
  startTime(pid: number): string | null {
    return this.table.get(pid)?.start ?? null;
  }
  kill(pid: number, signal: NodeJS.Signals): void {
    this.signals.push([pid, signal]);
    const p = this.table.get(pid);
    if (p && (signal === 'SIGKILL' || !p.ignoresTerm)) this.table.delete(pid);
  }
}

const dirs: string[] = [];
afterEach(() => {
  for (const d of dirs.splice(0)) rmSync(d, { recursive: true, force: true });
});

function setup(selfPid: number, procs: FakeProcs, file?: string) {
  const dir = mkdtempSync(join(tmpdir(), 'pokerface-children-'));
  dirs.push(dir);
  const f = file ?? join(dir, 'run', 'pokerface.pids');
  return { file: f, ledger: new ChildLedger({ file: f, log: silentLogger, procs, selfPid, killGraceMs: 200, sleep: () => Promise.resolve() }) };
}

describe('ChildLedger', () => {
  it('records children, and the next start ends those a killed daemon left, by cmdline and start time', async () => {
    const procs = new FakeProcs();
    procs.table.set(100, { start: '5000', cmdline: 'node\0bin/pokerface.js\0run\0' });
    procs.table.set(101, { start: '5010', cmdline: 'mpv\0--idle=yes\0--input-ipc-server=/run/pokerface/mpv.sock\0' });
    procs.table.set(102, { start: '5020', cmdline: 'ffmpeg\0-i\0/dev/video0\0' });
    const first = setup(100, procs);
    await first.ledger.start();
    first.ledger.track(101);
    first.ledger.track(102);
    expect((JSON.parse(readFileSync(first.file, 'utf8')) as { children: unknown[] }).children).toHaveLength(2);

    // kill -9 of the daemon: its children stay; ffmpeg's pid is reused by an unrelated process
    procs.table.delete(100);
    procs.table.set(102, { start: '9999', cmdline: 'ffmpeg\0-i\0/dev/video0\0' });
    procs.table.set(101, { ...procs.table.get(101)!, ignoresTerm: true });
    procs.table.set(200, { start: '6000', cmdline: 'node\0bin/pokerface.js\0run\0' });
    const second = new ChildLedger({ file: first.file, log: silentLogger, procs, selfPid: 200, killGraceMs: 200, sleep: () => Promise.resolve() });
    await second.start();
    expect(procs.signals).toEqual([
      [101, 'SIGTERM'],
      [101, 'SIGKILL'],
    ]);
    expect(procs.table.has(102)).toBe(true); // same cmdline, other start time: not ours
    expect(second.reapedCount).toBe(1);
    expect(JSON.parse(readFileSync(first.file, 'utf8'))).toMatchObject({ daemon: { pid: 200 }, children: [] });
    await second.stop();
    expect(existsSync(first.file)).toBe(false);
  });

  it('leaves the children of another live daemon alone', async () => {
    const procs = new FakeProcs();
    procs.table.set(100, { start: '1', cmdline: 'node\0pokerface\0' });
    procs.table.set(101, { start: '2', cmdline: 'mpv\0' });
    const a = setup(100, procs);
    await a.ledger.start();
    a.ledger.track(101);
    procs.table.set(300, { start: '3', cmdline: 'node\0pokerface\0' });
    const b = new ChildLedger({ file: a.file, log: silentLogger, procs, selfPid: 300, sleep: () => Promise.resolve() });
    await b.start();
    expect(procs.signals).toEqual([]);
  });

  it('ignores a missing or garbled pidfile, and says so in health when it cannot write', async () => {
    const procs = new FakeProcs();
    procs.table.set(100, { start: '1', cmdline: 'node\0' });
    const a = setup(100, procs);
    await a.ledger.start();
    writeFileSync(a.file, '{not json');
    const b = new ChildLedger({ file: a.file, log: silentLogger, procs, selfPid: 100 });
    await b.start();
    expect(procs.signals).toEqual([]);
    const c = new ChildLedger({ file: join(a.file, 'under-a-file', 'pokerface.pids'), log: silentLogger, procs, selfPid: 100 });
    await c.start();
    expect(c.health().reasons[0]).toMatch(/pidfile not written/);
  });

  it('the runtime folder is systemd RUNTIME_DIRECTORY, else the mpv socket folder', () => {
    expect(runtimeDir({ RUNTIME_DIRECTORY: '/run/pokerface' }, '/tmp/x/mpv.sock')).toBe('/run/pokerface');
    expect(runtimeDir({}, '/tmp/x/mpv.sock')).toBe('/tmp/x');
  });
});
