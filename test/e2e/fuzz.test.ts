// REST fuzz against the whole daemon on loopback: a few thousand random and malformed
// requests (methods, paths around the real routes, bodies, tokens, headers, and raw
// bytes that are not HTTP at all), bounded in count and time. Nothing may answer 5xx
// (503 from /api/health is its contract), the daemon must keep answering, and nothing
// may change without the token: the game stays in attract, untouched.
import { Agent, request } from 'node:http';
import { createConnection } from 'node:net';
import { rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DaemonProcess, TOKEN, makeCamera, makeMedia, ports, requireBuilt, tempDir, writeConfig } from './harness.js';
import { seededRandom } from '../../src/random.js';

const REQUESTS = 3000;
const RAW_SHARE = 0.1;
const CONCURRENCY = 8;
const TIME_BUDGET_MS = 60_000;
const SEED = Number(process.env.PF_FUZZ_SEED ?? 20261127);

const ROUTES = [
  '/',
  '/favicon.ico',
  '/api/health',
  '/api/status',
  '/api/stats',
  '/api/metrics',
  '/api/config',
  '/api/config/schema.json',
  '/api/version',
  '/api/results',
  '/api/results.csv',
  '/api/system',
  '/api/clips',
  '/console/app.js',
  '/console/uplot.js',
  '/api/snapshot.jpg',
  '/api/events',
  '/api/docs',
  '/api/docs/json',
  '/api/session',
  '/api/restart',
  '/api/game/start',
  '/api/game/stop',
  '/api/buttons/start',
  '/api/buttons/funny',
  '/api/buttons/level1',
];
const POST_ROUTES = ['/api/session', '/api/restart', '/api/game/start', '/api/game/stop', '/api/buttons/start', '/api/buttons/funny', '/api/buttons/scary', '/api/buttons/level3'];
const METHODS = ['GET', 'POST', 'POST', 'POST', 'PUT', 'DELETE', 'PATCH', 'HEAD', 'OPTIONS', 'TRACE', 'FOO', 'PROPFIND'];

interface Outcome {
  method: string;
  path: string;
  auth: string;
  status: number | null;
  body: string;
  error?: string;
}

class Gen {
  constructor(private readonly r: () => number) {}
  int(n: number): number {
    return Math.floor(this.r() * n);
  }
  pick<T>(xs: readonly T[]): T {
    return xs[this.int(xs.length)] as T;
  }
  chance(p: number): boolean {
    return this.r() < p;
  }
  ascii(n: number, from = 32, to = 127): string {
    let s = '';
    for (let i = 0; i < n; i++) s += String.fromCharCode(from + this.int(to - from));
    return s;
  }
  bytes(n: number): Buffer {
    const b = Buffer.alloc(n);
    for (let i = 0; i < n; i++) b[i] = this.int(256);
    return b;
  }

  path(): string {
    const base = this.chance(0.3) ? this.pick(POST_ROUTES) : this.pick(ROUTES);
    switch (this.int(12)) {
      case 0:
        return `/api/buttons/${encodeURIComponent(this.ascii(1 + this.int(40)))}`;
      case 1:
        return `${base}?${this.ascii(this.int(60), 33, 127).replace(/[#\s]/g, '')}`;
      case 2:
        return `/api/results?limit=${this.pick(['-1', '0', '1e9', 'abc', '99999999999999999999', '%00', ''])}&sinceDays=${this.pick(['-5', 'NaN', '1.5', '[]', ''])}`;
      case 3:
        return `${base}${this.pick(['/', '//', '/..', '/../..', '%2e%2e', '%00', '%ff', '%zz', '%', ';x=1', '/%2fetc%2fpasswd'])}`;
      case 4:
        return `/${'a/'.repeat(1 + this.int(2000))}`;
      case 5:
        return `/api/${encodeURIComponent(this.ascii(1 + this.int(30)))}`;
      case 6:
        return base.toUpperCase();
      case 7:
        return `/api/buttons/${encodeURIComponent('ä€😀')}${this.int(9)}`;
      default:
        return base;
    }
  }

