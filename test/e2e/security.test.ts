// Security of the staff interfaces against the real daemon (a child process, loopback only):
// reads under load never stall the booth, guessing the token is throttled and logged, a
// rebinding Host and a dribbled body are refused, and no secret from a camera or broker URL
// or a pipeline reaches any output. Every loop here stops by itself (time or condition).
import { execFile } from 'node:child_process';
import { connect } from 'node:net';
import { rmSync } from 'node:fs';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Mosquitto, Watcher } from '../integration/api/brokers.js';
import { DaemonProcess, ROOT, TOKEN, makeCamera, makeMedia, ports, requireBuilt, sleep, tempDir, waitUntil, writeConfig, writeLoadTargetConfig } from './harness.js';
import { OPEN_GETS, hammer, makeResultsLog, type LoadResult } from './load.js';

const ROWS = 200_000;

describe('security: REST under load', () => {
  const dir = tempDir('sec');
  let daemon: DaemonProcess;
  let base = '';

  beforeAll(async () => {
    requireBuilt();
    await makeMedia(join(dir, 'media'), 6);
    await makeCamera(join(dir, 'neutral.mp4'), 12, 0);
    const resultsPath = join(dir, 'results.sqlite');
    makeResultsLog(resultsPath, ROWS);
    const p = await ports();
    const cfg = writeLoadTargetConfig({
      dir,
      cameraFile: join(dir, 'neutral.mp4'),
      mediaDir: join(dir, 'media'),
      resultsPath,
      maxRows: 500_000,
      ports: p,
      // the shipped per-IP limits, a short request timeout
      api: { requestTimeoutMs: 3000, headersTimeoutMs: 3000, authFailuresPerMinute: 10 },
    });
    daemon = new DaemonProcess(cfg, p.api);
    daemon.start();
    await daemon.ready(90_000);
    base = `http://127.0.0.1:${p.api}`;
  }, 180_000);

  afterAll(async () => {
    await daemon?.stop();
    rmSync(dir, { recursive: true, force: true });
  });

  it('loses no camera and decides a round while 4 unauthenticated loops hit every open GET (200 000 rounds logged)', async () => {
    const stats = async (): Promise<{ reconnects: number }> => ((await daemon.api('GET', '/api/stats')).json as { camera: { reconnects: number } }).camera;
    const before = await stats();
    let done = false;
    const load: Promise<LoadResult> = hammer(base, 4, Date.now() + 90_000, '127.0.0.2', () => done);
    try {
      await sleep(1000); // the load runs a while before the round starts
      for (const b of ['funny', 'level1', 'start']) {
        const r = await daemon.api('POST', `/api/buttons/${b}`, {});
        expect(r.status, JSON.stringify(r.json)).toBe(200);
        await sleep(150); // a player's pace between presses
      }
      let last: { id: string; outcome: string; reason?: string } | undefined;
      await waitUntil(
        async () => {
          const r = await daemon.api('GET', '/api/results?limit=1', undefined, null);
          last = (r.json as { recent?: Array<{ id: string; outcome: string; reason?: string }> }).recent?.[0];
          return last !== undefined && !last.id.startsWith('load-');
        },
        60_000,
        'the round to end',
        500,
      );
      expect(last?.outcome, JSON.stringify(last)).toBe('survived');
    } finally {
      done = true;
    }
    const got = await load;
    console.log(`security load: ${got.requests} requests from 4 loops; by status ${JSON.stringify(got.byStatus)}; errors ${got.errors}`);
    expect((await stats()).reconnects).toBe(before.reconnects);
    expect(daemon.logs.filter((l) => /camera lost/i.test(String(l.msg)) || /camera lost/i.test(String(l.reason)))).toEqual([]);
    // the loops were throttled, not served at will
    expect(got.byStatus['429'] ?? 0).toBeGreaterThan(0);
  }, 180_000);

  it('answers failed authentication with 429 after the limit and logs the client IP', async () => {
    const codes: number[] = [];
    for (let i = 0; i < 15; i++) {
      const r = await fetchFrom('127.0.0.3', `${base}/api/game/stop`, { method: 'POST', headers: { authorization: `Bearer wrong-guess-${i}` } });
      codes.push(r);
    }
    expect(codes.slice(0, 10).every((c) => c === 401)).toBe(true);
    expect(codes.slice(10).every((c) => c === 429)).toBe(true);
    await waitUntil(() => daemon.logs.some((l) => l.ip === '127.0.0.3' && l.kind === 'bearer'), 5000, 'the failed-auth log line');
    expect(daemon.logs.filter((l) => l.ip === '127.0.0.3')).toHaveLength(1);
  }, 60_000);

  it('refuses a Host header naming another site', async () => {
    const r = await rawRequest(Number(new URL(base).port), `GET /api/config HTTP/1.1\r\nhost: rebind.evil.example\r\nconnection: close\r\n\r\n`);
    expect(r).toMatch(/^HTTP\/1\.1 421/);
    expect(r).not.toContain('"boothId"');
  }, 30_000);

  it('closes a connection that dribbles its body within the request timeout', async () => {
    const sock = connect(Number(new URL(base).port), '127.0.0.1');
    await new Promise<void>((r) => sock.once('connect', () => r()));
    // the server hangs up mid-drip: a write after that fails, which is the point
    sock.on('error', () => undefined);
    const t0 = Date.now();
    sock.write(`POST /api/game/stop HTTP/1.1\r\nhost: 127.0.0.1\r\nauthorization: Bearer ${TOKEN}\r\ncontent-type: application/json\r\ncontent-length: 64\r\n\r\n{`);
    const drip = setInterval(() => sock.writable && sock.write(' '), 500);
    await new Promise<void>((r) => sock.once('close', () => r()));
    clearInterval(drip);
    // requestTimeoutMs 3000, checked every second
    expect(Date.now() - t0).toBeLessThan(6000);
  }, 30_000);
});

