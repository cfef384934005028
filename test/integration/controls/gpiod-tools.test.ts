// The libgpiod tools driver against real child processes. No GPIO chip exists on these
// machines, so stand-in gpioinfo/gpiomon/gpioset scripts print what libgpiod 1.6 prints
// (recorded layout) and record the argv they were given; the real tools are run too,
// where installed, to check the "no chip" error path end to end.
import { execFileSync } from 'node:child_process';
import { chmodSync, mkdtempSync, readFileSync, rmSync, writeFileSync, existsSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { main } from '../../../src/cli.js';
import type { CliIO } from '../../../src/cli/io.js';
import { systemClock } from '../../../src/clock.js';
import { parseConfig } from '../../../src/config/load.js';
import { GpioButtons } from '../../../src/controls/gpio-backend.js';
import { GpiodDriver } from '../../../src/controls/gpiod.js';
import { systemTimers } from '../../../src/timers.js';
import { silentLogger } from '../../../src/log.js';
import { waitFor } from '../../wait-for.js';

const GPIOINFO = [
  'gpiochip0 - 58 lines:',
  '\tline   5:      "GPIO5"       unused   input  active-high ',
  '\tline  17:     "GPIO17"       unused   input  active-high ',
  '\tline  25:     "GPIO25"       unused   input  active-high ',
  '\tline  26:     "GPIO26"       unused   input  active-high ',
  '\tline  27:     "GPIO27"       unused   input  active-high ',
  '\tline  40:     "GPIO40"  "pwm-fan"   output  active-high [used]',
  '',
].join('\n');

let dir = '';

function script(name: string, body: string): string {
  const p = join(dir, name);
  writeFileSync(p, `#!/bin/sh\n${body}\n`);
  chmodSync(p, 0o755);
  return p;
}

function capture(): CliIO & { stdout: string[]; stderr: string[] } {
  const stdout: string[] = [];
  const stderr: string[] = [];
  return { out: (t) => void stdout.push(t), err: (t) => void stderr.push(t), env: { POKERFACE_LOG_LEVEL: process.env.POKERFACE_TEST_LOG_LEVEL ?? "silent" }, cwd: dir, stdout, stderr };
}

function pids(file: string): number[] {
  return existsSync(file) ? readFileSync(file, 'utf8').trim().split('\n').filter(Boolean).map(Number) : [];
}

function alive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
}

const hasTools = (() => {
  try {
    execFileSync('gpioinfo', ['--version'], { stdio: 'ignore' });
    return true;
  } catch {
    return false;
  }
})();

beforeAll(() => {
  dir = mkdtempSync(join(tmpdir(), 'pokerface-gpio-'));
  writeFileSync(join(dir, 'gpioinfo.txt'), GPIOINFO);
  script(
    'gpioinfo',
    `[ "$1" = gpiochip0 ] || { echo "gpioinfo: looking up chip $1: No such file or directory" >&2; exit 1; }
cat "${dir}/gpioinfo.txt"`,
  );
  // plays edges.<last line offset>: "<delay s or -> <gpiomon output line>" per row, then holds the lines
  script(
    'gpiomon',
    `echo "$*" >> "${dir}/gpiomon.args"
echo $$ >> "${dir}/pids"
for a; do last=$a; done
if [ -f "${dir}/edges.$last" ]; then
  while read -r delay line; do [ "$delay" = - ] || sleep "$delay"; echo "$line"; done < "${dir}/edges.$last"
fi
exec sleep 600`,
  );
  script(
    'gpioset',
    `echo "$*" >> "${dir}/gpioset.args"
echo $$ >> "${dir}/pids"
exec sleep 600`,
  );
});

afterAll(() => {
  for (const pid of pids(join(dir, 'pids'))) if (alive(pid)) process.kill(pid, 'SIGKILL');
  rmSync(dir, { recursive: true, force: true });
});

