import type { ChildProcess, SpawnOptions } from 'node:child_process';
import { EventEmitter } from 'node:events';
import { PassThrough } from 'node:stream';
import { describe, expect, it } from 'vitest';
import { checkLines, GpiodDriver, gpiomonArgs, gpiosetArgs, parseGpioinfo, parseGpiomonLine, type SpawnFn } from '../../../src/controls/gpiod.js';
import type { LineEdge } from '../../../src/controls/line-driver.js';
import type { PokerfaceError } from '../../../src/errors.js';
import { waitFor } from '../../wait-for.js';

// gpioinfo 1.6 output laid out exactly as its list_lines() prints (padding, quoting, flags).
const GPIOINFO = [
  'gpiochip0 - 58 lines:',
  '\tline   0:     "ID_SDA"       unused   input  active-high ',
  '\tline   4:      "GPIO4"       unused   input  active-high ',
  '\tline  17:     "GPIO17"    "gpiomon"   input   active-low [used pull-up]',
  '\tline  18:     "GPIO18"       unused   input  active-high ',
  '\tline  26:     "GPIO26"    "gpioset"  output  active-high [used]',
  '\tline  29: "LAN_RUN_a_very_long_name" "kernel-consumer-name" output active-high [used]',
  '\tline  30:      unnamed       kernel   input  active-high [used]',
  '',
].join('\n');

describe('gpiomon 1.6 command line and output', () => {
  it('builds the exact argv: line-buffered, custom format, active-low, bias, chip, offsets', () => {
    expect(gpiomonArgs({ chip: 'gpiochip0', lines: [17, 27, 22], activeLow: true, bias: 'pull-up' })).toEqual([
      '--line-buffered',
      '--format=%o %e %s %n',
      '--active-low',
      '--bias=pull-up',
      'gpiochip0',
      '17',
      '27',
      '22',
    ]);
    expect(gpiomonArgs({ chip: '/dev/gpiochip4', lines: [5], activeLow: false, bias: 'as-is' })).toEqual([
      '--line-buffered',
      '--format=%o %e %s %n',
      '/dev/gpiochip4',
      '5',
    ]);
    expect(gpiomonArgs({ chip: 'gpiochip0', lines: [5], activeLow: false, bias: 'disable' })).toContain('--bias=disable');
  });

  it('parses recorded event lines; %n is not zero-padded', () => {
    // recorded as printed by `gpiomon -b -F "%o %e %s %n" -l -B pull-up gpiochip0 17 27`
    const sample = ['17 1 4711 52733', '17 0 4711 61733045', '27 1 4712 999999999', ''].join('\n');
    const edges = sample.split('\n').map(parseGpiomonLine);
    expect(edges).toEqual<Array<LineEdge | null>>([
      { line: 17, active: true, kernelNs: 4_711_000_052_733n },
      { line: 17, active: false, kernelNs: 4_711_061_733_045n },
      { line: 27, active: true, kernelNs: 4_712_999_999_999n },
      null,
    ]);
  });

  it('ignores lines that are not events (default human format, noise)', () => {
    expect(parseGpiomonLine('event:  RISING EDGE offset: 17 timestamp: [    4711.000052733]')).toBeNull();
    expect(parseGpiomonLine('17 2 1 1')).toBeNull();
    expect(parseGpiomonLine('gpiomon: error waiting for events: Device or resource busy')).toBeNull();
  });
});

describe('gpioset 1.6 command line', () => {
  it('holds the values with --mode=signal, offsets sorted', () => {
    expect(gpiosetArgs('gpiochip0', new Map([[26, true], [5, false], [6, true]]))).toEqual(['--mode=signal', 'gpiochip0', '5=0', '6=1', '26=1']);
  });
});

describe('gpioinfo 1.6 output', () => {
  it('reads the line count and who holds which line', () => {
    const info = parseGpioinfo(GPIOINFO);
    expect(info?.name).toBe('gpiochip0');
    expect(info?.lines).toBe(58);
    expect([...(info?.used ?? [])]).toEqual([
      [17, 'gpiomon'],
      [26, 'gpioset'],
      [29, 'kernel-consumer-name'],
      [30, 'kernel'],
    ]);
  });

  it('names every problem with the wanted lines', () => {
    const info = parseGpioinfo(GPIOINFO);
    if (!info) throw new Error('no info');
    expect(checkLines(info, [4, 18])).toEqual([]);
    expect(checkLines(info, [17, 70])).toEqual(['line 17 on gpiochip0 is in use by "gpiomon"', 'line 70 does not exist (gpiochip0 has 58 lines)']);
  });

  it('counts a 1.4-style "unused" line flagged [used] as held by the kernel', () => {
    const info = parseGpioinfo('gpiochip1 - 8 lines:\n\tline   3:      unnamed       unused  output  active-high [used]\n\tline   4:      unnamed       unused   input  active-high \n');
    expect([...(info?.used ?? [])]).toEqual([[3, 'kernel']]);
  });

  it('returns null for output without a chip header', () => {
    expect(parseGpioinfo('')).toBeNull();
  });
});

