// REST security controls through inject() and over a real loopback port: per-IP limits
// before auth, the failed-auth limit and its log, Host check, publicRead, audit, SSE caps,
// and a slow body cut off by requestTimeout.
import { execFileSync } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { get as httpsGet } from 'node:https';
import { connect } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { request as httpRequest } from 'node:http';
import { afterEach, describe, expect, it } from 'vitest';
import { parseConfig } from '../../../src/config/load.js';
import { systemClock } from '../../../src/clock.js';
import { createLogger } from '../../../src/log.js';
import { RestServer } from '../../../src/api/rest.js';
import { staffServices } from '../../../src/api/services.js';
import { FakeBooth, StubFrameSource, FakeResults } from '../../unit/api/fakes.js';

const TOKEN = 'sec-token-0123456789abcdef';
const READ = 'read-token-0123456789abcdef';
const auth = { authorization: `Bearer ${TOKEN}` };

const servers: RestServer[] = [];
afterEach(async () => {
  for (const s of servers.splice(0)) await s.stop();
});

function setup(yaml: string): { server: RestServer; logs: Array<Record<string, unknown>>; raw: string[]; booth: FakeBooth } {
  const logs: Array<Record<string, unknown>> = [];
  const raw: string[] = [];
  const log = createLogger({
    level: 'info',
    destination: {
      write: (s: string) => {
        raw.push(s);
        logs.push(JSON.parse(s) as Record<string, unknown>);
      },
    },
  });
  const booth = new FakeBooth();
  const server = new RestServer({
    config: parseConfig(`boothId: sec\napi:\n  host: 127.0.0.1\n  port: 0\n  token: ${TOKEN}\n${yaml}`, 'test'),
    log,
    clock: systemClock,
    services: staffServices({ booth, frameSource: new StubFrameSource(), results: new FakeResults() }),
    requestExit: () => undefined,
    version: '1.0.0',
    hosts: { hostname: () => 'booth7', addresses: () => ['127.0.0.1', '192.168.7.7'] },
  });
  servers.push(server);
  return { server, logs, raw, booth };
}

