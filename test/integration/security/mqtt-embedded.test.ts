// The embedded broker's controls, against the real broker (aedes) and the daemon's real
// MQTT client in a child process: logins, the staff-only request topics, the packet size
// limit (measured on the child's memory), audit lines, and the loopback rule.
import { spawn, type ChildProcess } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ConfigError, parseConfig } from '../../../src/config/load.js';
import { EmbeddedBroker } from '../../../src/api/broker.js';
import { silentLogger } from '../../../src/log.js';
import { isPokerfaceError } from '../../../src/errors.js';
import { until } from '../api/brokers.js';
import { client, flood, loginOutcome, memoryOf } from './mqtt-wire.js';

const STAFF = { username: 'staff', password: 'staff-password-0123456789' };
const VIEWER = { username: 'viewer', password: 'viewer-password-0123456789' };

interface Child {
  proc: ChildProcess;
  port: number;
  lines: Array<Record<string, unknown>>;
}

async function startChild(yaml: string): Promise<Child> {
  const proc = spawn(process.execPath, ['--import', 'tsx', fileURLToPath(new URL('../api/broker-child.ts', import.meta.url))], {
    env: { ...process.env, POKERFACE_TEST_CONFIG: yaml },
    stdio: ['ignore', 'pipe', 'inherit'],
  });
  const lines: Array<Record<string, unknown>> = [];
  let buf = '';
  let port = 0;
  proc.stdout?.on('data', (d: Buffer) => {
    buf += d.toString();
    let i: number;
    while ((i = buf.indexOf('\n')) >= 0) {
      const line = buf.slice(0, i);
      buf = buf.slice(i + 1);
      try {
        const o = JSON.parse(line) as Record<string, unknown>;
        if (o.ready === true) port = o.port as number;
        else lines.push(o);
      } catch {
        // not a log line
      }
    }
  });
  await until(() => port > 0 || proc.exitCode !== null, 30_000, 'broker child ready');
  if (port === 0) throw new Error(`broker child exited ${proc.exitCode}`);
  return { proc, port, lines };
}

async function stopChild(c: Child | undefined): Promise<void> {
  if (!c || c.proc.exitCode !== null) return;
  const exited = new Promise<void>((r) => c.proc.once('exit', () => r()));
  c.proc.kill('SIGTERM');
  await exited;
}


const yaml = [
  'boothId: sec',
  'mqtt:',
  '  url: embedded',
  '  embeddedHost: 127.0.0.1',
  '  embeddedPort: 0',
  `  username: ${STAFF.username}`,
  `  password: ${STAFF.password}`,
  `  embeddedViewerUsername: ${VIEWER.username}`,
  `  embeddedViewerPassword: ${VIEWER.password}`,
  '  maxPacketBytes: 65536',
].join('\n');