/** A child process stand-in: scripted per tool. */
class FakeChild extends EventEmitter {
  stdout = new PassThrough();
  stderr = new PassThrough();
  killed: string[] = [];
  exited = false;
  kill(sig: string): boolean {
    this.killed.push(sig);
    this.exit(null, sig);
    return true;
  }
  exit(code: number | null, signal: string | null = null): void {
    if (this.exited) return;
    this.exited = true;
    this.stdout.end();
    this.stderr.end();
    setImmediate(() => {
      this.emit('exit', code, signal);
      this.emit('close', code, signal);
    });
  }
}

function fakeSpawn(script: (cmd: string, args: string[], child: FakeChild) => void): { spawn: SpawnFn; calls: Array<{ cmd: string; args: string[] }>; children: FakeChild[] } {
  const calls: Array<{ cmd: string; args: string[] }> = [];
  const children: FakeChild[] = [];
  const spawn: SpawnFn = (cmd: string, args: string[], _opts: SpawnOptions) => {
    const child = new FakeChild();
    calls.push({ cmd, args });
    children.push(child);
    setImmediate(() => script(cmd, args, child));
    return child as unknown as ChildProcess;
  };
  return { spawn, calls, children };
}

const paths = { gpiomon: 'gpiomon', gpioset: 'gpioset', gpioinfo: 'gpioinfo' };

