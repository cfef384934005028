import { describe, expect, it } from 'vitest';
import { LatestSlot } from '../../src/latest-slot.js';

interface Buf {
  data: Uint8Array;
  value: number;
}

function slot(): { s: LatestSlot<Buf>; made: Buf[] } {
  const made: Buf[] = [];
  const s = new LatestSlot<Buf>(() => {
    const b = { data: new Uint8Array(4), value: 0 };
    made.push(b);
    return b;
  });
  return { s, made };
}

/** the producer's side: write a value into the free item (the one copy) and publish it */
function put(s: LatestSlot<Buf>, value: number): Buf | null {
  const b = s.claim();
  b.value = value;
  b.data.fill(value);
  return s.publish();
}

describe('LatestSlot', () => {
  it('latest wins: a newer item replaces the waiting one, which counts as dropped', () => {
    const { s } = slot();
    expect(put(s, 1)).toBeNull();
    expect(put(s, 2)?.value).toBe(1);
    expect(put(s, 3)?.value).toBe(2);
    expect(s.dropped).toBe(2);
    expect(s.take()?.value).toBe(3);
    expect(s.take.bind(s)).toThrow(/not released/);
    s.release();
    expect(s.take()).toBeNull(); // nothing queued behind the latest
    s.release();
    expect(s.dropped).toBe(2);
  });

  it('never hands out the taken item for filling: it stays intact until released', () => {
    const { s } = slot();
    put(s, 7);
    const held = s.take() as Buf;
    for (let i = 0; i < 10; i++) put(s, 100 + i);
    expect([...held.data]).toEqual([7, 7, 7, 7]);
    expect(s.waiting?.value).toBe(109);
    expect(s.dropped).toBe(9);
    s.release();
    expect(s.take()?.value).toBe(109);
  });

  it('a claim filled across several calls is neither the waiting nor the taken item', () => {
    const { s } = slot();
    put(s, 1);
    const taken = s.take();
    put(s, 2);
    const filling = s.claim();
    expect(s.claim()).toBe(filling);
    expect(filling).not.toBe(taken);
    expect(filling).not.toBe(s.waiting);
  });

  it('makes three items at most and reuses them: no allocation per put after warm-up', () => {
    const { s, made } = slot();
    const cycle = (i: number): void => {
      put(s, i & 255);
      if (i % 3 === 0) s.take();
      if (i % 3 === 2) s.release();
    };
    for (let i = 0; i < 10; i++) cycle(i);
    expect(made).toHaveLength(3); // one being filled, one waiting, one taken
    const warm = [...made];
    const buffers = new Set(made.map((b) => b.data));
    for (let i = 10; i < 1000; i++) cycle(i);
    expect(made).toEqual(warm);
    // the very same items and buffers go round
    expect(new Set(made.map((b) => b.data))).toEqual(buffers);
    expect(warm).toContain(s.claim());
  });

  it('discard() forgets the waiting item and counts it; clear() does not count', () => {
    const { s } = slot();
    put(s, 1);
    expect(s.discard()?.value).toBe(1);
    expect(s.dropped).toBe(1);
    put(s, 2);
    expect(s.clear()?.value).toBe(2);
    expect(s.dropped).toBe(1);
    expect(s.take()).toBeNull();
    expect(s.discard()).toBeNull();
  });
});