describe('security: no secret in any output', () => {
  const dir = tempDir('secrets');
  const SECRETS = ['CamSecret4711', 'BrokerSecret0815', 'PipeSecret2342', 'ProxySecret1234', TOKEN];
  let broker: Mosquitto;
  let daemon: DaemonProcess;
  let watcher: Watcher;

  beforeAll(async () => {
    requireBuilt();
    const p = await ports();
    broker = new Mosquitto(p.mqtt);
    await broker.start();
    await makeMedia(join(dir, 'media'), 3);
    const cfg = writeConfig({
      dir,
      // an RTSP camera with credentials that never answers: every retry logs and reports the error
      camera: {
        backend: 'ffmpeg',
        ffmpeg: { input: `rtsp://camuser:${SECRETS[0]}@127.0.0.1:9/live`, inputArgs: ['-rtsp_transport', 'tcp'] },
        gstreamer: { preset: 'custom', pipeline: `rtspsrc location=rtsp://cam/x user-id=admin user-pw=${SECRETS[2]} proxy-pw=${SECRETS[3]} ! decodebin` },
      },
      mediaDir: join(dir, 'media'),
      mqttUrl: `mqtt://brokeruser:${SECRETS[1]}@127.0.0.1:${broker.port}`,
      ports: p,
    });
    daemon = new DaemonProcess(cfg, p.api);
    daemon.start();
    await daemon.ready(90_000);
    watcher = new Watcher(broker.url, { protocolVersion: 5 });
    await watcher.subscribe('pokerface/#', 1);
    await waitUntil(() => daemon.logs.some((l) => JSON.stringify(l).includes('127.0.0.1:9/live')), 30_000, 'the camera input in the log');
  }, 180_000);

  afterAll(async () => {
    await watcher?.close();
    await daemon?.stop();
    await broker?.dispose();
    rmSync(dir, { recursive: true, force: true });
  });

  it('drives every route, topic and log path and finds no secret', async () => {
    const outputs: string[] = [];
    for (const path of [...OPEN_GETS, '/api/snapshot.jpg', '/api/nope', '/api/results?limit=x']) {
      for (const token of [null, TOKEN]) outputs.push(`${path}: ${JSON.stringify((await daemon.api('GET', path, undefined, token)).json)}`);
    }
    for (const b of ['funny', 'level1', 'start', 'bogus']) outputs.push(JSON.stringify((await daemon.api('POST', `/api/buttons/${b}`, {})).json));
    outputs.push(JSON.stringify((await daemon.api('POST', '/api/game/start', { mode: 'scary', level: 2 })).json));
    outputs.push(JSON.stringify((await daemon.api('POST', '/api/game/stop', {})).json));
    outputs.push(JSON.stringify((await daemon.api('POST', '/api/game/stop', {}, 'a-wrong-token')).json));
    // a few seconds of the event stream
    const ac = new AbortController();
    const sse = await fetch(`http://127.0.0.1:${daemon.apiPort}/api/events`, { signal: ac.signal });
    const reader = sse.body?.getReader();
    const until = Date.now() + 3000;
    while (reader && Date.now() < until) {
      const chunk = await Promise.race([reader.read(), sleep(500).then(() => null)]);
      if (chunk?.value) outputs.push(Buffer.from(chunk.value).toString());
    }
    ac.abort();
    // MQTT: every topic the daemon published, and a request answered
    watcher.client.publish('pokerface/e2e/request/stop', JSON.stringify({ transaction: 'sec-1' }), { qos: 1 });
    const answered = (m: { topic: string; payload: string }): boolean => m.topic === 'pokerface/e2e/response/stop' && m.payload.includes('sec-1');
    await watcher.waitFor((g) => g.some(answered) && g.some((m) => m.topic === 'pokerface/e2e/stats'), 10_000);
    for (const m of watcher.got) outputs.push(`${m.topic} ${m.payload}`);
    expect(watcher.got.some((m) => m.topic === 'pokerface/e2e/stats')).toBe(true);
    // config check --json
    const { stdout, stderr } = await promisify(execFile)(process.execPath, [join(ROOT, 'bin/pokerface.js'), 'config', 'check', daemon.configFile, '--json'], { cwd: ROOT });
    outputs.push(stdout, stderr);
    await daemon.stop();
    outputs.push(daemon.stderr, ...daemon.logs.map((l) => JSON.stringify(l)));

    const all = outputs.join('\n');
    expect(all).toContain('/api/status'); // outputs were gathered
    expect(all).toContain('127.0.0.1:9/live'); // the URL itself is visible, its user info is not
    for (const s of SECRETS) expect(all.includes(s), `${s} leaked`).toBe(false);
  }, 120_000);
});

async function fetchFrom(localAddress: string, url: string, init: { method: string; headers: Record<string, string> }): Promise<number> {
  const { request } = await import('node:http');
  return new Promise((resolve, reject) => {
    const req = request(url, { method: init.method, headers: init.headers, localAddress }, (res) => {
      res.resume();
      res.on('end', () => resolve(res.statusCode ?? 0));
    });
    req.on('error', reject);
    req.end();
  });
}

function rawRequest(port: number, text: string): Promise<string> {
  return new Promise((resolve, reject) => {
    const s = connect(port, '127.0.0.1');
    let out = '';
    s.on('data', (d: Buffer) => (out += d.toString()));
    s.on('end', () => resolve(out));
    s.on('error', reject);
    s.write(text);
  });
}
