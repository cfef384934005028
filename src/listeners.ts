// The one listener list: buttons, booth state/events/scores/results, player events and
// inference timings all fan out through it; camera frames too, whose consumers may answer
// `false` for "busy, not taken" (offer). A listener that throws is a bug in that
// listener: it is logged and never stops the others or the code that emitted.
import type { Off } from './types.js';

/** where a throwing listener is reported; a pino Logger fits */
export interface ListenerErrorLog {
  error(obj: { err: unknown }, msg: string): void;
}

interface Entry<T> {
  fn: (v: T) => unknown;
  live: boolean;
}

export class Listeners<T> {
  // replaced, never changed in place, so emit() walks a stable array without copying it
  private entries: ReadonlyArray<Entry<T>> = [];

  /** `what` names the listeners in the log line of one that throws ("button listener threw") */
  constructor(
    private readonly log: ListenerErrorLog,
    private readonly what: string,
  ) {}

  /** Each add is its own subscription; the returned function ends it (again is a no-op). */
  add(fn: (v: T) => unknown): Off {
    const e: Entry<T> = { fn, live: true };
    this.entries = [...this.entries, e];
    return () => {
      if (!e.live) return;
      e.live = false;
      this.entries = this.entries.filter((x) => x !== e);
    };
  }

  /** Call every listener subscribed now; one removed during the call is skipped, one added is not called this time. */
  emit(v: T): void {
    const list = this.entries;
    for (let i = 0; i < list.length; i++) {
      const e = list[i] as Entry<T>;
      if (!e.live) continue;
      try {
        e.fn(v);
      } catch (err) {
        this.log.error({ err }, `${this.what} listener threw`);
      }
    }
  }

  /**
   * emit() for consumers that may refuse: true when at least one listener returned
   * anything but `false` (one that threw did not take it); false with no listeners.
   */
  offer(v: T): boolean {
    const list = this.entries;
    let taken = false;
    for (let i = 0; i < list.length; i++) {
      const e = list[i] as Entry<T>;
      if (!e.live) continue;
      try {
        if (e.fn(v) !== false) taken = true;
      } catch (err) {
        this.log.error({ err }, `${this.what} listener threw`);
      }
    }
    return taken;
  }

  get size(): number {
    return this.entries.length;
  }
}
