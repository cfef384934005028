// The hand-off from a backend to the one consumer, "latest wins".
//
// Contract (see also docs/capture.md):
// - The consumer's callback is synchronous. `frame.data` (and the buffer behind it) is
//   only valid during the call: the source writes the next frame into it afterwards.
//   A consumer that keeps pixels (e.g. to start an inference) copies them in the call.
//   The Frame object itself is fresh per call, so seq/ts may be kept.
// - Busy signal: a consumer that is busy (say its inference is still in flight) returns
//   `false` from the callback. That frame counts as dropped. Any other return value
//   (including undefined) means the frame was taken.
// - Frames are handed on from a setImmediate after the I/O that completed them. If a
//   newer frame completes before the consumer was handed the previous one (the event
//   loop was busy), the older one is dropped and counted. Nothing is ever queued.
// - Frames completed by the backend but dropped upstream (a worker behind) count too.
//
// The frames wait in a LatestSlot of three reusable buffers at most (filling, ready, being
// handed on): a completed frame is never copied here, only its buffer changes role.
import type { Clock, Frame, Off, PixelFormat } from '../types.js';
import { Listeners } from '../listeners.js';
import { PokerfaceError } from '../errors.js';
import { LatestSlot } from '../latest-slot.js';
import { FrameTransform, frameBytes, type Geometry } from './transform.js';

export type FrameCallback = (f: Frame) => unknown;

export type Defer = (fn: () => void) => () => void;

/** Hand frames on at once, inside the push (tests that want no event-loop turn). */
export const deferSync: Defer = (fn) => {
  fn();
  return () => {};
};

export const deferImmediate: Defer = (fn) => {
  const h = setImmediate(fn);
  return () => clearImmediate(h);
};

/** A frame buffer of the hand-off and the stamps of the frame in it. */
interface Captured {
  data: Uint8Array;
  seq: number;
  ts: number;
}

export class FrameDelivery {
  /** frames completed by the backend (delivered + dropped) */
  captured = 0;
  delivered = 0;
  consumerErrors = 0;
  lastCaptureAt: number | null = null;

  private readonly inBytes: number;
  private readonly transform: FrameTransform;
  private readonly slot: LatestSlot<Captured>;
  /** frames no consumer took (busy, none registered) or the backend dropped itself */
  private refused = 0;
  private filled = 0;
  /** a frame completed while one was being handed on (a consumer pushed from its callback) */
  private again = false;
  private lastTs = -Infinity;
  private seq = 0;
  private cancelFlush: (() => void) | null = null;
  private readonly consumers: Listeners<Frame>;
  private readonly flush = (): void => this.deliver();

  constructor(
    private readonly geometry: Geometry,
    private readonly clock: Clock,
    private readonly defer: Defer = deferImmediate,
    /** told of every completed frame (watchdog, state) */
    private readonly onCapture: () => void = () => {},
    private readonly onConsumerError: (e: unknown, count: number) => void = () => {},
  ) {
    this.inBytes = frameBytes(geometry.width, geometry.height, geometry.format);
    this.transform = new FrameTransform(geometry);
    this.consumers = new Listeners<Frame>(
      {
        error: ({ err }) => {
          this.consumerErrors++;
          this.onConsumerError(err, this.consumerErrors);
        },
      },
      'frame',
    );
    this.slot = new LatestSlot(() => ({ data: new Uint8Array(this.inBytes), seq: 0, ts: 0 }));
  }

  /** frames completed but not taken: replaced by a newer one first, refused, or dropped upstream */
  get dropped(): number {
    return this.slot.dropped + this.refused;
  }

  get frameBytes(): number {
    return this.inBytes;
  }

  get format(): PixelFormat {
    return this.geometry.format;
  }

  onFrame(cb: FrameCallback): Off {
    return this.consumers.add(cb);
  }

  /** A new backend session: a partial frame from the old one must not be completed. */
  resetStream(): void {
    this.filled = 0;
  }

  /** Bytes left over in the stream (a partial frame), e.g. when the child exits. */
  get partialBytes(): number {
    return this.filled;
  }

  /** A chunk of a raw stream of back-to-back frames. */
  pushBytes(chunk: Uint8Array): void {
    let off = 0;
    const n = chunk.byteLength;
    while (off < n) {
      const take = Math.min(this.inBytes - this.filled, n - off);
      this.slot.claim().data.set(take === n && off === 0 ? chunk : chunk.subarray(off, off + take), this.filled);
      this.filled += take;
      off += take;
      if (this.filled === this.inBytes) {
        this.filled = 0;
        this.complete();
      }
    }
  }

  /** One whole frame from a backend that hands frames out already cut. */
  pushFrame(data: Uint8Array, width: number, height: number): PokerfaceError | null {
    if (width !== this.geometry.width || height !== this.geometry.height || data.byteLength !== this.inBytes) {
      return new PokerfaceError(
        'POKERFACE_ERR_CAMERA_FRAME_SIZE',
        `got ${width}x${height} (${data.byteLength} bytes), expected ${this.geometry.width}x${this.geometry.height} ${this.geometry.format}`,
      );
    }
    this.slot.claim().data.set(data);
    this.complete();
    return null;
  }

  /** Frames a backend dropped before handing them over. */
  droppedUpstream(n: number): void {
    this.captured += n;
    this.refused += n;
  }

  /** Stop handing on: cancel a scheduled delivery and forget the pending frame. */
  cancel(): void {
    this.cancelFlush?.();
    this.cancelFlush = null;
    this.slot.discard();
  }

  private complete(): void {
    let ts = this.clock.now();
    // strictly increasing, whatever the clock's resolution
    if (ts <= this.lastTs) ts = this.lastTs + 0.001;
    this.lastTs = ts;
    this.captured++;
    this.lastCaptureAt = ts;
    const item = this.slot.claim();
    item.seq = ++this.seq;
    item.ts = ts;
    // a frame still waiting to be handed on is replaced (counted by the slot)
    this.slot.publish();
    this.onCapture();
    if (!this.cancelFlush) {
      const cancel = this.defer(this.flush);
      // a synchronous defer has delivered already
      if (this.slot.waiting) this.cancelFlush = cancel;
    }
  }

  private deliver(): void {
    this.cancelFlush = null;
    if (this.slot.taken) {
      // re-entered from a consumer's callback: the frame is handed on once that call is done
      this.again = true;
      return;
    }
    const item = this.slot.take();
    if (!item) return;
    try {
      this.handOn(item);
    } finally {
      // a consumer may have transferred (detached) the buffer it was handed: replace it
      if (item.data.byteLength === 0) item.data = new Uint8Array(this.inBytes);
      this.slot.release();
    }
    if (this.again) {
      this.again = false;
      this.deliver();
    }
  }

  private handOn(item: Captured): void {
    const data = this.transform.apply(item.data);
    const frame: Frame = {
      seq: item.seq,
      ts: item.ts,
      width: this.transform.outWidth,
      height: this.transform.outHeight,
      format: this.geometry.format,
      data,
    };
    // no consumer, or every one busy or throwing: refused
    if (this.consumers.offer(frame)) this.delivered++;
    else this.refused++;
    this.transform.reviveIfDetached();
  }
}
