import type { Logger } from '../log.js';

/** Callbacks for one event; a throwing listener is logged and never stops the others or the caller. */
export class Listeners<T> {
  private readonly cbs: Array<(v: T) => void> = [];

  constructor(private readonly log: Logger) {}

  add(cb: (v: T) => void): void {
    this.cbs.push(cb);
  }

  emit(v: T): void {
    for (const cb of this.cbs) {
      try {
        cb(v);
      } catch (e) {
        this.log.error({ err: e }, 'button listener threw');
      }
    }
  }
}
