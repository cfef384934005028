import { performance } from 'node:perf_hooks';
import type { Clock } from './types.js';

export const systemClock: Clock = {
  now: () => performance.now(),
  wall: () => Date.now(),
};

/** A clock tests drive by hand. */
export class ManualClock implements Clock {
  constructor(
    private mono = 0,
    private epoch = 1_700_000_000_000,
  ) {}
  now(): number {
    return this.mono;
  }
  wall(): number {
    return this.epoch + this.mono;
  }
  advance(ms: number): void {
    this.mono += ms;
  }
}
