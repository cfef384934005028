// scripts/install-node.sh for real: Node 24 and npm 11 from the npm registry into temp
// folders, on a PATH that has no node at all and then on one whose node is too old.
import { execFileSync, spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, mkdirSync, rmSync, symlinkSync, writeFileSync, chmodSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';

const SCRIPT = join(process.cwd(), 'scripts/install-node.sh');
// Only what the script may use: no node, no npm.
const TOOLS = ['bash', 'sh', 'curl', 'python3', 'tar', 'gzip', 'mktemp', 'rm', 'mkdir', 'mv', 'chmod', 'ln', 'id', 'uname', 'readlink', 'dirname', 'cat', 'env'];

function which(cmd: string): string {
  for (const d of ['/usr/bin', '/bin', '/usr/local/bin']) if (existsSync(join(d, cmd))) return join(d, cmd);
  throw new Error(`${cmd} not found`);
}

describe('install-node.sh', () => {
  const dir = mkdtempSync(join(tmpdir(), 'pokerface-node-'));
  afterAll(() => rmSync(dir, { recursive: true, force: true }));
  const tools = join(dir, 'tools');
  mkdirSync(tools);
  for (const t of TOOLS) symlinkSync(which(t), join(tools, t));
  const env = {
    HOME: dir,
    POKERFACE_NODE_PREFIX: join(dir, 'lib'),
    POKERFACE_NODE_BIN: join(dir, 'bin'),
    ...(process.env.npm_config_registry ? { npm_config_registry: process.env.npm_config_registry } : {}),
  };

  it('installs Node 24 and npm 11 where no node is installed, checked against the registry sha512', () => {
    const r = spawnSync(join(tools, 'bash'), [SCRIPT], { env: { ...env, PATH: tools }, encoding: 'utf8', timeout: 240_000 });
    expect(r.stderr + r.stdout).toMatch(/installed node v24\.\d+\.\d+ and npm 11\./);
    expect(r.status).toBe(0);
    const node = join(dir, 'bin', 'node');
    expect(execFileSync(node, ['--version'], { encoding: 'utf8' })).toMatch(/^v24\./);
    expect(execFileSync(node, [join(dir, 'bin', 'npm'), '--version'], { encoding: 'utf8' })).toMatch(/^11\./);
    // headers for native addons (setup.sh points npm_config_nodedir here)
    const prefix = execFileSync(join(tools, 'readlink'), ['-f', node], { encoding: 'utf8' }).trim().replace(/\/bin\/node$/, '');
    expect(existsSync(join(prefix, 'include', 'node', 'node.h'))).toBe(true);
  }, 300_000);

  it('is a no-op once a maintained LTS is first on PATH', () => {
    const r = spawnSync(join(tools, 'bash'), [SCRIPT], { env: { ...env, PATH: `${join(dir, 'bin')}:${tools}` }, encoding: 'utf8', timeout: 60_000 });
    expect(r.status).toBe(0);
    expect(r.stdout).toMatch(/node v24\.\S+ is a maintained LTS; nothing to install/);
  });

  it('replaces a node that is past its end of life (20)', () => {
    const old = join(dir, 'old');
    mkdirSync(old);
    writeFileSync(join(old, 'node'), '#!/bin/sh\necho 20\n');
    chmodSync(join(old, 'node'), 0o755);
    const r = spawnSync(join(tools, 'bash'), [SCRIPT], { env: { ...env, PATH: `${old}:${tools}` }, encoding: 'utf8', timeout: 240_000 });
    expect(r.status).toBe(0);
    // the Node 24 already in the prefix is reused, only the links are renewed
    expect(r.stdout).toMatch(/node 20 \(found\) is older than wanted/);
    expect(r.stdout).not.toMatch(/downloading node-linux/);
  }, 300_000);
});
