// REST API through inject() and over a real port.
import { request as httpRequest } from 'node:http';
import { afterEach, describe, expect, it } from 'vitest';
import type { FastifyInstance } from 'fastify';
import sharp from 'sharp';
import { parseConfig } from '../../../src/config/load.js';
import { systemClock } from '../../../src/clock.js';
import { silentLogger } from '../../../src/log.js';
import { RestServer } from '../../../src/api/rest.js';
import { staffServices, type MqttStatus } from '../../../src/api/services.js';
import type { ModuleHealth } from '../../../src/types.js';
import { FakeBooth, FakeDetector, StubFrameSource, StubPlayer, FakeResults } from '../../unit/api/fakes.js';
import { waitFor } from '../../wait-for.js';

const TOKEN = 'test-token-0123456789abcdef';

interface Setup {
  app: FastifyInstance;
  server: RestServer;
  booth: FakeBooth;
  exits: Array<[number, string]>;
  frames: StubFrameSource;
  mqtt: { st: MqttStatus; health(): ModuleHealth; status(): MqttStatus };
  detector: FakeDetector;
  player: StubPlayer;
  results: FakeResults;
}

const servers: RestServer[] = [];
afterEach(async () => {
  for (const s of servers.splice(0)) await s.stop();
});

async function setup(yaml = '', opts: { listen?: boolean; withServices?: boolean } = {}): Promise<Setup> {
  const booth = new FakeBooth();
  const frames = new StubFrameSource();
  const detector = new FakeDetector();
  const player = new StubPlayer();
  const results = new FakeResults();
  const mqtt = {
    st: { connected: true, queued: 2, dropped: 0, reconnects: 0 } as MqttStatus,
    status(): MqttStatus {
      return this.st;
    },
    health(): ModuleHealth {
      return { name: 'mqtt', healthy: this.st.connected, reasons: this.st.connected ? [] : ['not connected'] };
    },
  };
  const exits: Array<[number, string]> = [];
  const raw = opts.withServices === false ? {} : { booth, frameSource: frames, detector, player, results, mqtt };
  const server = new RestServer({
    config: parseConfig(`boothId: r1\napi:\n  host: 127.0.0.1\n  port: 0\n  rateLimitPerMinute: 1000\n  requestsPerMinute: 100000\n${yaml}`, 'test'),
    log: silentLogger,
    clock: systemClock,
    services: staffServices(raw),
    requestExit: (c, r) => void exits.push([c, r]),
    version: '9.9.9',
  });
  servers.push(server);
  if (opts.listen) await server.start();
  const app = await server.build();
  return { app, server, booth, exits, frames, mqtt, detector, player, results };
}

const auth = { authorization: `Bearer ${TOKEN}` };
const withToken = `  token: ${TOKEN}\n`;

describe('REST: POST auth', () => {
  it('answers 403 to every POST when no token is configured', async () => {
    const { app, booth } = await setup();
    for (const url of ['/api/restart', '/api/game/start', '/api/game/stop', '/api/buttons/start', '/api/session']) {
      const r = await app.inject({ method: 'POST', url, headers: auth });
      expect(r.statusCode, url).toBe(403);
      expect(r.json()).toMatchObject({ code: 'POKERFACE_ERR_API_FORBIDDEN' });
    }
    expect(booth.calls).toEqual([]);
  });

  it('answers 401 without or with a wrong token, and acts with the right one', async () => {
    const { app, booth } = await setup(withToken);
    expect((await app.inject({ method: 'POST', url: '/api/game/stop' })).statusCode).toBe(401);
    const wrong = await app.inject({ method: 'POST', url: '/api/game/stop', headers: { authorization: 'Bearer nope' } });
    expect(wrong.statusCode).toBe(401);
    expect(wrong.json()).toEqual({ code: 'POKERFACE_ERR_API_UNAUTHORIZED', message: expect.any(String) as string });
    expect(wrong.headers['www-authenticate']).toContain('Bearer');
    const prefix = await app.inject({ method: 'POST', url: '/api/game/stop', headers: { authorization: `Bearer ${TOKEN}x` } });
    expect(prefix.statusCode).toBe(401);
    const basic = await app.inject({ method: 'POST', url: '/api/game/stop', headers: { authorization: `Basic ${Buffer.from(`x:${TOKEN}`).toString('base64')}` } });
    expect(basic.statusCode).toBe(401);
    expect(booth.calls).toEqual([]);
    const ok = await app.inject({ method: 'POST', url: '/api/game/stop', headers: auth });
    expect(ok.statusCode).toBe(200);
    expect(ok.json()).toEqual({ ok: true });
    expect(booth.calls).toEqual(['stop']);
  });
});

