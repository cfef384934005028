// The staff modules inside a real Daemon: embedded aedes broker, MQTT client (forced to
// MQTT 3.1.1), REST; Home Assistant discovery; a REST restart that stops cleanly.
import { spawn } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { parseConfig } from '../../../src/config/load.js';
import { Daemon, ExitRequests, type ModuleSpec } from '../../../src/daemon.js';
import { silentLogger } from '../../../src/log.js';
import { apiModule, brokerModule, mqttModule } from '../../../src/api/module.js';
import { restartLimitModule } from '../../../src/ops/restart-limit.js';
import { EmbeddedBroker } from '../../../src/api/broker.js';
import type { RestServer } from '../../../src/api/rest.js';
import { FakeBooth } from '../../unit/api/fakes.js';
import { Watcher, until } from './brokers.js';

const fakeBoothModule = (booth: FakeBooth): ModuleSpec => ({
  name: 'booth',
  needs: [],
  provides: ['booth'],
  create: () => ({ lifecycle: { name: 'booth', start: async () => undefined, stop: async () => undefined }, services: { booth } }),
});

describe('staff modules in the daemon with the embedded broker', () => {
  it('serves MQTT on the embedded broker, Home Assistant discovery, requests, and a clean REST restart', async () => {
    const config = parseConfig(
      [
        'boothId: emb',
        'mqtt:',
        '  url: embedded',
        '  embeddedHost: 127.0.0.1',
        '  embeddedPort: 0',
        '  protocolVersion: 5',
        '  homeAssistant: { enabled: true }',
        'api:',
        '  host: 127.0.0.1',
        '  port: 0',
        '  token: tok-0123456789abcdef0123456789',
        'systemd: { restartMinIntervalS: 0 }',
      ].join('\n'),
      'test',
    );
    const booth = new FakeBooth();
    booth.current = { phase: 'attract', mode: null, level: null, clip: null, since: performance.now() };
    const exits = new ExitRequests();
    const requested: Array<[number, string]> = [];
    const daemon = new Daemon({
      config,
      log: silentLogger,
      modules: [fakeBoothModule(booth), restartLimitModule(), brokerModule(), mqttModule(), apiModule()],
      onExitRequest: (c, r) => {
        requested.push([c, r]);
        exits.request(c, r);
      },
    });
    await daemon.start();
    const services = daemon.serviceMap;
    const broker = services.broker as EmbeddedBroker;
    const api = services.api as RestServer;
    const w = new Watcher(broker.url());
    try {
      await w.subscribe('pokerface/emb/#');
      await w.subscribe('homeassistant/#');
      await w.waitFor((g) => g.some((m) => m.topic === 'pokerface/emb/available' && m.payload === 'online'));
      expect(JSON.parse(w.on('pokerface/emb/state')[0]?.payload ?? '{}')).toMatchObject({ v: 1, phase: 'attract' });
      // retained messages of the second subscription come after its SUBACK: wait for all six
      await w.waitFor((g) => g.filter((m) => m.topic.startsWith('homeassistant/')).length >= 6);
      const discovery = w.got.filter((m) => m.topic.startsWith('homeassistant/'));
      const objects = ['phase', 'score', 'player_present', 'rounds_today', 'last_result', 'camera_fps', 'inference_ms', 'provider', 'memory', 'uptime', 'problem', 'start', 'stop', 'restart'];
      expect(discovery.map((m) => m.topic.split('/')[3]).sort()).toEqual([...objects].sort());
      const start = JSON.parse(discovery.find((m) => m.topic.includes('/button/pokerface_emb/start/'))?.payload ?? '{}') as Record<string, unknown>;
      expect(start).toMatchObject({ command_topic: 'pokerface/emb/request/start', availability: [{ topic: 'pokerface/emb/available', payload_available: 'online', payload_not_available: 'offline' }] });

      // Home Assistant restarted: discovery is sent again
      const before = w.got.filter((m) => m.topic.startsWith('homeassistant/') && m.topic.endsWith('/config')).length;
      await w.client.publishAsync('homeassistant/status', 'online', { qos: 1 });
      await w.waitFor((g) => g.filter((m) => m.topic.startsWith('homeassistant/') && m.topic.endsWith('/config')).length >= before + objects.length);

      // the Home Assistant button payload works as a request
      await w.client.publishAsync('pokerface/emb/request/start', start.payload_press as string, { qos: 1 });
      await w.waitFor((g) => g.some((m) => m.topic === 'pokerface/emb/response/start'));
      expect(JSON.parse(w.on('pokerface/emb/response/start')[0]?.payload ?? '{}')).toEqual({ v: 1, boothId: 'emb', transaction: 'homeassistant', ok: true });
      expect(booth.calls).toEqual(['start {}']);

      // REST restart: 202, the daemon stops cleanly (MQTT: offline, and "stopped" in state) and exits 75
      const res = await fetch(`${api.url()}/api/restart`, { method: 'POST', headers: { authorization: 'Bearer tok-0123456789abcdef0123456789' } });
      expect(res.status).toBe(202);
      await until(() => requested.length === 1, 2000, 'exit request');
      expect(requested[0]?.[0]).toBe(75);
      const stopping = daemon.stop();
      await w.waitFor((g) => g.some((m) => m.topic === 'pokerface/emb/available' && m.payload === 'offline'), 5000);
      await stopping;
      // a clean stop says why in the retained state (the last will cannot)
      const last = w.on('pokerface/emb/state').at(-1);
      expect(JSON.parse(last?.payload ?? '{}')).toMatchObject({ boothId: 'emb', reason: 'stopped' });
    } finally {
      await w.close();
      await daemon.stop();
    }
  });

  it('the embedded broker publishes the last will of a daemon that was killed', async () => {
    const broker = new EmbeddedBroker({ host: '127.0.0.1', port: 0, log: silentLogger });
    await broker.start();
    const w = new Watcher(broker.url());
    const child = spawn(process.execPath, ['--import', 'tsx', fileURLToPath(new URL('./mqtt-child.ts', import.meta.url)), broker.url(), 'killed', '4'], {
      stdio: ['ignore', 'ignore', 'inherit'],
    });
    try {
      await w.subscribe('pokerface/killed/available');
      await w.waitFor((g) => g.some((m) => m.payload === 'online'), 20_000);
      const exited = new Promise((r) => child.once('exit', r));
      child.kill('SIGKILL');
      await exited;
      await w.waitFor((g) => g.at(-1)?.payload === 'offline', 5000);
    } finally {
      if (child.exitCode === null) child.kill('SIGKILL');
      await w.close();
      await broker.stop();
    }
  }, 30_000);
});
