// The selftest's MQTT probe logs in to a real password-protected mosquitto with the
// credentials in 0600 options files, never on the command line.
import { execFileSync, spawn } from 'node:child_process';
import { chmodSync, existsSync, mkdtempSync, readFileSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { mosquittoProbe, type BrokerAddress } from '../../../src/ops/selftest/mqtt-probe.js';
import { Mosquitto, freePort } from '../api/brokers.js';

const PASSWORD = 'probe password with spaces 0123';
const dir = mkdtempSync(join(tmpdir(), 'pokerface-probe-'));

describe('selftest MQTT probe credentials', () => {
  let broker: Mosquitto;
  beforeAll(async () => {
    chmodSync(dir, 0o755);
    execFileSync('mosquitto_passwd', ['-c', '-b', join(dir, 'passwd'), 'staff', PASSWORD]);
    chmodSync(join(dir, 'passwd'), 0o644);
    broker = new Mosquitto(await freePort(), false, ['allow_anonymous false', `password_file ${join(dir, 'passwd')}`]);
    await broker.start();
  }, 30_000);
  afterAll(async () => {
    await broker?.dispose();
    rmSync(dir, { recursive: true, force: true });
  });

  it('passes the login through a 0600 file in a 0700 folder, removed afterwards', async () => {
    const seen: Array<{ cmd: string; args: string[]; folder: string; folderMode: number; fileMode: number; file: string }> = [];
    const probe = mosquittoProbe((cmd, args, env) => {
      const folder = env.XDG_CONFIG_HOME ?? '';
      const file = join(folder, cmd);
      seen.push({ cmd, args, folder, folderMode: statSync(folder).mode & 0o777, fileMode: statSync(file).mode & 0o777, file: readFileSync(file, 'utf8') });
      return spawn(cmd, args, { stdio: ['ignore', 'pipe', 'pipe'], env });
    });
    const addr: BrokerAddress = { host: '127.0.0.1', port: broker.port, tls: false, username: 'staff', password: PASSWORD, ca: '', cert: '', key: '', rejectUnauthorized: true };
    const reply = await probe.roundTrip(addr, 'probe/echo', '{"transaction":"p1"}', 'probe/echo', 5000);
    expect(reply).toContain('p1');
    expect(seen.map((s) => s.cmd)).toContain('mosquitto_sub');
    expect(seen.map((s) => s.cmd)).toContain('mosquitto_pub');
    for (const s of seen) {
      expect(s.args.join(' ')).not.toContain(PASSWORD);
      expect(s.args).not.toContain('-P');
      expect(s.folderMode).toBe(0o700);
      expect(s.fileMode).toBe(0o600);
      expect(s.file).toBe(`-u staff\n-P ${PASSWORD}\n`);
    }
    expect(existsSync(seen[0]?.folder ?? '/')).toBe(false);
  });

  it('is refused without the right password (so the file is what logged it in)', async () => {
    const probe = mosquittoProbe();
    const addr: BrokerAddress = { host: '127.0.0.1', port: broker.port, tls: false, username: 'staff', password: 'wrong', ca: '', cert: '', key: '', rejectUnauthorized: true };
    await expect(probe.roundTrip(addr, 'probe/echo', 'x', 'probe/echo', 2000)).rejects.toThrow(/not authori[sz]ed|refused/i);
  });
});