describe('REST: commands', () => {
  it('starts, presses buttons and maps booth refusals to 409', async () => {
    const { app, booth } = await setup(withToken);
    const json = { ...auth, 'content-type': 'application/json' };
    expect((await app.inject({ method: 'POST', url: '/api/game/start', headers: auth })).statusCode).toBe(200);
    expect((await app.inject({ method: 'POST', url: '/api/game/start', headers: json, payload: { mode: 'scary', level: 3 } })).statusCode).toBe(200);
    expect((await app.inject({ method: 'POST', url: '/api/buttons/level2', headers: auth })).statusCode).toBe(200);
    expect(booth.calls).toEqual(['start {}', 'start {"mode":"scary","level":3}', 'press level2']);
    booth.nextResult = { ok: false, code: 'POKERFACE_ERR_GAME_STATE', message: 'not now' };
    const refused = await app.inject({ method: 'POST', url: '/api/game/stop', headers: auth });
    expect(refused.statusCode).toBe(409);
    expect(refused.json()).toMatchObject({ code: 'POKERFACE_ERR_GAME_STATE' });
  });

  it('rejects bad input with clear errors and never crashes', async () => {
    const { app, booth } = await setup(withToken);
    const json = { ...auth, 'content-type': 'application/json' };
    const unknown = await app.inject({ method: 'POST', url: '/api/buttons/selfdestruct', headers: auth });
    expect(unknown.statusCode).toBe(400);
    expect(unknown.json()).toMatchObject({ code: 'POKERFACE_ERR_UNKNOWN_BUTTON' });

    const wrongType = await app.inject({ method: 'POST', url: '/api/game/start', headers: json, payload: '{"level":"2"}' });
    expect(wrongType.statusCode).toBe(400);
    expect(wrongType.json()).toMatchObject({ code: 'POKERFACE_ERR_API_BAD_REQUEST', message: expect.stringContaining('body.level') as string });

    const range = await app.inject({ method: 'POST', url: '/api/game/start', headers: json, payload: '{"level":7}' });
    expect(range.json<{ message: string }>().message).toContain('body.level');

    const extra = await app.inject({ method: 'POST', url: '/api/game/start', headers: json, payload: '{"levle":1}' });
    expect(extra.statusCode).toBe(400);
    expect(extra.json<{ message: string }>().message).toContain('body.levle');

    const badJson = await app.inject({ method: 'POST', url: '/api/game/start', headers: json, payload: '{"level":' });
    expect(badJson.statusCode).toBe(400);
    expect(badJson.json()).toMatchObject({ code: 'POKERFACE_ERR_API_BAD_JSON' });

    const huge = await app.inject({ method: 'POST', url: '/api/game/start', headers: json, payload: `{"mode":"${'a'.repeat(100_000)}"}` });
    expect(huge.statusCode).toBe(413);
    expect(huge.json()).toMatchObject({ code: 'POKERFACE_ERR_API_BODY_TOO_LARGE' });

    const notJson = await app.inject({ method: 'POST', url: '/api/game/start', headers: { ...auth, 'content-type': 'text/plain' }, payload: 'hi' });
    expect(notJson.statusCode).toBe(400);
    expect(notJson.json<{ message: string }>().message).toContain('body');

    const missing = await app.inject({ method: 'GET', url: '/api/nope' });
    expect(missing.statusCode).toBe(404);
    expect(missing.json()).toMatchObject({ code: 'POKERFACE_ERR_API_NOT_FOUND' });

    const badQuery = await app.inject({ method: 'GET', url: '/api/results?limit=abc' });
    expect(badQuery.statusCode).toBe(400);
    expect(badQuery.json<{ message: string }>().message).toContain('querystring.limit');
    expect(booth.calls).toEqual([]);
  });

  it('POST /api/restart answers 202 and then asks the daemon to exit 75', async () => {
    const { app, exits } = await setup(withToken);
    const r = await app.inject({ method: 'POST', url: '/api/restart', headers: auth });
    expect(r.statusCode).toBe(202);
    await waitFor(() => exits.length > 0, { what: 'the exit request' });
    expect(exits).toEqual([[75, 'restart requested via REST']]);
  });

  it('answers 503 for the game when no booth is running', async () => {
    const { app } = await setup(withToken, { withServices: false });
    const r = await app.inject({ method: 'POST', url: '/api/game/start', headers: auth });
    expect(r.statusCode).toBe(503);
    expect(r.json()).toMatchObject({ code: 'POKERFACE_ERR_API_UNAVAILABLE' });
  });
});

