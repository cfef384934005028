// scripts/install-service.sh and the unit file, checked without a running systemd.
import { execFileSync, spawnSync } from 'node:child_process';
import { chmodSync, existsSync, mkdtempSync, mkdirSync, readFileSync, realpathSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { EXIT } from '../../../src/errors.js';
import { TIME_SCALE } from '../../time-scale.js';

const SCRIPT = 'scripts/install-service.sh';
const UNIT = readFileSync('systemd/pokerface.service', 'utf8');
/** what install-service.sh makes of this machine's hostname */
const hostId = (): string => execFileSync('sh', ['-c', 'hostname -s 2>/dev/null || hostname'], { encoding: 'utf8' }).trim().replace(/[^A-Za-z0-9_-]/g, '-').slice(0, 64);
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
    expect(out).toContain(`+ write ${dir}/etc/config.yaml (mode 0640, owner root:pokerface)`);
    expect(out).toContain(`wrote ${dir}/etc/config.yaml with boothId: ${hostId()}`);
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

  it('adds the keyboard drop-in (group input) only when the config uses keyboard buttons', () => {
    const gpio = dry(['--no-start']);
    expect(gpio).not.toContain('keyboard.conf');
    rmSync(dir, { recursive: true, force: true });
    for (const yaml of ['controls:\n  backends: [gpio, keyboard]\n', 'controls:\n  backends:\n    - keyboard\n']) {
      const kb = dry(['--no-start'], (d) => {
        mkdirSync(join(d, 'etc'));
        writeFileSync(join(d, 'etc', 'config.yaml'), yaml);
      });
      expect(kb).toContain(`/systemd/keyboard.conf ${dir}/systemd/pokerface.service.d/keyboard.conf`);
      rmSync(dir, { recursive: true, force: true });
    }
    // switched back to gpio: an earlier drop-in is removed
    const back = dry(['--no-start'], (d) => {
      mkdirSync(join(d, 'systemd', 'pokerface.service.d'), { recursive: true });
      writeFileSync(join(d, 'systemd', 'pokerface.service.d', 'keyboard.conf'), '');
    });
    expect(back).toContain(`+ rm -f ${dir}/systemd/pokerface.service.d/keyboard.conf`);
    expect(unitValues('SupplementaryGroups').join(' ')).not.toContain('input');
    expect(readFileSync('systemd/keyboard.conf', 'utf8')).toMatch(/^SupplementaryGroups=input$/m);
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

  it('refuses a node older than 22 (the unit would run it): exit 69 with the fix', () => {
    const old = mkdtempSync(join(tmpdir(), 'pokerface-oldnode-'));
    try {
      writeFileSync(join(old, 'node'), '#!/bin/sh\necho 20\n');
      chmodSync(join(old, 'node'), 0o755);
      const r = spawnSync('bash', [SCRIPT, '--dry-run'], { encoding: 'utf8', env: { ...process.env, PATH: `${old}:${process.env.PATH ?? ''}` } });
      expect(r.status).toBe(69);
      expect(r.stderr).toMatch(/needs Node >= 22 .*install-node\.sh/);
    } finally {
      rmSync(old, { recursive: true, force: true });
    }
  });

  it('rejects unknown options with 64', () => {
    const r = spawnSync('bash', [SCRIPT, '--bogus'], { encoding: 'utf8' });
    expect(r.status).toBe(64);
  });

  it('--booth-id: a topic-safe id, never the placeholder; written into a kept config only when given', () => {
    expect(dry(['--booth-id', 'hall-7'])).toContain(`wrote ${dir}/etc/config.yaml with boothId: hall-7`);
    rmSync(dir, { recursive: true, force: true });
    for (const bad of ['a/b', 'booth', 'demo', 'x'.repeat(65)]) {
      const r = spawnSync('bash', [SCRIPT, '--dry-run', '--booth-id', bad], { encoding: 'utf8' });
      expect(r.status, bad).toBe(64);
      expect(r.stderr).toContain('--booth-id');
    }
    const kept = dry(['--booth-id=hall-8', '--no-start'], (d) => {
      mkdirSync(join(d, 'etc'));
      writeFileSync(join(d, 'etc', 'config.yaml'), 'boothId: old\n');
    });
    expect(kept).toContain(`kept ${dir}/etc/config.yaml`);
    expect(kept).toContain(`+ write ${dir}/etc/config.yaml (mode 0640, owner root:pokerface)`);
    expect(kept).toContain('boothId: hall-8');
  });

  it.runIf(has('shellcheck'))('passes shellcheck', () => {
    const r = spawnSync('shellcheck', [SCRIPT, 'scripts/setup.sh', 'scripts/install-node.sh', ...['scripts/jetson', 'scripts/hil'].flatMap((d) => listSh(d))], { encoding: 'utf8' });
    expect(r.stdout + r.stderr).toBe('');
    expect(r.status).toBe(0);
  });
});

// A real run (not --dry-run) into temp folders, as root, with the commands that would
// change this machine (groupadd, useradd, userdel, systemctl) replaced by recorders on
// PATH and the current user standing in for the service user.
describe.runIf(process.getuid?.() === 0)('install-service.sh, real run with stubbed system commands', () => {
  let dir = '';
  afterEach(() => {
    if (dir) rmSync(dir, { recursive: true, force: true });
  });

  it('installs, is idempotent, and uninstalls', () => {
    dir = mkdtempSync(join(tmpdir(), 'pokerface-install-real-'));
    const stubs = join(dir, 'stubs');
    mkdirSync(stubs);
    const calls = join(dir, 'calls.log');
    for (const cmd of ['groupadd', 'useradd', 'userdel', 'systemctl', 'systemd-analyze']) {
      writeFileSync(join(stubs, cmd), `#!/bin/sh\necho "${cmd} $*" >> "${calls}"\n`);
      chmodSync(join(stubs, cmd), 0o755);
    }
    const env = {
      ...process.env,
      PATH: `${stubs}:${process.env.PATH ?? ''}`,
      POKERFACE_SVC_USER: 'root',
      POKERFACE_ASSUME_SYSTEMD: '1',
      POKERFACE_SYSTEMD_DIR: join(dir, 'systemd'),
      POKERFACE_ETC_DIR: join(dir, 'etc'),
      POKERFACE_STATE_DIR: join(dir, 'state'),
      POKERFACE_CACHE_DIR: join(dir, 'cache'),
      POKERFACE_TEGRA_RELEASE: join(dir, 'nv_tegra_release'),
    };
    mkdirSync(join(dir, 'systemd'));
    writeFileSync(join(dir, 'nv_tegra_release'), '# R36 (release)\n');
    const run = (...args: string[]): string => execFileSync('bash', [SCRIPT, '--app-dir', process.cwd(), ...args], { env, encoding: 'utf8', timeout: 20_000 * TIME_SCALE });
    run();
    const envFile = readFileSync(join(dir, 'etc', 'pokerface.env'), 'utf8');
    const token = /^POKERFACE_API_TOKEN=([0-9a-f]{48})$/m.exec(envFile)?.[1];
    expect(token).toBeDefined();
    expect(statSync(join(dir, 'etc', 'pokerface.env')).mode & 0o777).toBe(0o640);
    expect(readFileSync(join(dir, 'etc', 'config.yaml'), 'utf8')).toBe(readFileSync('config/default.yaml', 'utf8').replace(/^boothId: .*$/m, `boothId: ${hostId()}`));
    const unit = readFileSync(join(dir, 'systemd', 'pokerface.service'), 'utf8');
    // the node on PATH (resolved), which setup.sh made a maintained LTS, not the distribution's /usr/bin/node
    expect(unit).toContain(`ExecStart=${realpathSync(execFileSync('bash', ['-c', 'command -v node'], { env, encoding: 'utf8' }).trim())} ${process.cwd()}/bin/pokerface.js run --config /etc/pokerface/config.yaml`);
    expect(unit).not.toContain('/opt/pokerface');
    expect(existsSync(join(dir, 'systemd', 'pokerface.service.d', 'jetson.conf'))).toBe(true);
    for (const d of ['state', 'cache', 'cache/trt']) expect(statSync(join(dir, d)).isDirectory()).toBe(true);
    const log = (): string[] => readFileSync(calls, 'utf8').trim().split('\n');
    expect(log().filter((l) => l.startsWith('systemctl'))).toEqual(['systemctl daemon-reload', 'systemctl enable pokerface.service', 'systemctl restart pokerface.service']);
    expect(log().some((l) => l.startsWith('useradd'))).toBe(false); // the user exists

    writeFileSync(join(dir, 'etc', 'config.yaml'), 'boothId: edited\n');
    const again = run();
    expect(again).toContain('kept');
    expect(readFileSync(join(dir, 'etc', 'config.yaml'), 'utf8')).toBe('boothId: edited\n');
    expect(readFileSync(join(dir, 'etc', 'pokerface.env'), 'utf8')).toContain(token as string);

    run('--uninstall');
    expect(existsSync(join(dir, 'systemd', 'pokerface.service'))).toBe(false);
    expect(existsSync(join(dir, 'etc', 'config.yaml'))).toBe(true);
    run('--uninstall', '--purge');
    expect(existsSync(join(dir, 'etc'))).toBe(false);
    expect(log()).toContain('userdel root'); // the stub: purge removes the service user
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

  it('names no node binary a machine may lack: install-service.sh puts in the real one', () => {
    // `systemd-analyze verify` fails on a unit whose ExecStart binary is missing, and many
    // systems (the arm64 check's root, any with Node only in /usr/local/bin) have no /usr/bin/node
    expect(unitValues('ExecStart')).toEqual(['/usr/bin/env node /opt/pokerface/bin/pokerface.js run --config /etc/pokerface/config.yaml']);
  });

  it.runIf(has('systemd-analyze'))('passes systemd-analyze verify without a warning, alone and with the Jetson drop-in', () => {
    const r = spawnSync('systemd-analyze', ['verify', 'systemd/pokerface.service'], { encoding: 'utf8' });
    expect(r.stderr + r.stdout).toBe('');
    expect(r.status).toBe(0);
    const d = mkdtempSync(join(tmpdir(), 'pokerface-unit-'));
    try {
      mkdirSync(join(d, 'pokerface.service.d'));
      writeFileSync(join(d, 'pokerface.service'), UNIT);
      writeFileSync(join(d, 'pokerface.service.d', 'jetson.conf'), readFileSync('systemd/jetson.conf'));
      writeFileSync(join(d, 'pokerface.service.d', 'keyboard.conf'), readFileSync('systemd/keyboard.conf'));
      const j = spawnSync('systemd-analyze', ['verify', join(d, 'pokerface.service')], { encoding: 'utf8' });
      expect(j.stderr + j.stdout).toBe('');
      expect(j.status).toBe(0);
    } finally {
      rmSync(d, { recursive: true, force: true });
    }
  });
});

describe('systemd/pokerface.service hardening', () => {
  it('hides other processes, removes IPC, keeps mounts private, and leaves input to the keyboard drop-in', () => {
    expect(unitValues('ProtectProc')).toEqual(['invisible']);
    expect(unitValues('RemoveIPC')).toEqual(['yes']);
    expect(unitValues('PrivateMounts')).toEqual(['yes']);
    expect(unitValues('SupplementaryGroups')).toEqual(['video render gpio audio']);
  });

  // systemd >= 250 can rate a unit file that is not installed
  const offline = has('systemd-analyze') && spawnSync('systemd-analyze', ['security', '--offline=yes', 'systemd/pokerface.service'], { encoding: 'utf8' }).status === 0;
  it.runIf(offline)('systemd-analyze security --offline counts those settings as done', () => {
    const out = spawnSync('systemd-analyze', ['security', '--offline=yes', 'systemd/pokerface.service'], { encoding: 'utf8' }).stdout;
    for (const key of ['ProtectProc=', 'RemoveIPC=', 'PrivateMounts=']) {
      const line = out.split('\n').find((l) => l.includes(` ${key} `) || l.includes(`${key} `));
      expect(line, key).toMatch(/^✓/);
    }
  });
});

describe('scripts/jetson/build-onnxruntime.sh --dry-run', () => {
  it('pins a tag, applies our patch, builds CUDA + TensorRT + Node, installs and points the daemon at it', () => {
    const d = mkdtempSync(join(tmpdir(), 'pokerface-jetson-'));
    try {
      writeFileSync(join(d, 'env'), 'POKERFACE_API_TOKEN=x\n');
      const out = execFileSync('bash', ['scripts/jetson/build-onnxruntime.sh', '--dry-run', '--arch', '87', '--src', join(d, 'ort'), '--prefix', join(d, 'opt')], {
        env: { ...process.env, POKERFACE_ENV_FILE: join(d, 'env') },
        encoding: 'utf8',
      });
      expect(out).toContain(`+ git clone --depth 1 --branch v1.22.0 https://github.com/microsoft/onnxruntime.git ${d}/ort`);
      expect(out).toContain(`apply ${process.cwd()}/scripts/jetson/patches/onnxruntime-node-tensorrt-options.patch`);
      expect(out).toMatch(/build\.sh --config Release .*--use_cuda .*--use_tensorrt .*--build_nodejs .*CMAKE_CUDA_ARCHITECTURES=87/);
      expect(out).toContain(`check-tensorrt.js ${d}/opt/v1.22.0`);
      expect(out).toContain(`setting POKERFACE_MODEL_ONNXRUNTIMEPATH=${d}/opt/v1.22.0 in ${d}/env`);
    } finally {
      rmSync(d, { recursive: true, force: true });
    }
  });

  it('the patch is a well-formed git patch of the Node binding only', () => {
    const patch = readFileSync('scripts/jetson/patches/onnxruntime-node-tensorrt-options.patch', 'utf8');
    expect(patch.match(/^diff --git a\/(\S+)/gm)).toEqual(['diff --git a/js/node/src/session_options_helper.cc']);
    expect(patch).toContain('UpdateTensorRTProviderOptions');
    const r = spawnSync('git', ['apply', '--stat', 'scripts/jetson/patches/onnxruntime-node-tensorrt-options.patch'], { encoding: 'utf8' });
    expect(r.status).toBe(0);
    expect(r.stdout).toMatch(/42 insertions/);
  });
});