  /** never the right token, in any form */
  auth(): string | undefined {
    const wrong = [
      undefined,
      'Bearer',
      'Bearer ',
      `Bearer ${TOKEN}x`,
      `Bearer ${TOKEN.slice(0, -1)}`,
      `Bearer ${TOKEN.toUpperCase()}`,
      TOKEN,
      `Token ${TOKEN}`,
      `Bearer  ${TOKEN.slice(1)}`,
      `Bearer ${this.ascii(this.int(64), 33, 127)}`,
      `Bearer ${'x'.repeat(8000 + this.int(4000))}`,
      `Basic ${Buffer.from(`staff:${TOKEN}0`).toString('base64')}`,
      `Basic ${this.ascii(20, 33, 127)}`,
      'Basic',
      `Bearer ${TOKEN},Bearer wrong`.replace(TOKEN, `${TOKEN}_`),
      'Digest username="x"',
    ];
    const a = this.pick(wrong);
    if (a !== undefined && (a === `Bearer ${TOKEN}` || a.trim() === `Bearer ${TOKEN}`)) return 'Bearer nope';
    return a;
  }

  body(): { type?: string; data?: Buffer } {
    const types = [undefined, 'application/json', 'application/json', 'application/json; charset=utf-16', 'text/plain', 'application/x-www-form-urlencoded', 'multipart/form-data; boundary=x', 'application/json;;;', this.ascii(20, 33, 127)];
    const type = this.pick(types);
    let text: string | Buffer | undefined;
    switch (this.int(14)) {
      case 0:
        text = undefined;
        break;
      case 1:
        text = '';
        break;
      case 2:
        text = JSON.stringify({ mode: this.pick(['funny', 'scary', 'nope', '', 'x'.repeat(100)]), level: this.pick([1, 2, 3, 0, 4, -1, 1.5, '1', null]) });
        break;
      case 3:
        text = JSON.stringify({ kind: this.pick(['press', 'hold', 1, null]), extra: this.ascii(10) });
        break;
      case 4:
        text = this.pick(['{', '{"mode":', '[', '"', 'nul', '{"a":1}}', '{"__proto__":{"x":1}}', '{"constructor":{"prototype":{"x":1}}}']);
        break;
      case 5:
        text = `${'['.repeat(5000)}${']'.repeat(5000)}`;
        break;
      case 6:
        text = this.bytes(1 + this.int(2000));
        break;
      case 7:
        text = JSON.stringify({ mode: 'funny', pad: 'x'.repeat(20_000 + this.int(50_000)) });
        break;
      case 8:
        text = this.chance(0.3) ? Buffer.alloc(1_048_576, 0x7b) : Buffer.alloc(64 * 1024 + this.int(64 * 1024), 0x20);
        break;
      case 9:
        text = JSON.stringify(this.pick([null, 1, 'x', true, [], [1, 2]]));
        break;
      default:
        text = JSON.stringify({ mode: 'funny', level: 1 });
    }
    const out: { type?: string; data?: Buffer } = {};
    if (type !== undefined) out.type = type;
    if (text !== undefined) out.data = Buffer.isBuffer(text) ? text : Buffer.from(text);
    return out;
  }

  headers(): Record<string, string> {
    const h: Record<string, string> = {};
    const n = this.int(4);
    for (let i = 0; i < n; i++) {
      switch (this.int(9)) {
        case 0:
          h['x-forwarded-for'] = this.pick(['1.2.3.4', '::1', 'garbage', '127.0.0.1, 10.0.0.1']);
          break;
        case 1:
          h.cookie = `pokerface_session=${this.ascii(this.int(80), 48, 122).replace(/[;\\]/g, '')}`;
          break;
        case 2:
          h.accept = this.pick(['*/*', 'text/event-stream', 'image/jpeg', 'application/json;q=0', this.ascii(30, 33, 127)]);
          break;
        case 3:
          h['accept-encoding'] = this.pick(['gzip', 'br', 'deflate, gzip;q=0', 'identity;q=0', 'zstd']);
          break;
        case 4:
          h['x-pokerface-page'] = '1';
          break;
        case 5:
          h['x-junk'] = 'y'.repeat(this.int(4000));
          break;
        case 6:
          h.range = this.pick(['bytes=0-10', 'bytes=-1', 'bytes=999999999-', 'lines=1-2']);
          break;
        case 7:
          h.origin = this.pick(['http://evil.example', 'null', 'http://127.0.0.1']);
          break;
        default:
          h['if-none-match'] = this.pick(['*', '"abc"', 'W/"x"']);
      }
    }
    return h;
  }

