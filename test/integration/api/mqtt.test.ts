// MQTT publisher against a real mosquitto started here.
import { spawn } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { parseConfig } from '../../../src/config/load.js';
import { systemClock } from '../../../src/clock.js';
import { silentLogger } from '../../../src/log.js';
import { MqttService } from '../../../src/api/mqtt.js';
import { staffServices } from '../../../src/api/services.js';
import { FakeBooth, FakeDetector, StubFrameSource } from '../../unit/api/fakes.js';
import { Mosquitto, Watcher, freePort, until } from './brokers.js';

function config(url: string, extra = ''): ReturnType<typeof parseConfig> {
  return parseConfig(
    `boothId: t1\nmqtt:\n  url: ${url}\n  reconnectMinMs: 100\n  reconnectMaxMs: 400\n  statsIntervalS: 1\n  scoreHz: 10\n${extra}`,
    'test',
  );
}

describe('MQTT publisher with mosquitto', () => {
  let broker: Mosquitto;
  const cleanups: Array<() => Promise<void>> = [];

  beforeAll(async () => {
    broker = new Mosquitto(await freePort());
    await broker.start();
  });
  afterEach(async () => {
    for (const c of cleanups.splice(0).reverse()) await c();
  });
  afterAll(async () => {
    await broker.dispose();
  });

  async function started(extra = '', booth = new FakeBooth()): Promise<{ svc: MqttService; booth: FakeBooth; exits: Array<[number, string]> }> {
    const exits: Array<[number, string]> = [];
    const svc = new MqttService({
      config: config(broker.url, extra),
      log: silentLogger,
      clock: systemClock,
      services: staffServices({ booth, frameSource: new StubFrameSource(), detector: new FakeDetector() }),
      requestExit: (c, r) => void exits.push([c, r]),
    });
    await svc.start();
    cleanups.push(() => svc.stop());
    await until(() => svc.status().connected, 5000, 'connect');
    return { svc, booth, exits };
  }

  async function watcher(filter: string): Promise<Watcher> {
    const w = new Watcher(broker.url);
    cleanups.push(() => w.close());
    await w.subscribe(filter);
    return w;
  }

  it('publishes retained state before online; a late subscriber sees both; stop leaves "offline" and the reason in state', async () => {
    const early = await watcher('pokerface/t1/#');
    const booth = new FakeBooth();
    booth.current = { phase: 'select', mode: 'funny', level: null, clip: null, since: performance.now() };
    const { svc } = await started('', booth);
    await early.waitFor((g) => g.some((m) => m.topic === 'pokerface/t1/available' && m.payload === 'online'));
    const order = early.got.map((m) => m.topic);
    expect(order.indexOf('pokerface/t1/state')).toBeLessThan(order.indexOf('pokerface/t1/available'));

    const late = await watcher('pokerface/t1/+');
    await late.waitFor((g) => g.some((m) => m.topic === 'pokerface/t1/available') && g.some((m) => m.topic === 'pokerface/t1/state'));
    const state = JSON.parse(late.on('pokerface/t1/state')[0]?.payload ?? '{}') as Record<string, unknown>;
    expect(state).toMatchObject({ v: 1, phase: 'select', mode: 'funny', level: null, clip: null });
    expect(Math.abs((state.since as number) - Date.now())).toBeLessThan(5000);
    expect(late.on('pokerface/t1/available')[0]).toMatchObject({ payload: 'online', retain: true });
    const stats = late.on('pokerface/t1/stats')[0];
    expect(stats?.retain).toBe(true);
    expect(JSON.parse(stats?.payload ?? '{}')).toMatchObject({
      v: 1,
      camera: { fps: 29.7, dropped: 3, reconnects: 1 },
      infer: { provider: 'cpu', msP50: 12.3, msP95: 20.5 },
      mqtt: { queued: 0 },
      process: { rssMb: expect.any(Number) as number, uptimeS: expect.any(Number) as number },
    });

    booth.setState({ phase: 'playing', level: 2, clip: 'funny/2/x.mp4' });
    await late.waitFor((g) => g.some((m) => m.topic === 'pokerface/t1/state' && m.payload.includes('playing')));

    await svc.stop();
    const after = await watcher('pokerface/t1/+');
    await after.waitFor((g) => g.some((m) => m.topic === 'pokerface/t1/available') && g.some((m) => m.topic === 'pokerface/t1/state'));
    expect(after.on('pokerface/t1/available')[0]).toMatchObject({ payload: 'offline', retain: true });
    expect(JSON.parse(after.on('pokerface/t1/state')[0]?.payload ?? '{}')).toMatchObject({ boothId: 't1', phase: 'playing', reason: 'stopped' });
  });

  it('names the booth in every payload, gives clips relative to the media folder, and throttles the Home Assistant score', async () => {
    const w = await watcher('pokerface/t1/#');
    const haw = await watcher('homeassistant/#');
    const booth = new FakeBooth();
    booth.current = { phase: 'playing', mode: 'funny', level: 2, clip: '/srv/clips/funny/2/x.mp4', since: performance.now() };
    await started('  homeAssistant:\n    enabled: true\nplayer:\n  mediaDir: /srv/clips\n', booth);
    await w.waitFor((g) => g.some((m) => m.topic === 'pokerface/t1/stats'));
    const t0 = Date.now();
    for (let i = 0; i < 25; i++) {
      booth.emitScore(0.1 + i * 0.02);
      await new Promise((r) => setTimeout(r, 40)); // the pace of the input (25 Hz), not a wait for a state
    }
    const elapsed = Date.now() - t0;
    booth.emitEvent('round_start', { clip: '/srv/clips/funny/2/x.mp4' });
    await w.waitFor((g) => g.some((m) => m.topic === 'pokerface/t1/event'));
    await haw.waitFor((g) => g.some((m) => m.topic === 'homeassistant/button/pokerface_t1/restart/config'));
    const own = w.got.filter((m) => m.topic.startsWith('pokerface/t1/') && m.topic !== 'pokerface/t1/available');
    expect(new Set(own.map((m) => m.topic.split('/').slice(2).join('/')))).toEqual(new Set(['state', 'stats', 'score', 'event', 'ha/score']));
    for (const m of own) expect((JSON.parse(m.payload) as { boothId?: string }).boothId, m.topic).toBe('t1');
    expect(JSON.parse(w.on('pokerface/t1/state')[0]?.payload ?? '{}')).toMatchObject({ clip: 'funny/2/x.mp4' });
    expect(JSON.parse(w.on('pokerface/t1/event')[0]?.payload ?? '{}')).toMatchObject({ clip: 'funny/2/x.mp4' });
    expect(JSON.parse(w.on('pokerface/t1/stats')[0]?.payload ?? '{}')).toMatchObject({ version: '0.0.0', game: { roundsToday: 0, lastOutcome: null } });
    // scores at 25 Hz for about a second: the per-frame topic keeps scoreHz, HA at most 1 a second
    const ha = w.on('pokerface/t1/ha/score');
    expect(ha.length).toBeGreaterThanOrEqual(1);
    expect(ha.length).toBeLessThanOrEqual(Math.floor(elapsed / 1000) + 1);
    expect(w.on('pokerface/t1/score').length).toBeGreaterThan(ha.length);
  });

  it('sends events with QoS 1 and throttles scores to scoreHz, latest wins', async () => {
    const w = await watcher('pokerface/t1/+');
    const { booth } = await started();
    const t0 = Date.now();
    let last = 0;
    for (let i = 0; i < 60; i++) {
      last = i / 100;
      booth.emitScore(last);
      await new Promise((r) => setTimeout(r, 10)); // the pace of the input, not a wait for a state
    }
    const elapsed = Date.now() - t0;
    booth.emitEvent('round_start');
    await w.waitFor((g) => g.some((m) => m.topic === 'pokerface/t1/event'));
    // the trailing edge: the latest score goes out after the throttle interval
    await w.waitFor((g) => g.some((m) => m.topic === 'pokerface/t1/score' && (JSON.parse(m.payload) as { value: number }).value === last));
    const scores = w.on('pokerface/t1/score').map((m) => JSON.parse(m.payload) as { value: number; v: number });
    // at most one per 100 ms (+1 for the leading edge)
    expect(scores.length).toBeLessThanOrEqual(Math.ceil(elapsed / 100) + 2);
    expect(scores.length).toBeGreaterThanOrEqual(3);
    expect(scores.at(-1)?.value).toBe(last);
    expect(scores.every((s) => s.v === 1)).toBe(true);
    const ev = JSON.parse(w.on('pokerface/t1/event')[0]?.payload ?? '{}') as Record<string, unknown>;
    expect(ev).toMatchObject({ v: 1, id: 'ev-1', type: 'round_start', mode: 'funny', level: 1, outcome: null });
  });

  it('answers request/<cmd> on response/<cmd> echoing the transaction; bad input gets error codes', async () => {
    const w = await watcher('pokerface/t1/response/#');
    const pub = w.client;
    // a retained request would run again on every reconnect: refused when it arrives as retained
    await pub.publishAsync('pokerface/t1/request/restart', '{"transaction":"r0"}', { qos: 1, retain: true });
    const { booth, exits } = await started();
    await w.waitFor(() => w.on('pokerface/t1/response/restart').length > 0);
    expect(JSON.parse(w.on('pokerface/t1/response/restart')[0]?.payload ?? '{}')).toMatchObject({ ok: false, transaction: 'r0', code: 'POKERFACE_ERR_MQTT_BAD_REQUEST' });
    await pub.publishAsync('pokerface/t1/request/restart', '', { qos: 1, retain: true }); // clear it
    const ask = async (cmd: string, payload: string): Promise<Record<string, unknown>> => {
      const before = w.on(`pokerface/t1/response/${cmd}`).length;
      await pub.publishAsync(`pokerface/t1/request/${cmd}`, payload, { qos: 1 });
      await w.waitFor(() => w.on(`pokerface/t1/response/${cmd}`).length > before);
      return JSON.parse(w.on(`pokerface/t1/response/${cmd}`)[before]?.payload ?? '{}') as Record<string, unknown>;
    };
    expect(await ask('start', '{"v":1,"transaction":"a1","mode":"funny","level":2}')).toEqual({ v: 1, boothId: 't1', transaction: 'a1', ok: true });
    expect(booth.calls).toEqual(['start {"mode":"funny","level":2}']);
    expect(await ask('stop', '{"transaction":"a2"}')).toEqual({ v: 1, boothId: 't1', transaction: 'a2', ok: true });
    expect(await ask('button', '{"transaction":"a3","name":"scary"}')).toEqual({ v: 1, boothId: 't1', transaction: 'a3', ok: true });
    expect(booth.calls.slice(1)).toEqual(['stop', 'press scary']);

    expect(await ask('button', '{"transaction":"b1","name":"nope"}')).toMatchObject({ transaction: 'b1', ok: false, code: 'POKERFACE_ERR_MQTT_BAD_REQUEST' });
    expect(await ask('start', '{"transaction":"b2","level":"2"}')).toMatchObject({ ok: false, code: 'POKERFACE_ERR_MQTT_BAD_REQUEST', message: expect.stringContaining('level') as string });
    expect(await ask('start', '{"transaction":"b3","extra":1}')).toMatchObject({ ok: false, message: expect.stringContaining('extra') as string });
    expect(await ask('start', '{not json')).toMatchObject({ transaction: null, ok: false, code: 'POKERFACE_ERR_MQTT_BAD_REQUEST' });
    expect(await ask('start', '[1,2]')).toMatchObject({ ok: false, code: 'POKERFACE_ERR_MQTT_BAD_REQUEST' });
    // over the 16 KiB request limit but under mqtt.maxPacketBytes (64 KiB); a bigger one never
    // reaches the daemon (MQTT 5 maximumPacketSize: the broker drops it, see test/integration/security)
    expect(await ask('start', `{"transaction":"big","mode":"${'a'.repeat(20_000)}"}`)).toMatchObject({ transaction: null, ok: false, message: expect.stringContaining('larger') as string });
    expect(await ask('dance', '{"transaction":"b4"}')).toMatchObject({ transaction: 'b4', ok: false, code: 'POKERFACE_ERR_MQTT_UNKNOWN_COMMAND' });
    booth.nextResult = { ok: false, code: 'POKERFACE_ERR_GAME_STATE', message: 'not now' };
    expect(await ask('stop', '{"transaction":"b5"}')).toEqual({ v: 1, boothId: 't1', transaction: 'b5', ok: false, code: 'POKERFACE_ERR_GAME_STATE', message: 'not now' });
    expect(exits).toEqual([]);
    expect(await ask('restart', '{"transaction":"r1"}')).toEqual({ v: 1, boothId: 't1', transaction: 'r1', ok: true });
    await until(() => exits.length === 1, 2000, 'requestExit');
    expect(exits[0]?.[0]).toBe(75);
  });

  it('publishes the last will "offline" when the process dies without a clean disconnect', async () => {
    const w = await watcher('pokerface/t2/available');
    const child = spawn(process.execPath, ['--import', 'tsx', fileURLToPath(new URL('./mqtt-child.ts', import.meta.url)), broker.url, 't2'], {
      stdio: ['ignore', 'pipe', 'inherit'],
    });
    cleanups.push(async () => {
      if (child.exitCode === null) child.kill('SIGKILL');
    });
    await w.waitFor((g) => g.some((m) => m.payload === 'online'), 20_000);
    const exited = new Promise((r) => child.once('exit', r));
    child.kill('SIGKILL');
    await exited;
    await w.waitFor((g) => g.at(-1)?.payload === 'offline', 5000);
    expect(w.got.at(-1)).toMatchObject({ payload: 'offline' });
  }, 30_000);
});