describe('embedded broker security', () => {
  let child: Child | undefined;
  beforeAll(async () => {
    child = await startChild(yaml);
  }, 60_000);
  afterAll(async () => stopChild(child));

  it('refuses anonymous and wrong-password logins', async () => {
    const port = (child as Child).port;
    const anon = client(port);
    const wrong = client(port, { username: STAFF.username, password: 'not-the-password' });
    try {
      expect(await loginOutcome(anon)).toMatch(/Not authorized/i);
      expect(await loginOutcome(wrong)).toMatch(/Bad username or password/i);
    } finally {
      anon.end(true);
      wrong.end(true);
    }
  });

  it('lets a viewer read but not publish requests; staff requests run and are audited with the client id', async () => {
    const c = child as Child;
    const viewer = client(c.port, { ...VIEWER, clientId: 'dashboard-ro' });
    const staff = client(c.port, { ...STAFF, clientId: 'staff-console-1' });
    try {
      expect(await loginOutcome(viewer)).toBe('connected');
      expect(await loginOutcome(staff)).toBe('connected');
      const answers: string[] = [];
      viewer.on('message', (_t, p) => answers.push(p.toString()));
      await viewer.subscribeAsync('pokerface/sec/response/+', { qos: 1 });

      // the viewer's request closes its connection and never reaches the daemon
      const viewerClosed = new Promise<void>((r) => viewer.once('close', () => r()));
      viewer.publish('pokerface/sec/request/stop', JSON.stringify({ transaction: 'from-viewer' }), { qos: 1 });
      await viewerClosed;
      await until(() => c.lines.some((l) => l.msg === 'embedded broker refused a publish: only the staff login may publish under the booth prefix'), 5000, 'refusal logged');
      const refusal = c.lines.find((l) => l.audit === true && l.outcome === 'refused');
      expect(refusal).toMatchObject({ action: 'stop', via: 'broker', who: 'dashboard-ro' });

      // staff: runs, answers, and the audit line names the client id
      const staffAnswers: string[] = [];
      staff.on('message', (_t, p) => staffAnswers.push(p.toString()));
      await staff.subscribeAsync('pokerface/sec/response/+', { qos: 1 });
      await staff.publishAsync('pokerface/sec/request/button', JSON.stringify({ transaction: 'from-staff', name: 'funny' }), { qos: 1 });
      await until(() => staffAnswers.some((a) => a.includes('from-staff')), 5000, 'staff answer');
      expect(JSON.parse(staffAnswers.find((a) => a.includes('from-staff')) as string)).toMatchObject({ ok: true });
      await until(() => c.lines.some((l) => l.audit === true && l.via === 'mqtt'), 5000, 'audit line');
      expect(c.lines.find((l) => l.audit === true && l.via === 'mqtt')).toMatchObject({ action: 'button', who: 'staff-console-1', button: 'funny', ok: true, transaction: 'from-staff' });
      expect(answers.some((a) => a.includes('from-viewer'))).toBe(false);
      expect(staffAnswers.some((a) => a.includes('from-viewer'))).toBe(false);
    } finally {
      viewer.end(true);
      await staff.endAsync(true);
    }
  });

  it('closes a connection announcing a 250 MB packet before buffering it (child RSS grows < 50 MB)', async () => {
    const c = child as Child;
    const pid = c.proc.pid as number;
    const before = memoryOf(pid);
    // before any login (the first packet), and after a valid staff login
    const anonymous = await flood(c.port, 250 * 1024 * 1024);
    const loggedIn = await flood(c.port, 250 * 1024 * 1024, STAFF);
    const after = memoryOf(pid);
    const growth = after.hwmMb - before.rssMb;
    // the figure for docs/api.md "Security"
    console.log(`oversized publish: sent ${(anonymous.sent / 1048576).toFixed(1)} MB / ${(loggedIn.sent / 1048576).toFixed(1)} MB before close; child RSS ${before.rssMb.toFixed(1)} MB -> peak ${after.hwmMb.toFixed(1)} MB (growth ${growth.toFixed(1)} MB)`);
    expect(loggedIn.connack).toBe(0);
    expect(anonymous.closedByPeer).toBe(true);
    expect(loggedIn.closedByPeer).toBe(true);
    expect(anonymous.sent).toBeLessThan(250 * 1024 * 1024);
    expect(loggedIn.sent).toBeLessThan(250 * 1024 * 1024);
    expect(growth).toBeLessThan(50);
    // logged (at most one line a second, so the second close may be held back and counted)
    await until(() => c.lines.some((l) => l.msg === 'embedded broker closed a connection: packet too large'), 5000, 'close logged');
  }, 60_000);
});

describe('embedded broker bind address', () => {
  it('is a config error (exit 78) to listen off loopback without a password', () => {
    let err: unknown;
    try {
      parseConfig('mqtt:\n  url: embedded\n  embeddedHost: 0.0.0.0\n', 'test');
    } catch (e) {
      err = e;
    }
    expect(err).toBeInstanceOf(ConfigError);
    expect((err as ConfigError).exitCode).toBe(78);
    expect((err as ConfigError).issues.map((i) => i.path)).toEqual(['mqtt.password']);
    expect((err as ConfigError).issues[0]?.message).toContain('off loopback');
    // with a staff login it is accepted
    expect(() => parseConfig(`mqtt:\n  url: embedded\n  embeddedHost: 0.0.0.0\n  username: staff\n`, 'test', { POKERFACE_MQTT_PASSWORD: STAFF.password })).not.toThrow();
  });

  it('the broker itself refuses to start off loopback without a login', async () => {
    const b = new EmbeddedBroker({ host: '0.0.0.0', port: 0, log: silentLogger });
    let err: unknown;
    try {
      await b.start();
    } catch (e) {
      err = e;
    } finally {
      await b.stop();
    }
    expect(isPokerfaceError(err, 'POKERFACE_ERR_BROKER_INSECURE')).toBe(true);
    expect((err as { exitCode: number }).exitCode).toBe(78);
  });
});