function configFile(name: string, extra = ''): string {
  const p = join(dir, name);
  writeFileSync(
    p,
    `controls:
  backends: [gpio]
  staffHoldMs: 500
  blinkMs: 100
  gpio:
    chip: gpiochip0
    gpiomonPath: ${dir}/gpiomon
    gpiosetPath: ${dir}/gpioset
    gpioinfoPath: ${dir}/gpioinfo
    buttons:
      funny: { line: 17 }
      scary: { line: 27 }
      start: { line: 25, bias: as-is }
    lights:
      funny: { line: 5 }
      start: { line: 26, activeLow: true }
${extra}`,
  );
  return p;
}

describe('pokerface buttons over libgpiod tool processes', () => {
  it('prints presses and the staff hold, runs gpiomon/gpioset with the exact argv, and leaves no process behind', async () => {
    // funny: a bounce train (back to back, so machine load cannot stretch it) then a release;
    // scary: a clean press; start: pressed and kept down
    writeFileSync(join(dir, 'edges.27'), ['0.4 17 1 1 0', '- 17 0 1 0', '- 17 1 1 0', '0.2 17 0 1 0', '0.1 27 1 1 0', '0.1 27 0 1 0', ''].join('\n'));
    writeFileSync(join(dir, 'edges.25'), ['0.1 25 1 1 0', ''].join('\n'));
    const io = capture();
    const code = await main(['buttons', '--config', configFile('events.yaml'), '--json', '--count', '4'], io);
    expect(io.stderr).toEqual([]);
    expect(code).toBe(0);
    const events = io.stdout.map((l) => JSON.parse(l) as { name: string; kind: string; source: string });
    expect(events.map((e) => `${e.name} ${e.kind}`).sort()).toEqual(['funny press', 'scary press', 'start hold', 'start press']);
    expect(events.every((e) => e.source === 'gpio')).toBe(true);
    expect(readFileSync(join(dir, 'gpiomon.args'), 'utf8').trim().split('\n').sort()).toEqual([
      '--line-buffered --format=%o %e %s %n --active-low --bias=pull-up gpiochip0 17 27',
      '--line-buffered --format=%o %e %s %n --active-low gpiochip0 25',
    ]);
    const sets = readFileSync(join(dir, 'gpioset.args'), 'utf8').trim().split('\n');
    expect(sets[0]).toBe('--mode=signal gpiochip0 5=0 26=1');
    expect(sets.at(-1)).toBe('--mode=signal gpiochip0 5=0 26=1');
    for (const pid of pids(join(dir, 'pids'))) expect(alive(pid)).toBe(false);
  });

  it('--blink drives the lamps through gpioset and ends with all off', async () => {
    rmSync(join(dir, 'gpioset.args'), { force: true });
    rmSync(join(dir, 'pids'), { force: true });
    const io = capture();
    const code = await main(['buttons', '--config', configFile('blink.yaml'), '--blink', '--seconds', '1.5'], io);
    expect(code).toBe(0);
    expect(io.stdout.join('\n')).toContain('lights cycling');
    const sets = readFileSync(join(dir, 'gpioset.args'), 'utf8').trim().split('\n');
    expect(sets).toContain('--mode=signal gpiochip0 5=1 26=1'); // funny alone
    expect(sets).toContain('--mode=signal gpiochip0 5=0 26=0'); // start alone (active-low)
    expect(sets.length).toBeGreaterThan(3);
    expect(sets.at(-1)).toBe('--mode=signal gpiochip0 5=0 26=1');
    for (const pid of pids(join(dir, 'pids'))) expect(alive(pid)).toBe(false);
  });

  it('a missing chip: exit 69 with POKERFACE_ERR_GPIO_OPEN and the tool message', async () => {
    const io = capture();
    const p = configFile('nochip.yaml').replace('nochip.yaml', 'nochip7.yaml');
    writeFileSync(p, readFileSync(configFile('nochip.yaml'), 'utf8').replace('chip: gpiochip0', 'chip: gpiochip7'));
    const code = await main(['buttons', '--config', p, '--count', '1'], io);
    expect(code).toBe(69);
    expect(io.stderr.join('\n')).toMatch(/POKERFACE_ERR_GPIO_OPEN: .*gpiochip7: gpioinfo: looking up chip gpiochip7: No such file or directory/);
  });

  it('a monitor that dies is restarted: health fails, then recovers', async () => {
    writeFileSync(join(dir, 'count'), '0');
    const flaky = script(
      'gpiomon-flaky',
      `n=$(cat "${dir}/count"); echo $((n + 1)) > "${dir}/count"
echo $$ >> "${dir}/pids"
if [ "$n" = 0 ]; then sleep 0.5; echo "gpiomon: error waiting for events: Input/output error" >&2; exit 1; fi
exec sleep 600`,
    );
    const config = parseConfig(
      `controls:\n  gpio:\n    gpiomonPath: ${flaky}\n    gpioinfoPath: ${dir}/gpioinfo\n    buttons:\n      funny: { line: 17 }\n`,
      'test',
    ).controls;
    const driver = new GpiodDriver({ paths: { gpiomon: flaky, gpioset: `${dir}/gpioset`, gpioinfo: `${dir}/gpioinfo` } });
    const gpio = new GpioButtons({ config, driver, clock: systemClock, timers: systemTimers, log: silentLogger });
    await gpio.start();
    expect(gpio.health().healthy).toBe(true);
    await waitFor(() => !gpio.health().healthy, { timeoutMs: 5000 });
    expect(gpio.health().backends[0]?.error).toContain('Input/output error');
    // retried after 1 s: gpioinfo preflight, then the 300 ms grace
    await waitFor(() => gpio.health().healthy, { timeoutMs: 10_000 });
    expect(gpio.health()).toEqual({ healthy: true, backends: [{ name: 'gpio', state: 'ok' }] });
    await gpio.stop();
    for (const pid of pids(join(dir, 'pids'))) expect(alive(pid)).toBe(false);
  });
});