describe('REST: reading', () => {
  it('health is 200 only when capture, inference, player and MQTT are healthy', async () => {
    const s = await setup();
    const ok = await s.app.inject({ method: 'GET', url: '/api/health' });
    expect(ok.statusCode).toBe(200);
    expect(ok.json()).toMatchObject({ healthy: true, reasons: [] });
    s.mqtt.st = { ...s.mqtt.st, connected: false };
    s.player.st = { ...s.player.st, healthy: false };
    const bad = await s.app.inject({ method: 'GET', url: '/api/health' });
    expect(bad.statusCode).toBe(503);
    expect(bad.json<{ reasons: string[] }>().reasons).toEqual(['player: player (mpv) is unhealthy', 'mqtt: not connected']);
    const none = await setup('', { withServices: false });
    const r = await none.app.inject({ method: 'GET', url: '/api/health' });
    expect(r.statusCode).toBe(503);
    expect(r.json<{ reasons: string[] }>().reasons.join('\n')).toMatch(/capture is not running[\s\S]*inference is not running[\s\S]*player is not running[\s\S]*MQTT is not running/);
  });

  it('clip paths are relative to the media folder and payloads name the booth, as on MQTT', async () => {
    const s = await setup(`${withToken}player:\n  mediaDir: /srv/booth/media\n`);
    s.booth.current = { phase: 'playing', mode: 'funny', level: 2, clip: '/srv/booth/media/funny/2/a.mp4', since: performance.now() };
    s.results.append({ id: 'r2', endedAt: Date.now(), mode: 'funny', level: 2, clip: '/srv/booth/media/funny/2/a.mp4', outcome: 'survived', peak: 0.2, durationMs: 4000 });
    const status = (await s.app.inject('/api/status')).json<{ state: { clip: string; boothId: string } }>();
    expect(status.state).toMatchObject({ boothId: 'r1', clip: 'funny/2/a.mp4' });
    const results = (await s.app.inject('/api/results?limit=5')).json<{ recent: Array<{ clip: string }> }>();
    expect(results.recent.map((r) => r.clip)).toEqual(['funny/2/a.mp4']);
  });

  it('status, stats, version, config (redacted), config schema, results, metrics, OpenAPI', async () => {
    const s = await setup(`${withToken}mqtt:\n  password: hunter2\n`);
    s.booth.current = { phase: 'playing', mode: 'funny', level: 2, clip: 'funny/2/a.mp4', since: performance.now() };
    s.booth.emitScore(0.5);
    s.results.append({ id: 'r1', endedAt: Date.now(), mode: 'funny', level: 2, clip: null, outcome: 'cracked', peak: 0.9, durationMs: 4000 });
    s.booth.results.emit({ id: 'r1', endedAt: Date.now(), mode: 'funny', level: 2, clip: null, outcome: 'cracked', peak: 0.9, durationMs: 4000 });
    s.detector.emitTiming(14);

    const status = (await s.app.inject('/api/status')).json<Record<string, unknown>>();
    expect(status).toMatchObject({ boothId: 'r1', version: '9.9.9', provider: 'cpu', healthy: true, snapshot: false, state: { v: 1, phase: 'playing', level: 2 }, score: { value: 0.5 } });
    expect((await s.app.inject('/api/stats')).json()).toMatchObject({ v: 1, camera: { fps: 29.7 }, infer: { provider: 'cpu' }, mqtt: { queued: 2 } });
    expect((await s.app.inject('/api/version')).json()).toMatchObject({ name: 'pokerface', version: '9.9.9', payloadVersion: 1 });
    const cfg = (await s.app.inject('/api/config')).json<{ api: { token: string }; mqtt: { password: string } }>();
    expect(cfg.api.token).toBe('[redacted]');
    expect(cfg.mqtt.password).toBe('[redacted]');
    expect(JSON.stringify(cfg)).not.toContain(TOKEN);
    expect((await s.app.inject('/api/config/schema.json')).json()).toMatchObject({ title: 'pokerface configuration' });
    const results = (await s.app.inject('/api/results?limit=5')).json<{ recent: unknown[]; totals: unknown[] }>();
    expect(results.recent).toHaveLength(1);
    expect(results.totals[0]).toMatchObject({ rounds: 1, cracked: 1 });

    const metrics = await s.app.inject('/api/metrics');
    expect(metrics.headers['content-type']).toContain('text/plain');
    for (const line of [
      'pokerface_camera_fps 29.7',
      'pokerface_camera_dropped_frames_total 3',
      'pokerface_inference_seconds_count 1',
      'pokerface_rounds_total{mode="funny",level="2",outcome="cracked"} 1',
      'pokerface_mqtt_queued_events 2',
      'process_resident_memory_bytes ',
    ]) {
      expect(metrics.body).toContain(line);
    }
    const openapi = (await s.app.inject('/api/docs/json')).json<{ paths: Record<string, unknown> }>();
    expect(Object.keys(openapi.paths)).toEqual(expect.arrayContaining(['/api/health', '/api/game/start', '/api/buttons/{name}', '/api/restart']));
    expect((await s.app.inject('/api/docs')).statusCode).toBeLessThan(400);
  });

  it('snapshot: off by default; with api.snapshot it needs the token (bearer, basic, or session cookie)', async () => {
    const off = await setup(withToken);
    expect((await off.app.inject({ url: '/api/snapshot.jpg', headers: auth })).statusCode).toBe(404);

    const s = await setup(`${withToken}  snapshot: true\n`);
    s.booth.faces = { ts: 0, width: 32, height: 24, faces: [{ box: [4, 4, 10, 10], score: 0.9, emotions: {} }] };
    const noAuth = await s.app.inject('/api/snapshot.jpg');
    expect(noAuth.statusCode).toBe(401);
    expect(noAuth.headers['www-authenticate']).toContain('Basic');
    const timer = setInterval(() => s.frames.emitFrame(), 20);
    try {
      const bearer = await s.app.inject({ url: '/api/snapshot.jpg', headers: auth });
      expect(bearer.statusCode).toBe(200);
      expect(bearer.headers['content-type']).toBe('image/jpeg');
      const meta = await sharp(bearer.rawPayload).metadata();
      expect([meta.format, meta.width, meta.height]).toEqual(['jpeg', 64, 48]);
      const basic = await s.app.inject({ url: '/api/snapshot.jpg', headers: { authorization: `Basic ${Buffer.from(`staff:${TOKEN}`).toString('base64')}` } });
      expect(basic.statusCode).toBe(200);
      const session = await s.app.inject({ method: 'POST', url: '/api/session', headers: auth });
      const cookie = String(session.headers['set-cookie']).split(';')[0] as string;
      expect(cookie).toMatch(/^pokerface_session=/);
      expect(String(session.headers['set-cookie'])).toContain('HttpOnly');
      expect((await s.app.inject({ url: '/api/snapshot.jpg', headers: { cookie } })).statusCode).toBe(200);
      expect((await s.app.inject({ url: '/api/snapshot.jpg', headers: { cookie: 'pokerface_session=forged' } })).statusCode).toBe(401);
    } finally {
      clearInterval(timer);
    }
  });
});

