// The mosquitto configuration from docs/api.md ("Mosquitto for a fleet"), run as written
// against real mosquitto with the daemon's real MQTT client: anonymous and wrong-password
// clients cannot connect, only staff may send requests, oversized packets are refused by
// mosquitto (its memory measured), and the daemon's MQTT 5 maximumPacketSize keeps
// messages bigger than mqtt.maxPacketBytes away from it.
import { execFileSync } from 'node:child_process';
import { chmodSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import mqttLib from 'mqtt';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { parseConfig } from '../../../src/config/load.js';
import { systemClock } from '../../../src/clock.js';
import { silentLogger } from '../../../src/log.js';
import { MqttService } from '../../../src/api/mqtt.js';
import { staffServices } from '../../../src/api/services.js';
import { FakeBooth } from '../../unit/api/fakes.js';
import { Mosquitto, freePort, until } from '../api/brokers.js';
import { client, flood, loginOutcome, memoryOf } from './mqtt-wire.js';

const BOOTH = { username: 'sec', password: 'booth-password-0123456789' };
const STAFF = { username: 'staff', password: 'staff-password-0123456789' };
const VIEWER = { username: 'viewer', password: 'viewer-password-0123456789' };

/** the fenced block in docs/api.md whose first line is `first` */
function docsBlock(first: string): string[] {
  const text = readFileSync(new URL('../../../docs/api.md', import.meta.url), 'utf8');
  const blocks = [...text.matchAll(/```conf\n([\s\S]*?)```/g)].map((m) => (m[1] as string).split('\n'));
  const block = blocks.find((b) => b[0] === first);
  if (!block) throw new Error(`docs/api.md has no \`\`\`conf block starting with "${first}"`);
  return block;
}

const dir = mkdtempSync(join(tmpdir(), 'pokerface-mosq-sec-'));
const f = (n: string): string => join(dir, n);


describe('mosquitto configured as docs/api.md says', () => {
  let broker: Mosquitto;
  let svc: MqttService;
  const booth = new FakeBooth();
  const answers: string[] = [];
  let staff: mqttLib.MqttClient;

  beforeAll(async () => {
    chmodSync(dir, 0o755); // mosquitto started as root reads these as its own user
    execFileSync('mosquitto_passwd', ['-c', '-b', f('pokerface.passwd'), BOOTH.username, BOOTH.password]);
    for (const u of [STAFF, VIEWER]) execFileSync('mosquitto_passwd', ['-b', f('pokerface.passwd'), u.username, u.password]);
    writeFileSync(f('pokerface.acl'), docsBlock('# pokerface.acl').join('\n'));
    for (const n of ['pokerface.passwd', 'pokerface.acl']) chmodSync(f(n), 0o644);
    // the documented file, with this test's paths; the helper writes the listener line
    const conf = docsBlock('# mosquitto.conf (pokerface)')
      .filter((l) => !l.startsWith('listener '))
      .map((l) => l.replace('/etc/mosquitto/', `${dir}/`));
    expect(conf).toContain('allow_anonymous false');
    expect(conf.some((l) => l.startsWith('max_packet_size 65536'))).toBe(true);
    broker = new Mosquitto(await freePort(), false, conf);
    await broker.start();

    svc = new MqttService({
      // MQTT 5 (the default); the daemon accepts at most 4096-byte packets
      config: parseConfig(`boothId: sec\nmqtt:\n  url: ${broker.url}\n  username: ${BOOTH.username}\n  maxPacketBytes: 4096\n`, 'test', { POKERFACE_MQTT_PASSWORD: BOOTH.password }),
      log: silentLogger,
      clock: systemClock,
      services: staffServices({ booth }),
      requestExit: () => undefined,
    });
    await svc.start();
    await until(() => svc.status().connected, 10_000, 'daemon connected');
    staff = client(broker.port, { ...STAFF, clientId: 'staff-1' });
    expect(await loginOutcome(staff)).toBe('connected');
    staff.on('message', (_t, p) => answers.push(p.toString()));
    await staff.subscribeAsync('pokerface/sec/response/+', { qos: 1 });
  }, 60_000);

  afterAll(async () => {
    await staff?.endAsync(true);
    await svc?.stop();
    await broker?.dispose();
    rmSync(dir, { recursive: true, force: true });
  });

  it('refuses anonymous and wrong-password clients', async () => {
    const anon = client(broker.port);
    const wrong = client(broker.port, { username: STAFF.username, password: 'nope' });
    try {
      expect(await loginOutcome(anon)).toMatch(/Not authorized|Bad username/i);
      expect(await loginOutcome(wrong)).toMatch(/Not authorized|Bad username/i);
    } finally {
      anon.end(true);
      wrong.end(true);
    }
  });

  it('runs a staff request, and drops a viewer request (ACL)', async () => {
    const viewer = client(broker.port, { ...VIEWER, clientId: 'viewer-1' });
    try {
      expect(await loginOutcome(viewer)).toBe('connected');
      await viewer.publishAsync('pokerface/sec/request/stop', JSON.stringify({ transaction: 'from-viewer' }), { qos: 1 });
      await staff.publishAsync('pokerface/sec/request/start', JSON.stringify({ transaction: 'from-staff' }), { qos: 1 });
      await until(() => answers.some((a) => a.includes('from-staff')), 5000, 'staff answer');
      // in order on one subscription: had the viewer's request got through, its answer would be here by now
      expect(answers.some((a) => a.includes('from-viewer'))).toBe(false);
      expect(booth.calls).toEqual(['start {}']);
    } finally {
      await viewer.endAsync(true);
    }
  });

  it('keeps a message bigger than the daemon maximumPacketSize away from it (MQTT 5)', async () => {
    booth.calls.length = 0;
    // 8000 bytes: under mosquitto's 65536 and the daemon's 16 KiB request limit, over its
    // 4096-byte maxPacketBytes; had it arrived, the unknown field would be answered with an error
    const padded = JSON.stringify({ transaction: 'big', mode: 'funny', pad: 'x'.repeat(8000) });
    await staff.publishAsync('pokerface/sec/request/start', padded, { qos: 1 });
    await staff.publishAsync('pokerface/sec/request/stop', JSON.stringify({ transaction: 'after-big' }), { qos: 1 });
    await until(() => answers.some((a) => a.includes('after-big')), 5000, 'answer to the small request');
    expect(answers.some((a) => a.includes('"big"'))).toBe(false);
    expect(booth.calls).toEqual(['stop']);
    expect(svc.status().connected).toBe(true);
  });

  it('never runs a retained request (MQTT 5 retain-as-published)', async () => {
    booth.calls.length = 0;
    await staff.publishAsync('pokerface/sec/request/stop', JSON.stringify({ transaction: 'retained' }), { qos: 1, retain: true });
    await until(() => answers.some((a) => a.includes('"retained"')), 5000, 'answer to the retained request');
    expect(JSON.parse(answers.find((a) => a.includes('"retained"')) as string)).toMatchObject({ ok: false, code: 'POKERFACE_ERR_MQTT_BAD_REQUEST' });
    expect(booth.calls).toEqual([]);
    await staff.publishAsync('pokerface/sec/request/stop', '', { qos: 1, retain: true });
  });

  it('closes a client announcing a 250 MB packet before reading it (mosquitto RSS grows < 50 MB)', async () => {
    const pid = broker.pid as number;
    const before = memoryOf(pid);
    const anonymous = await flood(broker.port, 250 * 1024 * 1024);
    const loggedIn = await flood(broker.port, 250 * 1024 * 1024, STAFF);
    const after = memoryOf(pid);
    const growth = after.hwmMb - before.rssMb;
    console.log(`mosquitto oversized publish: sent ${(anonymous.sent / 1048576).toFixed(1)} MB / ${(loggedIn.sent / 1048576).toFixed(1)} MB before close; RSS ${before.rssMb.toFixed(1)} MB -> peak ${after.hwmMb.toFixed(1)} MB (growth ${growth.toFixed(1)} MB)`);
    expect(loggedIn.connack).toBe(0);
    expect(anonymous.closedByPeer && loggedIn.closedByPeer).toBe(true);
    expect(loggedIn.sent).toBeLessThan(250 * 1024 * 1024);
    expect(growth).toBeLessThan(50);
    expect(svc.status().connected).toBe(true);
  }, 60_000);
});
