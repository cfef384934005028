import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { main, version } from '../../src/cli.js';
import { recordingIO } from '../cli-io.js';

const io = recordingIO;

describe('pokerface CLI', () => {
  const dir = mkdtempSync(join(tmpdir(), 'pokerface-cli-'));
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  it('prints its version and help', async () => {
    const a = io();
    expect(await main(['--version'], a)).toBe(0);
    expect(a.stdout.trim()).toBe(version());
    const b = io();
    expect(await main(['--help'], b)).toBe(0);
    for (const cmd of ['run', 'config check', 'models build', 'detect', 'bench', 'capture', 'buttons', 'selftest', 'media make-demo']) {
      expect(b.stdout).toContain(cmd);
    }
    const c = io();
    expect(await main(['config', 'check', '--help'], c)).toBe(0);
    expect(c.stdout).toContain('usage: pokerface config check');
  });

  it('accepts both shipped configuration files (the booth one once it has a booth id)', async () => {
    const demo = io();
    expect(await main(['config', 'check', 'config/demo.yaml'], demo), demo.stderr).toBe(0);
    const named = Object.assign(io(), { env: { POKERFACE_BOOTHID: 'hall-7' } });
    expect(await main(['config', 'check', 'config/default.yaml'], named), named.stderr).toBe(0);
  });

  it('a booth refuses the placeholder and demo ids with exit 78 and says how to set one', async () => {
    for (const [file, env] of [
      ['config/default.yaml', {}],
      ['config/default.yaml', { POKERFACE_BOOTHID: 'demo' }],
    ] as const) {
      for (const cmd of [['config', 'check', file], ['run', '--config', file]]) {
        const a = Object.assign(io(), { env });
        expect(await main(cmd, a), cmd.join(' ')).toBe(78);
        expect(a.stderr).toMatch(/POKERFACE_ERR_CONFIG_INVALID: .*boothId "(booth|demo)" is a placeholder.*--booth-id/);
      }
    }
  });

  it('reports three different mistakes at once and exits 78', async () => {
    const file = join(dir, 'three.yaml');
    writeFileSync(file, 'boothId: "booth/1"\ncamera:\n  fsp: 30\nmqtt:\n  scoreHz: "fast"\n');
    const a = io();
    expect(await main(['config', 'check', file], a)).toBe(78);
    expect(a.stderr).toContain('POKERFACE_ERR_CONFIG_INVALID');
    expect(a.stderr).toMatch(new RegExp(`${file}:1:\\d+: boothId: must match pattern`));
    expect(a.stderr).toMatch(new RegExp(`${file}:3:\\d+: camera.fsp: unknown key`));
    expect(a.stderr).toMatch(new RegExp(`${file}:5:\\d+: mqtt.scoreHz: must be number`));
  });

  it('refuses a missing file and broken YAML with exit 78 and starts nothing', async () => {
    const a = io();
    expect(await main(['run', '--config', join(dir, 'nope.yaml')], a)).toBe(78);
    expect(a.stderr).toContain('POKERFACE_ERR_CONFIG_NOT_FOUND');
    const file = join(dir, 'broken.yaml');
    writeFileSync(file, 'camera:\n  width: [640\n');
    const b = io();
    expect(await main(['run', '--config', file], b)).toBe(78);
    expect(b.stderr).toMatch(/POKERFACE_ERR_CONFIG_PARSE[\s\S]*broken.yaml:\d+:\d+/);
  });

  it('answers an unknown command or option with usage and exit 64', async () => {
    const a = io();
    expect(await main(['frobnicate'], a)).toBe(64);
    expect(a.stderr).toContain('unknown command');
    const b = io();
    expect(await main(['config', 'check', '--bogus'], b)).toBe(64);
  });
});