describe('REST over a real port', () => {
  it('listens on the configured host, streams server-sent events and enforces auth', async () => {
    const s = await setup(withToken, { listen: true });
    const base = s.server.url();
    expect(base).toMatch(/^http:\/\/127\.0\.0\.1:\d+$/);
    expect((await fetch(`${base}/api/health`)).status).toBe(200);
    expect((await fetch(`${base}/api/restart`, { method: 'POST' })).status).toBe(401);
    const page = await fetch(`${base}/`);
    expect(page.headers.get('content-type')).toContain('text/html');
    expect(page.headers.get('content-security-policy')).toContain("script-src 'self';");

    const lines: string[] = [];
    const req = httpRequest(`${base}/api/events`);
    const done = new Promise<void>((resolve) => {
      req.on('response', (res) => {
        res.setEncoding('utf8');
        res.on('data', (chunk: string) => {
          lines.push(chunk);
          if (lines.join('').includes('event: event')) resolve();
        });
      });
    });
    req.end();
    // the stream is open once its first bytes (retry and the initial state) have arrived
    await waitFor(() => lines.join('').includes('retry:'), { what: 'the event stream to open' });
    s.booth.setState({ phase: 'countdown' });
    s.booth.emitScore(0.3);
    s.booth.emitEvent('round_start');
    await done;
    const text = lines.join('');
    expect(text).toContain('event: state');
    expect(text).toContain('"phase":"countdown"');
    expect(text).toContain('event: score');
    req.destroy();

    const r = await fetch(`${base}/api/restart`, { method: 'POST', headers: auth });
    expect(r.status).toBe(202);
    await waitFor(() => s.exits.length > 0, { what: 'the exit request' });
    expect(s.exits.map((e) => e[0])).toEqual([75]);
  });

  it('rate-limits POSTs', async () => {
    const limited = new RestServer({
      config: parseConfig(`api:\n  port: 0\n  token: ${TOKEN}\n  rateLimitPerMinute: 3\n`, 'test'),
      log: silentLogger,
      clock: systemClock,
      services: staffServices({ booth: new FakeBooth() }),
      requestExit: () => undefined,
    });
    servers.push(limited);
    const app = await limited.build();
    const codes: number[] = [];
    for (let i = 0; i < 5; i++) codes.push((await app.inject({ method: 'POST', url: '/api/game/stop', headers: auth })).statusCode);
    expect(codes).toEqual([200, 200, 200, 429, 429]);
    const r = await app.inject({ method: 'POST', url: '/api/game/stop', headers: auth });
    expect(r.json()).toMatchObject({ code: 'POKERFACE_ERR_API_RATE_LIMITED' });
    // GETs are not limited
    expect((await app.inject('/api/version')).statusCode).toBe(200);
  });
});
