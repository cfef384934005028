// Just enough of a tar reader to take files out of an npm tarball (.tgz): ustar headers,
// the ustar name prefix, pax extended headers ('x', for long paths) and GNU long names
// ('L'). Regular files only; everything else is skipped. It parses a stream chunk by
// chunk and keeps only the files asked for, so a large tarball (the 145 MB
// human-models one) never has to be held in memory whole.
import { createReadStream } from 'node:fs';
import { createGunzip, gunzipSync } from 'node:zlib';

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

interface Body {
  type: string;
  name: string;
  size: number;
  /** bytes still to read, padding included */
  left: number;
  /** collected chunks, or null when the body is skipped */
  chunks: Buffer[] | null;
  got: number;
}

/** Incremental tar parser: push() chunks in order, then end(). */
export class TarParser {
  private pending: Buffer = Buffer.alloc(0);
  private body: Body | null = null;
  private longName: string | undefined;
  private offset = 0;
  private done = false;
  readonly entries: TarEntry[] = [];

  /** `want` picks the regular files to keep (all by default). */
  constructor(private readonly want: (path: string) => boolean = () => true) {}

  push(chunk: Uint8Array): void {
    let buf = Buffer.from(chunk.buffer, chunk.byteOffset, chunk.byteLength);
    while (buf.length > 0 && !this.done) {
      if (this.body) {
        const take = Math.min(this.body.left, buf.length);
        const dataLeft = this.body.size - this.body.got;
        if (this.body.chunks && dataLeft > 0) this.body.chunks.push(buf.subarray(0, Math.min(take, dataLeft)));
        this.body.got += Math.min(take, Math.max(0, dataLeft));
        this.body.left -= take;
        this.offset += take;
        buf = buf.subarray(take);
        if (this.body.left === 0) this.finishBody(this.body);
        continue;
      }
      const need = BLOCK - this.pending.length;
      this.pending = Buffer.concat([this.pending, buf.subarray(0, need)]);
      buf = buf.subarray(Math.min(need, buf.length));
      if (this.pending.length === BLOCK) {
        const header = this.pending;
        this.pending = Buffer.alloc(0);
        this.header(header);
      }
    }
  }

  end(): TarEntry[] {
    if (this.body) throw new Error(`tar: entry "${this.body.name}" runs past the end of the archive`);
    if (this.pending.length > 0 && !this.done) throw new Error('tar: archive ends inside a header');
    return this.entries;
  }

  private header(header: Buffer): void {
    const at = this.offset;
    this.offset += BLOCK;
    if (header.every((b) => b === 0)) {
      this.done = true; // end-of-archive marker
      return;
    }
    if (!checksumOk(header)) throw new Error(`tar: bad header checksum at byte ${at}`);
    const size = octal(header, 124, 12);
    const type = String.fromCharCode(header[156] ?? 0);
    const magic = text(header, 257, 6);
    const prefix = magic.startsWith('ustar') ? text(header, 345, 155) : '';
    const name = prefix ? `${prefix}/${text(header, 0, 100)}` : text(header, 0, 100);
    const isFile = type === '0' || type === '\0' || type === '7';
    const path = this.longName ?? name;
    const keep = type === 'x' || type === 'L' || (isFile && this.want(path));
    const body: Body = { type, name: path, size, left: Math.ceil(size / BLOCK) * BLOCK, chunks: keep ? [] : null, got: 0 };
    if (type !== 'x' && type !== 'L' && type !== 'g') this.longName = undefined;
    if (body.left === 0) this.finishBody(body);
    else this.body = body;
  }

  private finishBody(body: Body): void {
    this.body = null;
    if (!body.chunks) return;
    const data = body.chunks.length === 1 ? (body.chunks[0] as Buffer) : Buffer.concat(body.chunks);
    if (body.type === 'x') this.longName = paxPath(data) ?? this.longName;
    else if (body.type === 'L') this.longName = text(data, 0, data.length);
    else this.entries.push({ path: body.name, data });
  }
}

/** Lists the regular files of an uncompressed tar archive. */
export function readTar(tar: Uint8Array): TarEntry[] {
  const p = new TarParser();
  p.push(tar);
  return p.end();
}

/** Lists the regular files of a gzip-compressed tar archive held in memory. */
export function readTgz(tgz: Uint8Array): TarEntry[] {
  return readTar(gunzipSync(tgz));
}

/** Streams a .tgz file from disk and returns only the files `want` picks. */
export async function extractTgzFile(path: string, want: (path: string) => boolean): Promise<TarEntry[]> {
  const parser = new TarParser(want);
  const source = createReadStream(path);
  const gunzip = createGunzip();
  source.on('error', (e) => gunzip.destroy(e));
  source.pipe(gunzip);
  try {
    for await (const chunk of gunzip) parser.push(chunk as Buffer);
  } finally {
    source.destroy();
  }
  return parser.end();
}
