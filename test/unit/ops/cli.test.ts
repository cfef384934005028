import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { main } from '../../../src/cli.js';
import type { CliIO } from '../../../src/cli/io.js';
import { ManualClock } from '../../../src/clock.js';
import { silentLogger } from '../../../src/log.js';
import { SqliteResultsStore } from '../../../src/ops/results.js';

function io(): CliIO & { outText: string[]; errText: string[] } {
  const outText: string[] = [];
  const errText: string[] = [];
  return { out: (t) => void outText.push(t), err: (t) => void errText.push(t), env: {}, cwd: process.cwd(), outText, errText };
}

describe('pokerface results / selftest command lines', () => {
  let dir = '';
  afterEach(() => {
    if (dir) rmSync(dir, { recursive: true, force: true });
  });

  it('results --json prints totals and recent rounds from the log', async () => {
    dir = mkdtempSync(join(tmpdir(), 'pokerface-cli-'));
    const db = join(dir, 'results.sqlite');
    const now = Date.now();
    const store = new SqliteResultsStore({ path: db, retentionDays: 365, maxRows: 1000, clock: new ManualClock(0, now), log: silentLogger });
    await store.start();
    store.append({ id: 'a', endedAt: now - 1000, mode: 'funny', level: 2, clip: 'c.mp4', outcome: 'survived', peak: 0.3, durationMs: 20_000 });
    await store.stop();
    writeFileSync(join(dir, 'c.yaml'), `results:\n  path: ${db}\n`);
    const t = io();
    expect(await main(['results', '--config', join(dir, 'c.yaml'), '--json'], t)).toBe(0);
    const body = JSON.parse(t.outText.join('')) as { totals: Array<{ rounds: number; survived: number }>; recent: Array<{ id: string }> };
    expect(body.totals[0]).toMatchObject({ rounds: 1, survived: 1 });
    expect(body.recent.map((r) => r.id)).toEqual(['a']);
    const text = io();
    expect(await main(['results', '--config', join(dir, 'c.yaml')], text)).toBe(0);
    expect(text.outText.join('\n')).toMatch(/1 rounds stored[\s\S]*funny\s+2\s+1\s+0\s+1\s+0/);
  });

  it('results on a missing log exits 66 and creates nothing', async () => {
    dir = mkdtempSync(join(tmpdir(), 'pokerface-cli-'));
    writeFileSync(join(dir, 'c.yaml'), `results:\n  path: ${join(dir, 'none.sqlite')}\n`);
    const t = io();
    expect(await main(['results', '--config', join(dir, 'c.yaml')], t)).toBe(66);
  });

  it('selftest rejects an unknown step with 64 and lists the steps', async () => {
    const t = io();
    expect(await main(['selftest', '--config', 'config/demo.yaml', '--only', 'camera,bogus'], t)).toBe(64);
    expect(t.errText.join('\n')).toMatch(/unknown step bogus; steps: camera, face, inference, button:funny/);
  });
});