describe('GpiodDriver over scripted child processes', () => {
  it('preflights with gpioinfo, runs gpiomon, parses its events and stops it with SIGTERM', async () => {
    const { spawn, calls, children } = fakeSpawn((cmd, _args, child) => {
      if (cmd === 'gpioinfo') {
        child.stdout.write(GPIOINFO);
        child.exit(0);
      }
    });
    const driver = new GpiodDriver({ paths, spawn, openGraceMs: 20 });
    const edges: LineEdge[] = [];
    const lost: PokerfaceError[] = [];
    const watch = await driver.watchInputs({ chip: 'gpiochip0', lines: [4, 18], activeLow: true, bias: 'pull-up' }, (e) => edges.push(e), (e) => lost.push(e));
    expect(calls.map((c) => [c.cmd, ...c.args].join(' '))).toEqual([
      'gpioinfo gpiochip0',
      'gpiomon --line-buffered --format=%o %e %s %n --active-low --bias=pull-up gpiochip0 4 18',
    ]);
    const mon = children[1];
    mon?.stdout.write('4 1 10 5\n18 0 10 500000000\n');
    await waitFor(() => edges.length >= 2, { what: 'two edges' });
    expect(edges).toEqual([
      { line: 4, active: true, kernelNs: 10_000_000_005n },
      { line: 18, active: false, kernelNs: 10_500_000_000n },
    ]);
    await watch.close();
    expect(mon?.killed).toEqual(['SIGTERM']);
    expect(lost).toEqual([]);
  });

  it('rejects with GPIO_OPEN and gpioinfo stderr when the chip does not exist', async () => {
    const { spawn, calls } = fakeSpawn((_cmd, _args, child) => {
      child.stderr.write('gpioinfo: looking up chip gpiochip9: No such file or directory\n');
      child.exit(1);
    });
    const driver = new GpiodDriver({ paths, spawn, openGraceMs: 20 });
    await expect(driver.watchInputs({ chip: 'gpiochip9', lines: [4], activeLow: true, bias: 'pull-up' }, () => {}, () => {})).rejects.toMatchObject({
      code: 'POKERFACE_ERR_GPIO_OPEN',
      message: expect.stringContaining('gpiochip9: gpioinfo: looking up chip gpiochip9: No such file or directory') as unknown,
    });
    expect(calls).toHaveLength(1);
  });

  it('rejects with GPIO_OPEN naming the consumer when a line is busy', async () => {
    const { spawn } = fakeSpawn((_cmd, _args, child) => {
      child.stdout.write(GPIOINFO);
      child.exit(0);
    });
    const driver = new GpiodDriver({ paths, spawn, openGraceMs: 20 });
    await expect(driver.watchInputs({ chip: 'gpiochip0', lines: [17], activeLow: true, bias: 'pull-up' }, () => {}, () => {})).rejects.toMatchObject({
      code: 'POKERFACE_ERR_GPIO_OPEN',
      message: expect.stringContaining('in use by "gpiomon"') as unknown,
    });
  });

  it('rejects with GPIO_OPEN when gpiomon exits during the grace period, with its stderr', async () => {
    const { spawn } = fakeSpawn((cmd, _args, child) => {
      if (cmd === 'gpioinfo') {
        child.stdout.write(GPIOINFO);
        child.exit(0);
      } else {
        child.stderr.write('gpiomon: error waiting for events: Invalid argument\n');
        setTimeout(() => child.exit(1), 5);
      }
    });
    const driver = new GpiodDriver({ paths, spawn, openGraceMs: 100 });
    await expect(driver.watchInputs({ chip: 'gpiochip0', lines: [4], activeLow: true, bias: 'pull-up' }, () => {}, () => {})).rejects.toMatchObject({
      code: 'POKERFACE_ERR_GPIO_OPEN',
      message: expect.stringContaining('error waiting for events: Invalid argument') as unknown,
    });
  });

  it('reports a gpiomon that dies later through onLost, once', async () => {
    const { spawn, children } = fakeSpawn((cmd, _args, child) => {
      if (cmd === 'gpioinfo') {
        child.stdout.write(GPIOINFO);
        child.exit(0);
      }
    });
    const driver = new GpiodDriver({ paths, spawn, openGraceMs: 10 });
    const lost: PokerfaceError[] = [];
    const watch = await driver.watchInputs({ chip: 'gpiochip0', lines: [4], activeLow: true, bias: 'pull-up' }, () => {}, (e) => lost.push(e));
    children[1]?.exit(1);
    await waitFor(() => lost.length > 0, { what: 'the lost line' });
    expect(lost.map((e) => e.code)).toEqual(['POKERFACE_ERR_GPIO_OPEN']);
    expect(lost[0]?.message).toContain('gpiomon on gpiochip0 4 exited (1)');
    await watch.close();
  });

  it('maps a missing tool (ENOENT) to GPIO_UNAVAILABLE', async () => {
    const spawn: SpawnFn = () => {
      const child = new FakeChild();
      setImmediate(() => child.emit('error', Object.assign(new Error('spawn gpioinfo ENOENT'), { code: 'ENOENT' })));
      return child as unknown as ChildProcess;
    };
    const driver = new GpiodDriver({ paths, spawn, openGraceMs: 10 });
    await expect(driver.watchInputs({ chip: 'gpiochip0', lines: [4], activeLow: true, bias: 'as-is' }, () => {}, () => {})).rejects.toMatchObject({
      code: 'POKERFACE_ERR_GPIO_UNAVAILABLE',
    });
  });

  it('outputs: each change replaces gpioset after the old one exits; bursts collapse to the latest', async () => {
    const { spawn, calls, children } = fakeSpawn((cmd, _args, child) => {
      if (cmd === 'gpioinfo') {
        child.stdout.write(GPIOINFO);
        child.exit(0);
      }
    });
    const driver = new GpiodDriver({ paths, spawn, openGraceMs: 10 });
    const out = await driver.openOutputs('gpiochip0', new Map([[4, false], [18, true]]), () => {});
    const p1 = out.set(new Map([[4, true], [18, true]]));
    const p2 = out.set(new Map([[4, false], [18, false]]));
    const p3 = out.set(new Map([[4, true], [18, false]]));
    await Promise.all([p1, p2, p3]);
    const sets = calls.filter((c) => c.cmd === 'gpioset').map((c) => c.args.join(' '));
    expect(sets[0]).toBe('--mode=signal gpiochip0 4=0 18=1');
    expect(sets.at(-1)).toBe('--mode=signal gpiochip0 4=1 18=0');
    expect(sets.length).toBeLessThanOrEqual(3);
    // never two gpioset holding the lines at once
    const running = children.filter((c, i) => calls[i]?.cmd === 'gpioset' && !c.exited);
    expect(running).toHaveLength(1);
    await out.close();
    expect(children.every((c) => c.exited)).toBe(true);
  });
});