describe.skipIf(!hasTools)('real libgpiod 1.6 tools on a machine without a GPIO chip', () => {
  it('the driver rejects with POKERFACE_ERR_GPIO_OPEN and gpioinfo\'s own message', async () => {
    const driver = new GpiodDriver({ paths: { gpiomon: 'gpiomon', gpioset: 'gpioset', gpioinfo: 'gpioinfo' } });
    await expect(driver.watchInputs({ chip: 'gpiochip0', lines: [17], activeLow: true, bias: 'pull-up' }, () => {}, () => {})).rejects.toMatchObject({
      code: 'POKERFACE_ERR_GPIO_OPEN',
      message: expect.stringContaining('gpioinfo: looking up chip gpiochip0: No such file or directory') as unknown,
    });
  });

  it('pokerface buttons with the booth config exits 69 and says why', async () => {
    const io = capture();
    const p = join(dir, 'real.yaml');
    writeFileSync(p, 'controls:\n  backends: [gpio]\n  gpio:\n    buttons:\n      funny: { line: 17 }\n');
    const code = await main(['buttons', '--config', p], io);
    expect(code).toBe(69);
    expect(io.stderr.join('\n')).toContain('POKERFACE_ERR_GPIO_OPEN');
    expect(io.stderr.join('\n')).toContain('No such file or directory');
  });

  it('a missing tool is POKERFACE_ERR_GPIO_UNAVAILABLE', async () => {
    const driver = new GpiodDriver({ paths: { gpiomon: '/nonexistent/gpiomon', gpioset: '/nonexistent/gpioset', gpioinfo: '/nonexistent/gpioinfo' } });
    await expect(driver.openOutputs('gpiochip0', new Map([[5, false]]), () => {})).rejects.toMatchObject({ code: 'POKERFACE_ERR_GPIO_UNAVAILABLE' });
  });
});
