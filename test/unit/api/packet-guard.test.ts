import { describe, expect, it } from 'vitest';
import { PacketSizeGuard } from '../../../src/api/packet-guard.js';

/** the fixed header of a PUBLISH with `bodyLen` bytes after it */
function header(bodyLen: number): Buffer {
  const len: number[] = [];
  let n = bodyLen;
  do {
    let b = n % 128;
    n = Math.floor(n / 128);
    if (n > 0) b |= 0x80;
    len.push(b);
  } while (n > 0);
  return Buffer.from([0x30, ...len]);
}

const packet = (bodyLen: number): Buffer => Buffer.concat([header(bodyLen), Buffer.alloc(bodyLen, 7)]);

describe('PacketSizeGuard', () => {
  it('passes packets up to the limit, however the stream is cut', () => {
    const stream = Buffer.concat([packet(0), packet(100), packet(1000 - 3), packet(127), packet(128), Buffer.from([0xc0, 0x00])]);
    for (const cut of [1, 2, 3, 7, 64, stream.length]) {
      const g = new PacketSizeGuard(1000);
      for (let i = 0; i < stream.length; i += cut) expect(g.feed(stream.subarray(i, i + cut))).toEqual({ ok: true });
    }
  });

  it('refuses a packet announced over the limit from its header alone, without its body', () => {
    const g = new PacketSizeGuard(65_536);
    expect(g.feed(packet(10))).toEqual({ ok: true });
    // a 250 MB PUBLISH: only the 5 header bytes arrive
    const h = header(250 * 1024 * 1024 - 5);
    expect(h.length).toBe(5);
    expect(g.feed(h.subarray(0, 2)).ok).toBe(true);
    const v = g.feed(h.subarray(2));
    expect(v.ok).toBe(false);
    if (!v.ok) expect(v.announced).toBe(250 * 1024 * 1024);
    // and stays refused
    expect(g.feed(Buffer.from([0xc0, 0])).ok).toBe(false);
  });

  it('counts the header in the limit', () => {
    expect(new PacketSizeGuard(1002).feed(header(1000)).ok).toBe(false);
    expect(new PacketSizeGuard(1003).feed(packet(1000)).ok).toBe(true);
  });

  it('refuses a remaining length of more than 4 bytes', () => {
    const v = new PacketSizeGuard(1 << 30).feed(Buffer.from([0x30, 0xff, 0xff, 0xff, 0xff, 0x01]));
    expect(v).toMatchObject({ ok: false, reason: expect.stringContaining('malformed') as unknown });
  });
});
