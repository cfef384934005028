// The building blocks of the REST security controls: the one redaction function, the
// per-IP limiter, the Host check and the token policy.
import { describe, expect, it } from 'vitest';
import { parseConfig, ConfigError, redactConfig } from '../../../src/config/load.js';
import { configWarnings } from '../../../src/config/policy.js';
import { HostCheck, hostOf } from '../../../src/api/hosts.js';
import { IpLimiter } from '../../../src/api/limits.js';
import { redact, redactValue } from '../../../src/redact.js';
import { createLogger } from '../../../src/log.js';

describe('redact', () => {
  it('drops the user info of any URL and password-bearing properties', () => {
    const cases: Array<[string, string]> = [
      ['rtsp://admin:hunter2@10.0.0.5:554/stream1', 'hunter2'],
      ['failed: connect rtsp://admin:p%40ss@cam/x', 'p%40ss'],
      ['mqtt://u:brokerpw@broker:1883', 'brokerpw'],
      ['wss://user@host/path', 'user@'],
      ['rtspsrc location=rtsp://cam/x user-id=admin user-pw=hunter3 ! decodebin', 'hunter3'],
      ['souphttpsrc proxy-pw="my secret" ! x', 'my secret'],
      ['{"msg":"input http://a:b@c/d"}', 'a:b'],
    ];
    for (const [text, secret] of cases) expect(redact(text), text).not.toContain(secret);
    expect(redact('rtsp://admin:hunter2@10.0.0.5:554/s')).toBe('rtsp://[redacted]@10.0.0.5:554/s');
    expect(redact('plain text, a@b.c mail and x=1')).toBe('plain text, a@b.c mail and x=1');
  });

  it('walks structures and errors, and blanks secret keys', () => {
    const e = new Error('open rtsp://u:errpw@cam failed');
    const out = JSON.stringify(redactValue({ token: 'abc', nested: [{ url: 'mqtt://a:nestedpw@b' }], err: e }));
    expect(out).not.toContain('abc');
    expect(out).not.toContain('nestedpw');
    expect(out).not.toContain('errpw');
  });

  it('redacts URLs anywhere in the config, not only the known secret keys', () => {
    const cfg = parseConfig('camera:\n  backend: ffmpeg\n  ffmpeg:\n    input: rtsp://cam:campw@10.1.1.1/s\nmqtt:\n  url: mqtt://bob:mqttpw@broker:1883\n', 'x');
    const text = JSON.stringify(redactConfig(cfg));
    expect(text).not.toContain('campw');
    expect(text).not.toContain('mqttpw');
    expect(text).toContain('10.1.1.1');
  });
});

describe('log redaction', () => {
  it('redacts every finished line: message, fields, error stacks and child bindings', () => {
    const lines: string[] = [];
    const log = createLogger({ level: 'info', destination: { write: (s: string) => void lines.push(s) } });
    const child = log.child({ input: 'rtsp://u:childpw@cam/x' });
    child.warn({ err: new Error('connect rtsp://u:stackpw@cam failed'), pipeline: 'rtspsrc user-pw=fieldpw ! x' }, 'camera rtsp://u:msgpw@cam/x failed');
    const text = lines.join('');
    expect(text).toContain('cam/x failed');
    for (const s of ['childpw', 'stackpw', 'fieldpw', 'msgpw']) expect(text).not.toContain(s);
  });
});

describe('IpLimiter', () => {
  it('counts per IP in one-minute windows and forgets after the window', () => {
    let t = 0;
    const l = new IpLimiter(3, 60_000, () => t);
    expect([1, 2, 3, 4].map(() => l.hit('a').ok)).toEqual([true, true, true, false]);
    expect(l.hit('b').ok).toBe(true);
    expect(l.over('a').ok).toBe(false);
    expect(l.over('a').retryAfterMs).toBe(60_000);
    t = 60_000;
    expect(l.over('a').ok).toBe(true);
    expect(l.hit('a').ok).toBe(true);
  });

  it('tracks a bounded number of clients', () => {
    const l = new IpLimiter(1, 60_000, () => 0, 100);
    for (let i = 0; i < 1000; i++) l.hit(`10.0.${i >> 8}.${i & 255}`);
    expect(l.size).toBeLessThanOrEqual(100);
  });
});

describe('Host check', () => {
  const src = { hostname: () => 'booth7', addresses: () => ['127.0.0.1', '192.168.1.20', 'fe80::1'] };
  it('answers loopback, the machine\'s own addresses and name, and nothing else by default', () => {
    const h = new HostCheck([], () => 0, src);
    for (const ok of ['localhost:8080', '127.0.0.1', '[::1]:8080', 'booth7', 'BOOTH7.local:8080', '192.168.1.20:8080', '[fe80::1]:80', undefined]) expect(h.allows(ok), String(ok)).toBe(true);
    for (const bad of ['evil.example', 'evil.example:8080', '192.168.1.21', 'booth7.evil.example']) expect(h.allows(bad), bad).toBe(false);
  });
  it('uses the configured list alone, or anything with "*"', () => {
    expect(new HostCheck(['booth.example.org'], () => 0, src).allows('booth.example.org:443')).toBe(true);
    expect(new HostCheck(['booth.example.org'], () => 0, src).allows('localhost')).toBe(false);
    expect(new HostCheck(['*'], () => 0, src).allows('evil.example')).toBe(true);
    expect(hostOf('[::1]:8080')).toBe('::1');
  });
});

describe('token policy', () => {
  const issues = (yaml: string): string[] => {
    try {
      parseConfig(yaml, 'x.yaml');
      return [];
    } catch (e) {
      return (e as ConfigError).issues.map((i) => `${i.path}: ${i.message}`);
    }
  };
  it('wants 24 characters, and demo-token only in demo mode', () => {
    expect(issues('api:\n  token: a\n')[0]).toMatch(/^api\.token: must be at least 24/);
    expect(issues('api:\n  token: demo-token\n')[0]).toMatch(/^api\.token: "demo-token" is accepted only with demo: true/);
    expect(issues('demo: true\napi:\n  token: demo-token\n')).toEqual([]);
    expect(issues('api:\n  token: 0123456789abcdef01234567\n')).toEqual([]);
    expect(issues('api:\n  readToken: short\n')[0]).toMatch(/^api\.readToken/);
    expect(issues('api:\n  tls:\n    cert: /x.pem\n')[0]).toMatch(/^api\.tls: set both/);
    try {
      parseConfig('{}', 'x.yaml', { POKERFACE_API_TOKEN: 'short' });
      expect.unreachable();
    } catch (e) {
      expect((e as ConfigError).issues[0]?.source).toBe('env POKERFACE_API_TOKEN');
    }
  });
  it('warns about plain HTTP beyond loopback', () => {
    expect(configWarnings(parseConfig('api:\n  host: 0.0.0.0\n', 'x'))[0]).toMatch(/plain HTTP/);
    expect(configWarnings(parseConfig('{}', 'x'))).toEqual([]);
  });
});
