// scripts/install-service.sh and the unit file, checked without a running systemd.
import { execFileSync, spawnSync } from 'node:child_process';
import { mkdtempSync, mkdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { EXIT } from '../../../src/errors.js';

const SCRIPT = 'scripts/install-service.sh';
const UNIT = readFileSync('systemd/pokerface.service', 'utf8');
const has = (cmd: string): boolean => spawnSync('sh', ['-c', `command -v ${cmd}`]).status === 0;

function unitValues(key: string): string[] {
  return UNIT.split('\n')
    .filter((l) => l.startsWith(`${key}=`))
    .map((l) => l.slice(key.length + 1));
}

describe('install-service.sh --dry-run', () => {
  let dir = '';
  afterEach(() => {
    if (dir) rmSync(dir, { recursive: true, force: true });
  });

  function dry(args: string[], setup?: (d: string) => void): string {
    dir = mkdtempSync(join(tmpdir(), 'pokerface-install-'));
    const env = {
      ...process.env,
      POKERFACE_SYSTEMD_DIR: join(dir, 'systemd'),
      POKERFACE_ETC_DIR: join(dir, 'etc'),
      POKERFACE_STATE_DIR: join(dir, 'state'),
      POKERFACE_CACHE_DIR: join(dir, 'cache'),
      POKERFACE_TEGRA_RELEASE: join(dir, 'nv_tegra_release'),
    };
    setup?.(dir);
    return execFileSync('bash', [SCRIPT, '--dry-run', ...args], { env, encoding: 'utf8' });
  }

  it('prints every install action and changes nothing', () => {
    const out = dry([]);
    expect(out).toMatch(/^\+ useradd --system --user-group .* pokerface$|user pokerface exists/m);
    expect(out).toContain(`+ install -d -m 0750 -o root -g pokerface ${dir}/etc`);
    expect(out).toContain(`+ install -m 0640 -o root -g pokerface ${process.cwd()}/config/default.yaml ${dir}/etc/config.yaml`);
    expect(out).toContain(`+ write ${dir}/etc/pokerface.env (mode 0640, owner root:pokerface)`);
    expect(out).toContain(`+ write ${dir}/systemd/pokerface.service (mode 0644, owner root:root)`);
    expect(out).not.toContain('jetson.conf');
    const tail = out.split('\n').filter((l) => l.startsWith('+ systemctl'));
    expect(tail).toEqual(['+ systemctl daemon-reload', '+ systemctl enable pokerface.service', '+ systemctl restart pokerface.service']);
    expect(() => readFileSync(join(dir, 'etc', 'pokerface.env'))).toThrow();
  });

  it('is idempotent: existing config and secrets are kept; Jetson gets its drop-in', () => {
    const out = dry(['--no-start'], (d) => {
      mkdirSync(join(d, 'etc'));
      writeFileSync(join(d, 'etc', 'config.yaml'), 'boothId: x\n');
      writeFileSync(join(d, 'etc', 'pokerface.env'), 'POKERFACE_API_TOKEN=t\n');
      writeFileSync(join(d, 'nv_tegra_release'), '# R35 (release), REVISION: 4.1\n');
    });
    expect(out).toContain(`kept ${dir}/etc/config.yaml`);
    expect(out).toContain(`kept ${dir}/etc/pokerface.env`);
    expect(out).toContain(`/systemd/jetson.conf ${dir}/systemd/pokerface.service.d/jetson.conf`);
    expect(out).not.toContain('systemctl restart');
    expect(out).toContain('+ systemctl enable pokerface.service');
  });

  it('--uninstall disables and removes the unit, keeps data unless --purge', () => {
    const keep = dry(['--uninstall']);
    expect(keep).toContain('+ systemctl disable --now pokerface.service');
    expect(keep).toContain(`+ rm -f ${dir}/systemd/pokerface.service`);
    expect(keep).not.toContain('rm -rf ' + dir + '/etc');
    rmSync(dir, { recursive: true, force: true });
    const purge = dry(['--uninstall', '--purge']);
    expect(purge).toContain(`+ rm -rf ${dir}/etc ${dir}/state ${dir}/cache`);
  });

  it('rejects unknown options with 64', () => {
    const r = spawnSync('bash', [SCRIPT, '--bogus'], { encoding: 'utf8' });
    expect(r.status).toBe(64);
  });

  it.runIf(has('shellcheck'))('passes shellcheck', () => {
    const r = spawnSync('shellcheck', [SCRIPT, ...['scripts/jetson', 'scripts/hil'].flatMap((d) => listSh(d))], { encoding: 'utf8' });
    expect(r.stdout + r.stderr).toBe('');
    expect(r.status).toBe(0);
  });
});

function listSh(d: string): string[] {
  const r = spawnSync('sh', ['-c', `ls ${d}/*.sh 2>/dev/null`], { encoding: 'utf8' });
  return r.stdout.split('\n').filter(Boolean);
}

describe('systemd/pokerface.service', () => {
  it('is a notify service with a watchdog that restarts, except on unfixable exits', () => {
    expect(unitValues('Type')).toEqual(['notify']);
    expect(unitValues('NotifyAccess')).toEqual(['main']);
    expect(unitValues('WatchdogSec')).toHaveLength(1);
    expect(unitValues('Restart')).toEqual(['always']);
    const prevent = (unitValues('RestartPreventExitStatus')[0] ?? '').split(' ').map(Number);
    expect(prevent).toEqual(expect.arrayContaining([EXIT.CONFIG, EXIT.DATAERR, EXIT.NOINPUT]));
    expect(prevent).not.toContain(EXIT.TEMPFAIL);
    expect(unitValues('RestartForceExitStatus')).toEqual([String(EXIT.TEMPFAIL)]);
    expect(unitValues('Environment')).toContain('OPENCV4NODEJS_DISABLE_AUTOBUILD=1');
    expect(unitValues('RuntimeDirectory')).toEqual(['pokerface']);
    expect(unitValues('ProtectSystem')).toEqual(['strict']);
    expect(unitValues('StandardOutput')).toEqual(['journal']);
  });

  it.runIf(has('systemd-analyze'))('passes systemd-analyze verify without a warning', () => {
    const r = spawnSync('systemd-analyze', ['verify', 'systemd/pokerface.service'], { encoding: 'utf8' });
    expect(r.stderr + r.stdout).toBe('');
    expect(r.status).toBe(0);
  });
});
