// Helpers for "latest wins" and "keep in order, drop the oldest only when full".
import type { Timers } from '../timers.js';

/** A fixed-capacity FIFO ring: pushing onto a full queue drops (and counts) the oldest. */
export class BoundedQueue<T> {
  private readonly items: Array<T | undefined>;
  private head = 0;
  private size = 0;
  dropped = 0;

  constructor(readonly capacity: number) {
    this.items = new Array<T | undefined>(capacity);
  }

  get length(): number {
    return this.size;
  }

  push(item: T): void {
    if (this.size === this.capacity) {
      this.items[this.head] = undefined;
      this.head = (this.head + 1) % this.capacity;
      this.size--;
      this.dropped++;
    }
    this.items[(this.head + this.size) % this.capacity] = item;
    this.size++;
  }

  shift(): T | undefined {
    if (this.size === 0) return undefined;
    const item = this.items[this.head];
    this.items[this.head] = undefined;
    this.head = (this.head + 1) % this.capacity;
    this.size--;
    return item;
  }

  peek(): T | undefined {
    return this.size === 0 ? undefined : this.items[this.head];
  }

  /** put an item back at the front (it was taken but could not be handed on) */
  unshift(item: T): void {
    if (this.size === this.capacity) {
      this.dropped++;
      return;
    }
    this.head = (this.head - 1 + this.capacity) % this.capacity;
    this.items[this.head] = item;
    this.size++;
  }
}


/**
 * At most one send per interval, always the latest value: a burst sends its first
 * value at once and its last one when the interval is over; values in between are
 * replaced, never queued.
 */
export class LatestThrottle<T> {
  private last = -Infinity;
  private pending: T | undefined;
  private hasPending = false;
  private timer: unknown = null;

  constructor(
    private readonly intervalMs: number,
    private readonly now: () => number,
    private readonly timers: Timers,
    private readonly send: (value: T) => void,
  ) {}

  push(value: T): void {
    const t = this.now();
    if (this.timer === null && t - this.last >= this.intervalMs) {
      this.last = t;
      this.send(value);
      return;
    }
    this.pending = value;
    this.hasPending = true;
    if (this.timer === null) this.timer = this.timers.setTimeout(this.flush, Math.max(0, this.last + this.intervalMs - t));
  }

  private readonly flush = (): void => {
    this.timer = null;
    if (!this.hasPending) return;
    const v = this.pending as T;
    this.pending = undefined;
    this.hasPending = false;
    this.last = this.now();
    this.send(v);
  };

  /** drop anything pending and the timer */
  cancel(): void {
    if (this.timer !== null) this.timers.clearTimeout(this.timer);
    this.timer = null;
    this.pending = undefined;
    this.hasPending = false;
  }
}
