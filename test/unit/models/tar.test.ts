import { execFileSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { gzipSync } from 'node:zlib';
import { afterAll, describe, expect, it } from 'vitest';
import { extractTgzFile, readTar, readTgz } from '../../../src/infer/convert/tar.js';

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
  it.each(['ustar', 'pax', 'gnu'])('reads %s archives made by GNU tar, including long paths', (format) => {
    const out = join(dir, `${format}.tgz`);
    execFileSync('tar', ['-czf', out, `--format=${format}`, '-C', dir, 'package']);
    const files = new Map(readTgz(readFileSync(out)).map((e) => [e.path, e.data]));
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

  it('rejects a damaged header and a truncated archive', () => {
    const out = join(dir, 'x.tar');
    execFileSync('tar', ['-cf', out, '--format=ustar', '-C', dir, 'package/ONNX/a.onnx']);
    const tar = new Uint8Array(readFileSync(out));
    const damaged = tar.slice();
    damaged[10] = (damaged[10] ?? 0) ^ 0xff;
    expect(() => readTar(damaged)).toThrow(/checksum/);
    expect(() => readTar(tar.subarray(0, 1024))).toThrow(/past the end/);
    const gz = gzipSync(tar);
    expect(() => readTgz(gz.subarray(0, gz.length >> 1))).toThrow();
  });
});
