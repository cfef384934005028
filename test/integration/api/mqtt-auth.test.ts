// Broker credentials (password from the environment) and TLS against mosquitto.
import { execFileSync } from 'node:child_process';
import { chmodSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { parseConfig } from '../../../src/config/load.js';
import { systemClock } from '../../../src/clock.js';
import { silentLogger } from '../../../src/log.js';
import { MqttService } from '../../../src/api/mqtt.js';
import { staffServices } from '../../../src/api/services.js';
import { Mosquitto, freePort, until } from './brokers.js';

const dir = mkdtempSync(join(tmpdir(), 'pokerface-mqtt-auth-'));
const f = (n: string): string => join(dir, n);

function service(yaml: string, env: NodeJS.ProcessEnv = {}): MqttService {
  return new MqttService({
    config: parseConfig(`boothId: sec\n${yaml}`, 'test', env),
    log: silentLogger,
    clock: systemClock,
    services: staffServices({}),
    requestExit: () => undefined,
  });
}

describe('MQTT credentials and TLS', () => {
  let plain: Mosquitto;
  let tls: Mosquitto;

  beforeAll(async () => {
    chmodSync(dir, 0o755); // mosquitto started as root reads these as its own user
    execFileSync('mosquitto_passwd', ['-c', '-b', f('passwd'), 'booth', 's3cret']);
    const ssl = (...args: string[]): void => void execFileSync('openssl', args, { stdio: 'ignore' });
    ssl('req', '-x509', '-newkey', 'rsa:2048', '-nodes', '-days', '2', '-subj', '/CN=test-ca', '-keyout', f('ca.key'), '-out', f('ca.crt'));
    ssl('req', '-newkey', 'rsa:2048', '-nodes', '-subj', '/CN=127.0.0.1', '-keyout', f('server.key'), '-out', f('server.csr'));
    writeFileSync(f('san.ext'), 'subjectAltName=IP:127.0.0.1\n');
    ssl('x509', '-req', '-in', f('server.csr'), '-CA', f('ca.crt'), '-CAkey', f('ca.key'), '-CAcreateserial', '-days', '2', '-extfile', f('san.ext'), '-out', f('server.crt'));
    plain = new Mosquitto(await freePort(), false, ['allow_anonymous false', `password_file ${f('passwd')}`]);
    tls = new Mosquitto(await freePort(), false, ['allow_anonymous true', `cafile ${f('ca.crt')}`, `certfile ${f('server.crt')}`, `keyfile ${f('server.key')}`]);
    for (const n of ['passwd', 'ca.crt', 'server.crt', 'server.key']) chmodSync(f(n), 0o644);
    await Promise.all([plain.start(), tls.start()]);
  }, 60_000);

  afterAll(async () => {
    await plain?.dispose();
    await tls?.dispose();
    rmSync(dir, { recursive: true, force: true });
  });

  it('logs in with the password from POKERFACE_MQTT_PASSWORD, and reports a refused login as unhealthy', async () => {
    const yaml = `mqtt:\n  url: ${plain.url}\n  username: booth\n  reconnectMinMs: 100\n`;
    const good = service(yaml, { POKERFACE_MQTT_PASSWORD: 's3cret' });
    const bad = service(yaml, { POKERFACE_MQTT_PASSWORD: 'wrong' });
    try {
      await good.start();
      await bad.start();
      await until(() => good.status().connected, 5000, 'login');
      await until(() => bad.health().reasons.join().includes('Not authorized') || bad.health().reasons.join().includes('Bad username'), 5000, 'refusal');
      expect(bad.status().connected).toBe(false);
    } finally {
      await good.stop();
      await bad.stop();
    }
  });

  it('connects over TLS with the configured CA, and refuses a broker it cannot verify', async () => {
    const ok = service(`mqtt:\n  url: mqtts://127.0.0.1:${tls.port}\n  tls:\n    ca: ${f('ca.crt')}\n`);
    const untrusted = service(`mqtt:\n  url: mqtts://127.0.0.1:${tls.port}\n  reconnectMinMs: 100\n`);
    try {
      await ok.start();
      await untrusted.start();
      await until(() => ok.status().connected, 5000, 'TLS connect');
      await until(() => untrusted.health().reasons.join().includes('certificate'), 5000, 'TLS refusal');
      expect(untrusted.status().connected).toBe(false);
    } finally {
      await ok.stop();
      await untrusted.stop();
    }
  });

  it('fails to start with a clear code when a TLS file is missing', async () => {
    const s = service(`mqtt:\n  url: mqtts://127.0.0.1:1\n  tls:\n    ca: ${f('missing.crt')}\n`);
    await expect(s.start()).rejects.toMatchObject({ code: 'POKERFACE_ERR_MQTT_TLS_FILE' });
    await s.stop();
  });
});