describe('MQTT events across a broker restart', () => {
  it('delivers every event, in order, including those in flight when the broker went away', async () => {
    const broker = new Mosquitto(await freePort(), true);
    await broker.start();
    const booth = new FakeBooth();
    const svc = new MqttService({
      config: config(broker.url, '  queueSize: 1000\n  inflightMax: 20\n'),
      log: silentLogger,
      clock: systemClock,
      services: staffServices({ booth }),
      requestExit: () => undefined,
    });
    // a persistent session: the broker keeps its subscription and queues for it across the restart
    const w = new Watcher(broker.url, { clean: false, clientId: 'restart-watcher', reconnectPeriod: 100 });
    try {
      await w.subscribe('pokerface/t1/event', 1);
      await w.subscribe('pokerface/t1/available', 1);
      await svc.start();
      await until(() => svc.status().connected, 5000, 'connect');
      const ids: string[] = [];
      for (let i = 0; i < 20; i++) ids.push(booth.emitEvent().id);
      // a burst, then the broker goes away while much of it is still unacknowledged
      for (let i = 0; i < 40; i++) ids.push(booth.emitEvent().id);
      const unacked = svc.status().queued;
      await broker.stop('SIGTERM');
      // the watcher's session (and what was queued for it) survives the restart
      expect(broker.saved()).toBe(true);
      await until(() => !svc.status().connected, 5000, 'disconnect');
      for (let i = 0; i < 40; i++) ids.push(booth.emitEvent().id);
      expect(unacked).toBeGreaterThan(0);
      expect(svc.status().queued).toBeGreaterThanOrEqual(40);
      await broker.start();
      await until(() => svc.status().connected, 10_000, 'reconnect');
      const received = (): string[] => w.on('pokerface/t1/event').map((m) => (JSON.parse(m.payload) as { id: string }).id);
      await until(() => new Set(received()).size === ids.length, 15_000, `all ${ids.length} events`);
      const got = received();
      // nothing lost; order of first arrival is the order of emission
      const first = [...new Set(got)];
      expect(first).toEqual(ids);
      // duplicates only where QoS 1 allows (an unacknowledged publish resent once)
      expect(got.length - first.length).toBeLessThanOrEqual(20);
      await until(() => svc.status().queued === 0, 5000, 'last acknowledgements');
      expect(svc.status().dropped).toBe(0);
      expect(svc.status().reconnects).toBe(1);
      // "online" is published again on the new connection
      await w.waitFor(() => w.on('pokerface/t1/available').filter((m) => m.payload === 'online').length >= 2);
    } finally {
      await svc.stop();
      await w.close();
      await broker.dispose();
    }
  }, 40_000);

  it('keeps at most queueSize events while the broker is away, dropping the oldest', async () => {
    const broker = new Mosquitto(await freePort(), true);
    await broker.start();
    const booth = new FakeBooth();
    const svc = new MqttService({
      config: config(broker.url, '  queueSize: 5\n'),
      log: silentLogger,
      clock: systemClock,
      services: staffServices({ booth }),
      requestExit: () => undefined,
    });
    const w = new Watcher(broker.url, { clean: false, clientId: 'overflow-watcher', reconnectPeriod: 100 });
    try {
      await w.subscribe('pokerface/t1/event', 1);
      await svc.start();
      await until(() => svc.status().connected, 5000, 'connect');
      await broker.stop('SIGTERM');
      expect(broker.saved()).toBe(true);
      await until(() => !svc.status().connected, 5000, 'disconnect');
      const ids: string[] = [];
      for (let i = 0; i < 8; i++) ids.push(booth.emitEvent().id);
      expect(svc.status()).toMatchObject({ queued: 5, dropped: 3 });
      expect(svc.health().reasons.join()).toContain('3 events dropped');
      await broker.start();
      const received = (): string[] => w.on('pokerface/t1/event').map((m) => (JSON.parse(m.payload) as { id: string }).id);
      await until(() => received().length >= 5, 10_000, 'queued events');
      expect(received()).toEqual(ids.slice(3));
    } finally {
      await svc.stop();
      await w.close();
      await broker.dispose();
    }
  }, 30_000);
});