describe('REST security', () => {
  it('counts every request per IP before authentication and routing', async () => {
    const { server } = setup('  requestsPerMinute: 5\n');
    const app = await server.build();
    const codes: number[] = [];
    for (let i = 0; i < 4; i++) codes.push((await app.inject('/api/version')).statusCode);
    codes.push((await app.inject({ method: 'POST', url: '/api/game/stop', headers: { authorization: 'Bearer wrong' } })).statusCode);
    const limited = await app.inject({ method: 'POST', url: '/api/game/stop', headers: auth });
    codes.push(limited.statusCode);
    codes.push((await app.inject('/no/such/route')).statusCode);
    expect(codes).toEqual([200, 200, 200, 200, 401, 429, 429]);
    expect(limited.headers['retry-after']).toMatch(/^\d+$/);
    // another client is not affected
    expect((await app.inject({ url: '/api/version', remoteAddress: '10.9.9.9' })).statusCode).toBe(200);
  });

  it('limits failed authentication tighter, for bearer, basic and session cookie, and logs it once a minute with the IP', async () => {
    const { server, logs } = setup('  authFailuresPerMinute: 3\n  snapshot: true\n');
    const app = await server.build();
    const codes: number[] = [];
    for (let i = 0; i < 5; i++) codes.push((await app.inject({ method: 'POST', url: '/api/game/stop', headers: { authorization: `Bearer guess-${i}` } })).statusCode);
    expect(codes).toEqual([401, 401, 401, 429, 429]);
    // the right token waits too: guessing cannot go on in the gaps
    expect((await app.inject({ method: 'POST', url: '/api/game/stop', headers: auth })).statusCode).toBe(429);
    const failures = logs.filter((l) => l.msg === 'REST authentication failed (further failures from this IP this minute are not logged)');
    expect(failures).toHaveLength(1);
    expect(failures[0]).toMatchObject({ ip: '127.0.0.1', kind: 'bearer', level: 'warn' });
    expect(JSON.stringify(logs)).not.toContain('guess-');

    const basic = (p: string): Record<string, string> => ({ authorization: `Basic ${Buffer.from(`x:${p}`).toString('base64')}` });
    const snap: number[] = [];
    for (let i = 0; i < 4; i++) snap.push((await app.inject({ url: '/api/snapshot.jpg', headers: basic(`nope${i}`), remoteAddress: '10.0.0.2' })).statusCode);
    expect(snap).toEqual([401, 401, 401, 429]);
    const cookie: number[] = [];
    for (let i = 0; i < 4; i++) cookie.push((await app.inject({ url: '/api/snapshot.jpg', headers: { cookie: `pokerface_session=forged${i}` }, remoteAddress: '10.0.0.3' })).statusCode);
    expect(cookie).toEqual([401, 401, 401, 429]);
    // no credential at all is not a guess (the status page asks before login)
    const none: number[] = [];
    for (let i = 0; i < 5; i++) none.push((await app.inject({ url: '/api/snapshot.jpg', remoteAddress: '10.0.0.4' })).statusCode);
    expect(none).toEqual([401, 401, 401, 401, 401]);
  });

  it('counts clients behind a trusted reverse proxy by their forwarded address', async () => {
    const { server } = setup('  requestsPerMinute: 2\n  trustProxy: [127.0.0.1]\n');
    const app = await server.build();
    const get = async (client: string, from = '127.0.0.1'): Promise<number> =>
      (await app.inject({ url: '/api/version', remoteAddress: from, headers: { 'x-forwarded-for': client } })).statusCode;
    expect([await get('192.0.2.1'), await get('192.0.2.1'), await get('192.0.2.2')]).toEqual([200, 200, 200]);
    expect(await get('192.0.2.1')).toBe(429);
    // an untrusted sender cannot pick its address with the header
    expect([await get('192.0.2.9', '10.0.0.9'), await get('192.0.2.8', '10.0.0.9'), await get('192.0.2.7', '10.0.0.9')]).toEqual([200, 200, 429]);
  });

  it('refuses a Host header that names another site (DNS rebinding)', async () => {
    const { server } = setup('');
    const app = await server.build();
    for (const host of ['localhost:8080', '127.0.0.1:8080', 'booth7:8080', '192.168.7.7']) expect((await app.inject({ url: '/api/config', headers: { host } })).statusCode, host).toBe(200);
    const bad = await app.inject({ url: '/api/config', headers: { host: 'rebind.evil.example:8080' } });
    expect(bad.statusCode).toBe(421);
    expect(bad.json()).toMatchObject({ code: 'POKERFACE_ERR_API_BAD_HOST' });
    expect(bad.body).not.toContain('"api"');
  });

  it('puts config, results and metrics behind a token with publicRead: false', async () => {
    const { server } = setup(`  publicRead: false\n  readToken: ${READ}\n`);
    const app = await server.build();
    for (const url of ['/api/config', '/api/results', '/api/metrics']) {
      expect((await app.inject(url)).statusCode, url).toBe(401);
      expect((await app.inject({ url, headers: { authorization: `Bearer ${READ}` } })).statusCode, url).toBe(200);
      expect((await app.inject({ url, headers: auth })).statusCode, url).toBe(200);
    }
    expect((await app.inject('/api/version')).statusCode).toBe(200);
    expect((await app.inject('/api/health')).statusCode).not.toBe(401);
  });

  it('logs every command with the client IP (audit)', async () => {
    const { server, logs } = setup('');
    const app = await server.build();
    await app.inject({ method: 'POST', url: '/api/buttons/start', headers: auth, remoteAddress: '10.1.2.3' });
    await app.inject({ method: 'POST', url: '/api/game/stop', headers: auth, remoteAddress: '10.1.2.4' });
    const audit = logs.filter((l) => l.audit === true);
    expect(audit.map((l) => [l.action, l.who, l.via])).toEqual([
      ['button:start', '10.1.2.3', 'rest'],
      ['stop', '10.1.2.4', 'rest'],
    ]);
  });

  it('caps event streams per client IP', async () => {
    const { server } = setup('  ssePerIp: 2\n');
    await server.start();
    const open = (): Promise<{ status: number; close: () => void }> =>
      new Promise((resolve, reject) => {
        const req = httpRequest(`${server.url()}/api/events`, (res) => resolve({ status: res.statusCode ?? 0, close: () => req.destroy() }));
        req.on('error', reject);
        req.end();
      });
    const a = await open();
    const b = await open();
    const c = await open();
    expect([a.status, b.status, c.status]).toEqual([200, 200, 503]);
    for (const s of [a, b, c]) s.close();
  });

  it('closes a connection that dribbles its body within requestTimeout', async () => {
    const { server } = setup('  requestTimeoutMs: 1000\n  headersTimeoutMs: 1000\n');
    await server.start();
    const port = Number(new URL(server.url()).port);
    const sock = connect(port, '127.0.0.1');
    await new Promise<void>((r) => sock.once('connect', () => r()));
    // the server hangs up mid-drip: a write after that fails, which is the point
    sock.on('error', () => undefined);
    const t0 = performance.now();
    sock.write(`POST /api/game/stop HTTP/1.1\r\nhost: 127.0.0.1\r\nauthorization: Bearer ${TOKEN}\r\ncontent-type: application/json\r\ncontent-length: 100\r\n\r\n{`);
    // one more byte a second: never enough to finish, always enough to look alive
    const drip = setInterval(() => sock.writable && sock.write(' '), 1000);
    let answer = '';
    sock.on('data', (d: Buffer) => (answer += d.toString()));
    await new Promise<void>((r) => sock.once('close', () => r()));
    clearInterval(drip);
    const took = performance.now() - t0;
    expect(took).toBeLessThan(8000);
    expect(answer === '' || /^HTTP\/1\.1 408/.test(answer)).toBe(true);
  });

  it('speaks HTTPS only when api.tls has a certificate and key', async () => {
    const d = mkdtempSync(join(tmpdir(), 'pokerface-tls-'));
    try {
      execFileSync('openssl', ['req', '-x509', '-newkey', 'ec', '-pkeyopt', 'ec_paramgen_curve:prime256v1', '-nodes', '-keyout', join(d, 'key.pem'), '-out', join(d, 'cert.pem'), '-days', '1', '-subj', '/CN=localhost'], { stdio: 'ignore' });
      const { server } = setup(`  tls:\n    cert: ${join(d, 'cert.pem')}\n    key: ${join(d, 'key.pem')}\n`);
      await server.start();
      expect(server.url()).toMatch(/^https:\/\/127\.0\.0\.1:\d+$/);
      const status = await new Promise<number>((resolve, reject) => {
        httpsGet(`${server.url()}/api/version`, { rejectUnauthorized: false }, (res) => {
          res.resume();
          resolve(res.statusCode ?? 0);
        }).on('error', reject);
      });
      expect(status).toBe(200);
      // plain HTTP on the same port gets no API answer
      const plain = await fetch(`${server.url().replace('https', 'http')}/api/version`).then((r) => r.status).catch(() => 0);
      expect(plain).not.toBe(200);
    } finally {
      rmSync(d, { recursive: true, force: true });
    }
  });

  it('refuses to start with an unreadable certificate (POKERFACE_ERR_API_TLS)', async () => {
    const { server } = setup('  tls:\n    cert: /nonexistent/cert.pem\n    key: /nonexistent/key.pem\n');
    await expect(server.start()).rejects.toMatchObject({ code: 'POKERFACE_ERR_API_TLS' });
  });
});
