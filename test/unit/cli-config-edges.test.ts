// Configuration edge cases seen on booths (issue 13): each one is exit 78 (never 70, never
// a silent start) with one located line per problem, through the real CLI entry.
import { existsSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { main } from '../../src/cli.js';
import { recordingIO } from '../cli-io.js';

const io = recordingIO;

/** The problem lines (indented) of a ConfigError printout. */
function problems(stderr: string): string[] {
  return stderr.split('\n').filter((l) => l.startsWith('  '));
}

describe('config edge cases (exit 78, one located line each)', () => {
  const dir = mkdtempSync(join(tmpdir(), 'pokerface-cfg-edge-'));
  afterAll(() => rmSync(dir, { recursive: true, force: true }));
  const write = (name: string, text: string): string => {
    const f = join(dir, name);
    writeFileSync(f, text);
    return f;
  };

  it('detect and bench, which read only the model section, print each problem too, not just their count', async () => {
    const file = write('bad-model.yaml', 'model:\n  detector:\n    redetectEvery: 0\n');
    for (const args of [['detect', '--config', file, 'no-such.jpg'], ['bench', '--config', file]]) {
      const a = io();
      expect(await main(args, a), a.stderr).toBe(78);
      expect(a.stderr).toContain('POKERFACE_ERR_CONFIG_INVALID');
      expect(problems(a.stderr)).toHaveLength(1);
      expect(problems(a.stderr)[0]).toContain('model.detector.redetectEvery');
    }
  });

  it('a YAML alias bomb is a parse error (78), not an uncaught error (70)', async () => {
    let text = 'a: &a [x, x, x, x, x, x, x, x, x]\n';
    let prev = 'a';
    for (const n of 'bcdefghij') {
      text += `${n}: &${n} [${Array(9).fill(`*${prev}`).join(', ')}]\n`;
      prev = n;
    }
    const file = write('bomb.yaml', text);
    for (const args of [['config', 'check', file], ['run', '--config', file]]) {
      const a = io();
      expect(await main(args, a), a.stderr).toBe(78);
      expect(a.stderr).toContain('POKERFACE_ERR_CONFIG_PARSE');
      expect(a.stderr).not.toContain('UNCAUGHT');
      expect(problems(a.stderr)).toHaveLength(1);
      expect(problems(a.stderr)[0]).toContain(file);
      expect(problems(a.stderr)[0]).toMatch(/alias/i);
    }
  });

  it('config check refuses two modes on one button, as run does, before run makes any folder', async () => {
    const results = join(dir, 'two-modes-var', 'results.sqlite');
    const file = write(
      'two-modes.yaml',
      `boothId: booth-1\nresults:\n  path: ${results}\ngame:\n  modes:\n    funny: {targets: [happy], media: funny, button: funny}\n    scary: {targets: [surprised], media: scary, button: funny}\n`,
    );
    const a = io();
    expect(await main(['config', 'check', file], a), a.stderr).toBe(78);
    expect(problems(a.stderr)).toHaveLength(1);
    expect(problems(a.stderr)[0]).toMatch(new RegExp(`${file}:6:\\d+: game\\.modes: modes "funny" and "scary" both use button funny`));
    const b = io();
    expect(await main(['run', '--config', file], b)).toBe(78);
    expect(b.stderr).toContain('both use button funny');
    expect(existsSync(join(dir, 'two-modes-var'))).toBe(false);
  });

  it('config check refuses one GPIO line for two buttons when the gpio backend is used', async () => {
    const file = write('gpio.yaml', 'boothId: booth-1\ncontrols:\n  backends: [gpio]\n  gpio:\n    buttons:\n      funny: {line: 5}\n      scary: {line: 5}\n');
    const a = io();
    expect(await main(['config', 'check', file], a), a.stderr).toBe(78);
    expect(problems(a.stderr)).toHaveLength(1);
    expect(problems(a.stderr)[0]).toMatch(/controls\.gpio: gpiochip0 line 5 is used by both button funny and button scary/);
  });

  it('config check reads the MQTT TLS files run would read (78 on a missing one)', async () => {
    const results = join(dir, 'tls-var', 'results.sqlite');
    const ca = write('ca.pem', 'not checked for content here');
    const file = write('tls.yaml', `boothId: booth-1\nresults:\n  path: ${results}\nmqtt:\n  url: mqtts://broker:8883\n  tls:\n    ca: ${ca}\n    cert: ${join(dir, 'missing.crt')}\n`);
    const a = io();
    expect(await main(['config', 'check', file], a)).toBe(78);
    expect(problems(a.stderr)).toEqual([`  ${file}:8:11: mqtt.tls.cert: cannot read ${join(dir, 'missing.crt')}: no such file`]);
    const b = io();
    expect(await main(['run', '--config', file], b)).toBe(78);
    expect(existsSync(join(dir, 'tls-var'))).toBe(false);
  });

  it('an empty or blank file is an error outside demo mode', async () => {
    for (const [name, text] of [['empty.yaml', ''], ['blank.yaml', '  \n\n\t\n'], ['comments.yaml', '# nothing here\n']] as const) {
      const file = write(name, text);
      const a = io();
      expect(await main(['config', 'check', file], a), `${name}: ${a.stdout}`).toBe(78);
      expect(problems(a.stderr)).toEqual([`  ${file}: (top level): the file is empty (only demo mode may run on defaults)`]);
      const b = io();
      expect(await main(['run', '--config', file], b)).toBe(78);
      // demo mode may start from nothing
      const c = io({ POKERFACE_DEMO: 'true' });
      expect(await main(['config', 'check', file], c), c.stderr).toBe(0);
    }
  });

  it('refuses non-plain YAML types with one line each, not one per byte', async () => {
    const file = write('binary.yaml', 'boothId: booth-1\ncamera: !!binary aGVsbG8gd29ybGQgaGVsbG8gd29ybGQgaGVsbG8gd29ybGQ=\napi:\n  token: !secret abc\nmqtt:\n  topics: !!set {a, b}\n');
    const a = io();
    expect(await main(['config', 'check', file], a), a.stderr).toBe(78);
    const lines = problems(a.stderr);
    expect(lines).toHaveLength(3);
    expect(lines[0]).toMatch(new RegExp(`${file}:2:\\d+: camera: YAML type !!binary is not allowed`));
    expect(lines[1]).toMatch(new RegExp(`${file}:4:\\d+: api.token: YAML type !secret is not allowed`));
    expect(lines[2]).toMatch(new RegExp(`${file}:6:\\d+: mqtt.topics: YAML type !!set is not allowed`));
    const inList = write('binary-list.yaml', 'boothId: booth-1\nmodel:\n  providers: [cpu, !!binary eA==]\n');
    const c = io();
    expect(await main(['config', 'check', inList], c)).toBe(78);
    expect(problems(c.stderr)).toEqual([`  ${inList}:3:29: model.providers.1: YAML type !!binary is not allowed; use plain strings, numbers, booleans, lists and mappings`]);
    // explicit plain tags are fine
    const ok = write('plain-tags.yaml', 'boothId: !!str booth-1\napi:\n  port: !!int 8080\n');
    const b = io();
    expect(await main(['config', 'check', ok], b), b.stderr).toBe(0);
  });

  it('an error in a POKERFACE_* override names the variable, not a line of the file', async () => {
    const file = write('env.yaml', 'boothId: booth-1\napi:\n  port: 8080\n');
    const a = io({ POKERFACE_API_PORT: 'abc', POKERFACE_MQTT_SCOREHZ: '"fast"' });
    expect(await main(['config', 'check', file], a)).toBe(78);
    const lines = problems(a.stderr);
    expect(lines).toContain('  env POKERFACE_API_PORT: api.port: must be integer');
    expect(lines).toContain('  env POKERFACE_MQTT_SCOREHZ: mqtt.scoreHz: must be number');
    expect(lines).toHaveLength(2);
    expect(a.stderr).not.toContain(`${file}:`);
    // an override that breaks a cross-key check is named too
    const b = io({ POKERFACE_GAME_MODES_SCARY_BUTTON: 'funny' });
    expect(await main(['config', 'check', file], b)).toBe(78);
    expect(problems(b.stderr)).toHaveLength(1);
  });
});
