// Just enough of a tar reader to take files out of an npm tarball (.tgz): ustar headers,
// the ustar name prefix, pax extended headers ('x', for long paths) and GNU long names
// ('L'). Regular files only; everything else is skipped.
import { gunzipSync } from 'node:zlib';

const BLOCK = 512;

export interface TarEntry {
  path: string;
  data: Uint8Array;
}

function text(buf: Uint8Array, start: number, len: number): string {
  const slice = buf.subarray(start, start + len);
  const nul = slice.indexOf(0);
  return Buffer.from(nul === -1 ? slice : slice.subarray(0, nul)).toString('utf8');
}

function octal(buf: Uint8Array, start: number, len: number): number {
  const first = buf[start] ?? 0;
  if (first & 0x80) {
    // base-256 (GNU) for sizes over 8 GiB; nothing in an npm tarball, but be exact
    let v = first & 0x7f;
    for (let i = 1; i < len; i++) v = v * 256 + (buf[start + i] ?? 0);
    return v;
  }
  const s = text(buf, start, len).trim();
  if (s === '') return 0;
  if (!/^[0-7]+$/.test(s)) throw new Error(`tar: bad octal field "${s}"`);
  return parseInt(s, 8);
}

function checksumOk(header: Uint8Array): boolean {
  let sum = 0;
  for (let i = 0; i < BLOCK; i++) sum += i >= 148 && i < 156 ? 0x20 : (header[i] ?? 0);
  return sum === octal(header, 148, 8);
}

function paxPath(data: Uint8Array): string | undefined {
  // records: "<len> <key>=<value>\n"
  let pos = 0;
  let path: string | undefined;
  while (pos < data.length) {
    const space = data.indexOf(0x20, pos);
    if (space === -1) break;
    const len = parseInt(Buffer.from(data.subarray(pos, space)).toString('ascii'), 10);
    if (!Number.isFinite(len) || len <= 0) break;
    const rec = Buffer.from(data.subarray(space + 1, pos + len - 1)).toString('utf8');
    const eq = rec.indexOf('=');
    if (eq !== -1 && rec.slice(0, eq) === 'path') path = rec.slice(eq + 1);
    pos += len;
  }
  return path;
}

/** Lists the regular files of an uncompressed tar archive. */
export function readTar(tar: Uint8Array): TarEntry[] {
  const out: TarEntry[] = [];
  let pos = 0;
  let longName: string | undefined;
  while (pos + BLOCK <= tar.length) {
    const header = tar.subarray(pos, pos + BLOCK);
    if (header.every((b) => b === 0)) break; // end-of-archive marker
    if (!checksumOk(header)) throw new Error(`tar: bad header checksum at byte ${pos}`);
    const size = octal(header, 124, 12);
    const type = String.fromCharCode(header[156] ?? 0);
    const dataStart = pos + BLOCK;
    if (dataStart + size > tar.length) throw new Error(`tar: entry at byte ${pos} runs past the end of the archive`);
    const data = tar.subarray(dataStart, dataStart + size);
    pos = dataStart + Math.ceil(size / BLOCK) * BLOCK;

    if (type === 'x') {
      longName = paxPath(data) ?? longName;
      continue;
    }
    if (type === 'L') {
      longName = text(data, 0, data.length);
      continue;
    }
    if (type === 'g') continue;
    const magic = text(header, 257, 6);
    const prefix = magic.startsWith('ustar') ? text(header, 345, 155) : '';
    const name = longName ?? (prefix ? `${prefix}/${text(header, 0, 100)}` : text(header, 0, 100));
    longName = undefined;
    if (type === '0' || type === '\0' || type === '7') out.push({ path: name, data });
  }
  return out;
}

/** Lists the regular files of a gzip-compressed tar archive. */
export function readTgz(tgz: Uint8Array): TarEntry[] {
  return readTar(gunzipSync(tgz));
}
