import { describe, expect, it } from 'vitest';
import { ManualClock } from '../../../src/clock.js';
import { FrameDelivery, deferSync, type Defer } from '../../../src/capture/delivery.js';
import type { Frame } from '../../../src/types.js';
import type { Geometry } from '../../../src/capture/transform.js';

const geo: Geometry = { width: 2, height: 2, format: 'gray8', mirror: false, rotate: 0, scaleWidth: 0 };

/** a defer the test flushes by hand: stands for "the event loop got around to it" */
function manualDefer(): { defer: Defer; flush(): void } {
  let fn: (() => void) | null = null;
  return {
    defer: (f) => {
      fn = f;
      return () => (fn = null);
    },
    flush: () => {
      const f = fn;
      fn = null;
      f?.();
    },
  };
}

describe('FrameDelivery', () => {
  it('cuts a byte stream into frames across chunk boundaries', () => {
    const clock = new ManualClock();
    const d = new FrameDelivery(geo, clock, deferSync);
    const got: number[][] = [];
    d.onFrame((f) => void got.push([...f.data]));
    d.pushBytes(Uint8Array.from([1, 2, 3]));
    d.pushBytes(Uint8Array.from([4, 5]));
    d.pushBytes(Uint8Array.from([6, 7, 8, 9]));
    expect(got).toEqual([
      [1, 2, 3, 4],
      [5, 6, 7, 8],
    ]);
    expect(d.partialBytes).toBe(1);
    d.resetStream();
    expect(d.partialBytes).toBe(0);
  });

  it('latest wins: frames that complete before the consumer ran are dropped and counted', () => {
    const m = manualDefer();
    const d = new FrameDelivery(geo, new ManualClock(), m.defer);
    const seqs: number[] = [];
    d.onFrame((f) => void seqs.push(f.seq));
    d.pushBytes(new Uint8Array(4 * 3)); // three frames in one read
    m.flush();
    expect(seqs).toEqual([3]);
    expect(d.captured).toBe(3);
    expect(d.dropped).toBe(2);
    expect(d.delivered).toBe(1);
  });

  it('a consumer that returns false is busy: the frame counts as dropped', () => {
    const d = new FrameDelivery(geo, new ManualClock(), deferSync);
    let busy = true;
    d.onFrame(() => (busy ? false : undefined));
    d.pushFrame(new Uint8Array(4), 2, 2);
    busy = false;
    d.pushFrame(new Uint8Array(4), 2, 2);
    expect(d.dropped).toBe(1);
    expect(d.delivered).toBe(1);
  });

  it('stamps strictly increasing capture times from the clock', () => {
    const clock = new ManualClock(100);
    const d = new FrameDelivery(geo, clock, deferSync);
    const ts: number[] = [];
    d.onFrame((f) => void ts.push(f.ts));
    d.pushFrame(new Uint8Array(4), 2, 2);
    d.pushFrame(new Uint8Array(4), 2, 2); // same clock reading
    clock.advance(33);
    d.pushFrame(new Uint8Array(4), 2, 2);
    expect(ts[0]).toBe(100);
    expect(ts[1]).toBeGreaterThan(100);
    expect(ts[2]).toBe(133);
  });

  it('rejects a whole frame of the wrong size with a code', () => {
    const d = new FrameDelivery(geo, new ManualClock(), deferSync);
    expect(d.pushFrame(new Uint8Array(6), 3, 2)?.code).toBe('POKERFACE_ERR_CAMERA_FRAME_SIZE');
    expect(d.captured).toBe(0);
  });

  it('reuses its buffers, and survives a consumer that transfers one away', () => {
    const d = new FrameDelivery(geo, new ManualClock(), deferSync);
    const seen: Uint8Array[] = [];
    let transfer = true;
    d.onFrame((f: Frame) => {
      seen.push(f.data);
      if (transfer) {
        transfer = false;
        structuredClone(f.data.buffer, { transfer: [f.data.buffer as ArrayBuffer] });
      }
    });
    for (let i = 0; i < 4; i++) d.pushFrame(Uint8Array.from([i, i, i, i]), 2, 2);
    expect(seen).toHaveLength(4);
    expect(seen[0]?.byteLength).toBe(0); // detached by the consumer
    expect(seen[3]?.byteLength).toBe(4);
    expect([...(seen[3] as Uint8Array)]).toEqual([3, 3, 3, 3]);
    expect(new Set(seen.slice(1)).size).toBeLessThanOrEqual(3);
  });

  it('a consumer that throws does not stop delivery', () => {
    const errors: number[] = [];
    const d = new FrameDelivery(geo, new ManualClock(), deferSync, () => {}, (_e, n) => void errors.push(n));
    let n = 0;
    d.onFrame(() => {
      n++;
      throw new Error('boom');
    });
    d.pushFrame(new Uint8Array(4), 2, 2);
    d.pushFrame(new Uint8Array(4), 2, 2);
    expect(n).toBe(2);
    expect(errors).toEqual([1, 2]);
  });

  it('a frame pushed from inside a consumer\'s callback is handed on after that call, its buffer apart', () => {
    const d = new FrameDelivery(geo, new ManualClock(), deferSync);
    const got: Array<{ seq: number; bytes: number[] }> = [];
    d.onFrame((f) => {
      if (f.seq === 1) d.pushFrame(Uint8Array.from([9, 9, 9, 9]), 2, 2);
      got.push({ seq: f.seq, bytes: [...f.data] });
    });
    d.pushFrame(Uint8Array.from([1, 1, 1, 1]), 2, 2);
    expect(got).toEqual([
      { seq: 1, bytes: [1, 1, 1, 1] },
      { seq: 2, bytes: [9, 9, 9, 9] },
    ]);
    expect(d.delivered).toBe(2);
  });
});
