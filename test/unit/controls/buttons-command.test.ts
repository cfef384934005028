import { EventEmitter } from 'node:events';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { describeLines, runButtons, type ButtonsProc } from '../../../src/cli/commands/buttons.js';
import type { CliIO } from '../../../src/cli/io.js';
import { parseConfig } from '../../../src/config/load.js';
import { FakeLineDriver } from '../../../src/controls/fake-line-driver.js';
import { FakeTty, SIX_BUTTONS } from './helpers.js';
import { waitFor } from '../../wait-for.js';

const dir = mkdtempSync(join(tmpdir(), 'pokerface-buttons-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

function io(): CliIO & { stdout: string[]; stderr: string[] } {
  const stdout: string[] = [];
  const stderr: string[] = [];
  return { out: (t) => void stdout.push(t), err: (t) => void stderr.push(t), env: { POKERFACE_LOG_LEVEL: 'silent' }, cwd: dir, stdout, stderr };
}

function file(name: string, body: string): string {
  const p = join(dir, name);
  writeFileSync(p, body);
  return p;
}

const indent = (s: string): string =>
  s
    .split('\n')
    .map((l) => `  ${l}`)
    .join('\n');

describe('pokerface buttons', () => {
  it('prints each keyboard press as it happens and stops on SIGINT, restoring the terminal', async () => {
    const cfg = file('kb.yaml', 'controls:\n  backends: [keyboard]\n');
    const tty = new FakeTty();
    const proc = new EventEmitter() as EventEmitter & ButtonsProc;
    const out = io();
    const run = runButtons(['--config', cfg], out, { input: tty, proc, interrupt: () => proc.emit('SIGINT') });
    await waitFor(() => tty.isRaw);
    tty.type('f');
    tty.type('q');
    await waitFor(() => out.stdout.length >= 5);
    tty.type('\u0003'); // Ctrl-C
    await expect(run).resolves.toBe(0);
    expect(out.stdout[0]).toContain('backends: keyboard, virtual');
    expect(out.stdout.join('\n')).toMatch(/\+\d+\.\d{3}s +funny +press +keyboard/);
    expect(out.stdout.join('\n')).toMatch(/start +hold +keyboard/);
    expect(tty.isRaw).toBe(false);
    expect(proc.listenerCount('SIGINT')).toBe(0);
  });

  it('--json --count N prints N JSON events from GPIO and exits 0', async () => {
    const cfg = file('gpio.yaml', `controls:\n${indent(SIX_BUTTONS)}\n`);
    const driver = new FakeLineDriver();
    const out = io();
    const run = runButtons(['--config', cfg, '--json', '--count', '2'], out, { driver, proc: new EventEmitter() });
    await waitFor(() => driver.openWatches().length > 0);
    driver.edge('gpiochip0', 17, true);
    driver.edge('gpiochip0', 27, true);
    await expect(run).resolves.toBe(0);
    const events = out.stdout.map((l) => JSON.parse(l) as Record<string, unknown>);
    expect(events.map((e) => `${String(e.name)} ${String(e.kind)} ${String(e.source)}`)).toEqual(['funny press gpio', 'scary press gpio']);
    expect(driver.openWatches()).toEqual([]);
  });

  it('exits 69 with the reason when the GPIO lines cannot be opened', async () => {
    const cfg = file('fail.yaml', `controls:\n${indent(SIX_BUTTONS)}\n`);
    const driver = new FakeLineDriver();
    driver.failOpen.add('gpiochip0');
    const out = io();
    await expect(runButtons(['--config', cfg], out, { driver, proc: new EventEmitter() })).resolves.toBe(69);
    expect(out.stderr.join('\n')).toContain('POKERFACE_ERR_GPIO_OPEN');
  });

  it('exits 78 on a bad configuration, with the problem listed', async () => {
    const cfg = file('bad.yaml', 'controls:\n  gpio:\n    buttons:\n      nope: { line: 1 }\n');
    const out = io();
    await expect(runButtons(['--config', cfg], out, { proc: new EventEmitter() })).resolves.toBe(78);
    expect(out.stderr.join('\n')).toContain('controls.gpio.buttons');
  });

  it('rejects a bad --count as a usage error', async () => {
    await expect(runButtons(['--count=0'], io(), { proc: new EventEmitter() })).rejects.toMatchObject({ code: 'POKERFACE_ERR_USAGE' });
  });

  it('lists what each button and light is wired to', () => {
    const config = parseConfig(`controls:\n${indent(SIX_BUTTONS)}\n`, 'test');
    const lines = describeLines(config);
    expect(lines[0]).toBe('  button funny  gpiochip0 line 17 active-low bias pull-up debounce 40 ms');
    expect(lines).toContain('  light  start  gpiochip0 line 26 active-low');
  });
});