  /** bytes that are malformed HTTP, or not HTTP at all */
  raw(path: string): Buffer {
    const crlf = '\r\n';
    switch (this.int(12)) {
      case 0:
        return this.bytes(1 + this.int(512));
      case 1:
        return Buffer.from(`GET ${path} HTTP/1.1${crlf}${crlf}`); // no Host
      case 2:
        return Buffer.from(`POST ${path} HTTP/1.1${crlf}Host: x${crlf}Content-Length: 10${crlf}Transfer-Encoding: chunked${crlf}${crlf}zz${crlf}`);
      case 3:
        return Buffer.from(`POST ${path} HTTP/1.1${crlf}Host: x${crlf}Transfer-Encoding: chunked${crlf}Content-Type: application/json${crlf}${crlf}fffffffffffffff${crlf}{}${crlf}0${crlf}${crlf}`);
      case 4:
        return Buffer.from(`GET ${path} HTTP/1.1${crlf}Host: x${crlf}X-Big: ${'h'.repeat(20_000)}${crlf}${crlf}`);
      case 5:
        return Buffer.from(`GET ${path}${crlf}${crlf}`); // HTTP/0.9
      case 6:
        return Buffer.from(`GET ${path} HTTP/9.9${crlf}Host: x${crlf}${crlf}`);
      case 7:
        return Buffer.from(`GET ${path} HTTP/1.1${crlf}Host: x${crlf}Bad Header Line${crlf}${crlf}`);
      case 8:
        return Buffer.from(`POST ${path} HTTP/1.1${crlf}Host: x${crlf}Content-Length: -5${crlf}${crlf}`);
      case 9:
        return Buffer.from(`POST ${path} HTTP/1.1${crlf}Host: x${crlf}Content-Type: application/json${crlf}Content-Length: 100${crlf}${crlf}{"mode":`); // short body, then close
      case 10:
        return Buffer.from(`${this.ascii(8, 65, 91)} ${path} HTTP/1.1${crlf}Host: x${crlf}Content-Length: 0${crlf}${crlf}`);
      default:
        return Buffer.from(`GET ${path} HTTP/1.1${crlf}Host: x${crlf}Connection: keep-alive${crlf}${crlf}GET /api/status HTTP/1.1${crlf}Host: x${crlf}${crlf}`); // pipelined
    }
  }
}

/** one request through node:http; reads at most 64 KiB of the answer (the SSE stream never ends) */
function httpOnce(agent: Agent, port: number, method: string, path: string, headers: Record<string, string>, data: Buffer | undefined): Promise<{ status: number | null; body: string; error?: string }> {
  return new Promise((resolve) => {
    let done = false;
    const finish = (v: { status: number | null; body: string; error?: string }): void => {
      if (done) return;
      done = true;
      resolve(v);
    };
    let req;
    try {
      req = request({ host: '127.0.0.1', port, method, path, headers, agent, timeout: 5000 }, (res) => {
        let body = '';
        res.setEncoding('latin1');
        res.on('data', (d: string) => {
          body += d;
          if (body.length > 65_536 || (res.headers['content-type'] ?? '').includes('event-stream')) {
            res.destroy();
            finish({ status: res.statusCode ?? null, body: body.slice(0, 2000) });
          }
        });
        res.on('end', () => finish({ status: res.statusCode ?? null, body: body.slice(0, 2000) }));
        res.on('error', () => finish({ status: res.statusCode ?? null, body: body.slice(0, 2000) }));
        res.on('close', () => finish({ status: res.statusCode ?? null, body: body.slice(0, 2000) }));
      });
    } catch (e) {
      // node refuses to send some of what we make (bad header characters): not a server answer
      finish({ status: null, body: '', error: `client refused: ${(e as Error).message}` });
      return;
    }
    req.on('timeout', () => {
      req.destroy(new Error('timeout'));
    });
    req.on('error', (e) => finish({ status: null, body: '', error: e.message }));
    if (data) req.end(data);
    else req.end();
  });
}

