// `pokerface fleet` against a real mosquitto with three booths (MqttService) on it.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { main } from '../../../src/cli.js';
import type { CliIO } from '../../../src/cli/io.js';
import { systemClock } from '../../../src/clock.js';
import { parseConfig } from '../../../src/config/load.js';
import { silentLogger } from '../../../src/log.js';
import { MqttService } from '../../../src/api/mqtt.js';
import { staffServices } from '../../../src/api/services.js';
import { FakeBooth, FakeDetector, StubFrameSource } from '../../unit/api/fakes.js';
import { Mosquitto, freePort, until } from './brokers.js';
import { waitFor } from '../../wait-for.js';

function io(): CliIO & { stdout: string; stderr: string } {
  const o = { stdout: '', stderr: '', env: {}, cwd: process.cwd(), out: (t: string) => void (o.stdout += `${t}\n`), err: (t: string) => void (o.stderr += `${t}\n`) };
  return o;
}

describe('pokerface fleet with mosquitto', () => {
  let broker: Mosquitto;
  const booths: Array<{ id: string; svc: MqttService; booth: FakeBooth }> = [];

  beforeAll(async () => {
    broker = new Mosquitto(await freePort());
    await broker.start();
    for (const id of ['hall-1', 'hall-2', 'hall-3']) {
      const booth = new FakeBooth();
      const svc = new MqttService({
        config: parseConfig(`boothId: ${id}\nmqtt:\n  url: ${broker.url}\n  statsIntervalS: 1\n`, 'test'),
        log: silentLogger,
        clock: systemClock,
        services: staffServices({ booth, frameSource: new StubFrameSource(), detector: new FakeDetector() }),
        requestExit: () => undefined,
        version: '7.7.7',
        reload: { media: { reload: async () => undefined, summary: () => ({ dir: 'media', folders: [], attract: 1, total: 9, empty: [], skipped: [] }) } },
      });
      await svc.start();
      booths.push({ id, svc, booth });
    }
    await until(() => booths.every((b) => b.svc.status().connected), 10_000, 'booths connected');
    booths[1]?.booth.results.emit({ id: 'r', endedAt: Date.now(), mode: 'funny', level: 1, clip: null, outcome: 'cracked', peak: 0.9, durationMs: 3000 });
    // hall-3 stops cleanly: offline, with the reason in its retained state
    await booths[2]?.svc.stop();
  }, 30_000);

  afterAll(async () => {
    for (const b of booths.slice(0, 2)) await b.svc.stop();
    await broker.dispose();
  });

  it('lists every booth with availability, version, health, phase, last result and rounds today', async () => {
    // wait for a stats message carrying hall-2's round
    let seen = '';
    const hasRound = async (): Promise<boolean> => {
      const a = io();
      await main(['fleet', '--broker', broker.url, '--json'], a);
      seen = a.stdout;
      return seen.includes('"lastOutcome": "cracked"');
    };
    await waitFor(hasRound, { everyMs: 200, what: () => `stats with the round: ${seen}` });
    const a = io();
    expect(await main(['fleet', '--broker', broker.url], a), a.stderr).toBe(0);
    const lines = a.stdout.trim().split('\n');
    expect(lines[0]).toMatch(/^BOOTH\s+AVAILABLE\s+VERSION\s+HEALTH\s+PHASE\s+LAST RESULT\s+TODAY/);
    expect(lines.find((l) => l.startsWith('hall-1'))).toMatch(/online\s+7\.7\.7\s+.*attract/);
    expect(lines.find((l) => l.startsWith('hall-2'))).toMatch(/online\s+7\.7\.7.*cracked \d+s ago\s+1\s/);
    expect(lines.find((l) => l.startsWith('hall-3'))).toMatch(/offline \(stopped\)/);
    expect(lines.at(-1)).toMatch(/^3 booth\(s\), 2 online; listed in \d+ ms/);
  });

  it('sends a request to one booth or to all online booths and prints each answer', async () => {
    const one = io();
    expect(await main(['fleet', 'request', 'start', '--booth', 'hall-1', '--payload', '{"mode":"scary","level":2}', '--broker', broker.url], one), one.stderr).toBe(0);
    expect(one.stdout).toMatch(/^hall-1 {2}ok \(\d+ ms\)$/m);
    expect(booths[0]?.booth.calls).toEqual(['start {"mode":"scary","level":2}']);

    const all = io();
    expect(await main(['fleet', 'request', 'stop', '--all', '--broker', broker.url, '--json'], all), all.stderr).toBe(0);
    const res = (JSON.parse(all.stdout) as { results: Array<{ boothId: string; response: { ok: boolean; boothId: string } }> }).results;
    expect(res.map((r) => r.boothId).sort()).toEqual(['hall-1', 'hall-2']);
    for (const r of res) expect(r.response).toMatchObject({ ok: true, boothId: r.boothId });

    const bad = io();
    expect(await main(['fleet', 'request', 'button', '--booth', 'hall-2', '--payload', '{"name":"nope"}', '--broker', broker.url], bad)).toBe(1);
    expect(bad.stdout).toContain('FAILED POKERFACE_ERR_MQTT_BAD_REQUEST');
  });

  it('reloads media on request without a restart and says what it found (game: not started from a file here)', async () => {
    const a = io();
    expect(await main(['fleet', 'request', 'reload', '--booth', 'hall-1', '--payload', '{"what":["media"]}', '--broker', broker.url, '--json'], a), a.stderr).toBe(0);
    const r = (JSON.parse(a.stdout) as { results: Array<{ response: unknown }> }).results[0];
    expect(r?.response).toMatchObject({ ok: true, boothId: 'hall-1', detail: { media: { clips: 9, attract: 1, empty: [], skipped: 0 } } });
    const b = io();
    expect(await main(['fleet', 'request', 'reload', '--booth', 'hall-1', '--broker', broker.url], b)).toBe(1);
    expect(b.stdout).toContain('game: the daemon was not started from a config file');
  });

  it('says so when the broker cannot be reached', async () => {
    const a = io();
    expect(await main(['fleet', '--broker', `mqtt://127.0.0.1:${await freePort()}`], a)).toBe(69);
    expect(a.stderr).toContain('cannot connect');
  });
});
