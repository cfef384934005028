// "Latest wins": the hand-off of the newest item from a producer to a consumer that may
// be slower. At most one item waits; a newer one replaces it, and the replaced one counts
// as dropped. Nothing queues.
//
// The items are reusable containers (frame buffers), made on demand by `make` and
// recycled, never dropped on the floor: at most three exist at once (one being filled,
// one waiting, one taken by the consumer), so once those are made a put allocates
// nothing. The camera hand-off (capture/delivery.ts), the booth's wait for the detector
// (booth/runner.ts) and the detector's wait for its worker (infer/detector.ts) all use it.
export class LatestSlot<T> {
  /** items replaced by a newer one (or discarded) before the consumer took them */
  dropped = 0;
  private filling: T | null = null;
  private waitingItem: T | null = null;
  private takenItem: T | null = null;
  /** free items for reuse (at most three ever exist) */
  private readonly spare: T[] = [];

  constructor(private readonly make: () => T) {}

  /**
   * The item to write the next value into: the same one until publish(), and never the
   * waiting or the taken one, so filling it (even across several calls) harms neither.
   */
  claim(): T {
    let item = this.filling;
    if (item === null) {
      item = this.spare.pop() ?? this.make();
      this.filling = item;
    }
    return item;
  }

  /**
   * The claimed item becomes the waiting one. An item still waiting is replaced: it counts
   * as dropped and is returned (it is spare again: read what you need from it at once).
   */
  publish(): T | null {
    const item = this.claim();
    this.filling = null;
    const old = this.waitingItem;
    this.waitingItem = item;
    if (old !== null) {
      this.dropped++;
      this.spare.push(old);
    }
    return old;
  }

  /** The waiting item, if any (it stays waiting). */
  get waiting(): T | null {
    return this.waitingItem;
  }

  /** The item the consumer holds, if any. */
  get taken(): T | null {
    return this.takenItem;
  }

  /**
   * The waiting item, now held by the consumer until release(); null when none waits.
   * One item at most is taken at a time: a consumer that still holds one is a bug.
   */
  take(): T | null {
    if (this.takenItem !== null) throw new Error('LatestSlot.take(): the previous item was not released');
    const item = this.waitingItem;
    this.waitingItem = null;
    this.takenItem = item;
    return item;
  }

  /** The consumer is done with the taken item: it may be filled again. */
  release(): void {
    const item = this.takenItem;
    this.takenItem = null;
    if (item !== null) this.spare.push(item);
  }

  /** Forget the waiting item, counted as dropped (the hand-off stops); returns it. */
  discard(): T | null {
    const item = this.clear();
    if (item !== null) this.dropped++;
    return item;
  }

  /** Forget the waiting item without counting it (shutting down); returns it. */
  clear(): T | null {
    const item = this.waitingItem;
    this.waitingItem = null;
    if (item !== null) this.spare.push(item);
    return item;
  }
}