/** raw bytes over a socket; the status of the first answer, if any */
function rawOnce(port: number, bytes: Buffer): Promise<{ status: number | null; body: string; error?: string }> {
  return new Promise((resolve) => {
    let got = '';
    const s = createConnection({ host: '127.0.0.1', port });
    const finish = (error?: string): void => {
      s.destroy();
      const m = /^HTTP\/1\.[01] (\d{3})/.exec(got);
      const out: { status: number | null; body: string; error?: string } = { status: m ? Number(m[1]) : null, body: got.slice(0, 2000) };
      if (error) out.error = error;
      resolve(out);
    };
    s.setTimeout(2000, () => finish('timeout'));
    s.on('error', (e) => finish(e.message));
    s.on('data', (d) => {
      got += d.toString('latin1');
    });
    s.on('end', () => finish());
    s.on('close', () => finish());
    s.on('connect', () => {
      s.write(bytes);
      // half-close after a moment so short and truncated requests get an answer or a close
      setTimeout(() => s.end(), 300);
    });
  });
}

describe('REST fuzz', () => {
  const dir = tempDir('fuzz');
  let daemon: DaemonProcess;
  let apiPort = 0;

  beforeAll(async () => {
    requireBuilt();
    const p = await ports();
    apiPort = p.api;
    const media = join(dir, 'media');
    await makeMedia(media, 2);
    const camera = join(dir, 'neutral.mp4');
    await makeCamera(camera, 3, 0);
    const cfg = writeConfig({
      dir,
      camera: { backend: 'file', file: { path: camera, loop: true, pace: 'realtime' } },
      mediaDir: media,
      mqttUrl: 'embedded',
      ports: p,
      extra: {
        mqtt: { enabled: false },
        // the snapshot on, so its auth (bearer, basic, session cookie) is fuzzed too
        api: { host: '127.0.0.1', port: p.api, token: TOKEN, rateLimitPerMinute: 100_000, requestsPerMinute: 100_000, authFailuresPerMinute: 10_000, snapshot: true },
      },
    });
    daemon = new DaemonProcess(cfg, p.api);
    daemon.start();
    await daemon.ready();
  }, 120_000);

  afterAll(async () => {
    await daemon?.stop();
    rmSync(dir, { recursive: true, force: true });
  });

  it(`${REQUESTS} random and malformed requests: no 5xx, no crash, no change without the token`, async () => {
    const before = (await daemon.api('GET', '/api/status', undefined, null)).json as { state: { phase: string; since: number } };
    expect(before.state.phase).toBe('attract');

    const g = new Gen(seededRandom(SEED));
    const agent = new Agent({ keepAlive: true, maxSockets: CONCURRENCY });
    const outcomes: Outcome[] = [];
    const t0 = Date.now();
    let next = 0;
    const worker = async (): Promise<void> => {
      while (next < REQUESTS && Date.now() - t0 < TIME_BUDGET_MS) {
        next++;
        const path = g.path();
        if (g.chance(RAW_SHARE)) {
          const r = await rawOnce(apiPort, g.raw(path));
          outcomes.push({ method: 'RAW', path, auth: '', ...r });
          continue;
        }
        const method = g.pick(METHODS);
        const auth = g.auth();
        const headers = g.headers();
        if (auth !== undefined) headers.authorization = auth;
        const b = method === 'GET' || method === 'HEAD' ? (g.chance(0.1) ? g.body() : {}) : g.body();
        if (b.type !== undefined) headers['content-type'] = b.type;
        const r = await httpOnce(agent, apiPort, method, path, headers, b.data);
        outcomes.push({ method, path, auth: auth ?? '', ...r });
      }
    };
    await Promise.all(Array.from({ length: CONCURRENCY }, worker));
    agent.destroy();
    const ms = Date.now() - t0;

    const byStatus = new Map<string, number>();
    for (const o of outcomes) byStatus.set(String(o.status ?? o.error?.split(':')[0] ?? 'none'), (byStatus.get(String(o.status ?? o.error?.split(':')[0] ?? 'none')) ?? 0) + 1);
    // PF_FUZZ_DUMP=file writes every outcome, to study a failing seed (not POKERFACE_*: the daemon reads those as config)
    if (process.env.PF_FUZZ_DUMP) writeFileSync(process.env.PF_FUZZ_DUMP, JSON.stringify(outcomes.map((o) => ({ ...o, path: o.path.slice(0, 200), auth: o.auth.slice(0, 60) })), null, 1));
    console.log(`REST fuzz (seed ${SEED}): ${outcomes.length} requests in ${ms} ms; answers ${JSON.stringify(Object.fromEntries([...byStatus].sort()))}`);

    // no 5xx, except GET /api/health's 503 (its contract: unhealthy)
    const isHealth503 = (o: Outcome): boolean => o.status === 503 && o.body.includes('"healthy":false');
    const fiveXX = outcomes.filter((o) => o.status !== null && o.status >= 500 && !isHealth503(o));
    expect(fiveXX.slice(0, 5), `5xx answers: ${fiveXX.length}`).toEqual([]);
    // nothing succeeded without the token: no POST (nor any other changing method) got a 2xx/3xx
    const changed = outcomes.filter((o) => o.method !== 'RAW' && !['GET', 'HEAD', 'OPTIONS'].includes(o.method) && o.status !== null && o.status < 400);
    expect(changed.slice(0, 5)).toEqual([]);
    expect(outcomes.length).toBeGreaterThanOrEqual(Math.min(REQUESTS, 1000));
    // most requests get an HTTP answer; the rest are connections the server closed on
    // purpose (bodies over the limit, unparsable bytes) or HEAD /api/events (a stream)
    const answered = outcomes.filter((o) => o.status !== null).length;
    expect(answered).toBeGreaterThan(0.7 * outcomes.length);

    // HEAD of the event stream answers its headers at once (it used to hang and hold a stream slot)
    const headAgent = new Agent({ keepAlive: false });
    const head = await httpOnce(headAgent, apiPort, 'HEAD', '/api/events', {}, undefined);
    headAgent.destroy();
    expect(head.status).toBe(200);
    expect(outcomes.filter((o) => o.error === 'timeout' && o.method !== 'RAW')).toEqual([]);

    // no crash: the daemon runs and answers; no change: still attract, since the same moment
    expect(daemon.proc?.exitCode).toBeNull();
    const after = await daemon.api('GET', '/api/status', undefined, null);
    expect(after.status).toBe(200);
    const st = after.json as { state: { phase: string; since: number } };
    // (since is converted from monotonic to wall time on every call: a millisecond of jitter)
    expect({ ...st.state, since: 0 }).toEqual({ ...before.state, since: 0 });
    expect(Math.abs(st.state.since - before.state.since)).toBeLessThanOrEqual(5);
    const results = await daemon.api('GET', '/api/results', undefined, null);
    expect(results.status).toBe(200);
    expect(JSON.stringify(results.json)).not.toMatch(/"outcome"/);
    expect(daemon.logs.filter((l) => l.msg === 'REST handler failed')).toEqual([]);
    expect(daemon.logs.filter((l) => typeof l.msg === 'string' && /restart requested|game (round_start|phase)/.test(l.msg) && !(l.msg === 'game phase' && l.phase === 'attract'))).toEqual([]);
  }, 120_000);
});
