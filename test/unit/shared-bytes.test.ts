import { describe, expect, it } from 'vitest';
import { copyInto, sharedBytes } from '../../src/shared-bytes.js';

describe('shared frame bytes', () => {
  it('are shared memory at offset 0, so the detector lends them to its worker uncopied', () => {
    const b = sharedBytes(12);
    expect(b.buffer).toBeInstanceOf(SharedArrayBuffer);
    expect(b.byteOffset).toBe(0);
    expect(b.byteLength).toBe(12);
  });

  it('copyInto copies the first n bytes and leaves the rest of the target alone', () => {
    const to = sharedBytes(8);
    to.fill(9);
    copyInto(to, Uint8Array.from([1, 2, 3, 4, 5, 6]), 4);
    expect([...to]).toEqual([1, 2, 3, 4, 9, 9, 9, 9]);
    copyInto(to, Uint8Array.from([7, 7, 7, 7, 7, 7, 7, 7]), 8);
    expect([...to]).toEqual([7, 7, 7, 7, 7, 7, 7, 7]);
  });
});
