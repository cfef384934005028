// The seam between button logic and the GPIO character device. Only gpiod.ts implements
// it for real (libgpiod tools); FakeLineDriver feeds edges in tests. Everything above
// this interface (debounce, hold, lights, retries, health) is tested against the fake.
import type { PokerfaceError } from '../errors.js';

export type Bias = 'pull-up' | 'pull-down' | 'disable' | 'as-is';

/** Lines on one chip that share active-low and bias (one gpiomon process). */
export interface InputRequest {
  chip: string;
  lines: number[];
  activeLow: boolean;
  bias: Bias;
}

export interface LineEdge {
  line: number;
  /** true when the line went to its active level (active-low applied by the kernel) */
  active: boolean;
  /** kernel timestamp of the edge, CLOCK_MONOTONIC nanoseconds (kernel 5.7+), when known */
  kernelNs?: bigint | undefined;
}

export interface InputWatch {
  close(): Promise<void>;
}

export interface OutputGroup {
  /** drive every line of the group to these physical levels (true = high) */
  set(values: ReadonlyMap<number, boolean>): Promise<void>;
  /** release the lines (they go back to their default state) */
  close(): Promise<void>;
}

export interface LineDriver {
  /**
   * Request the lines for both-edge events. Resolves once they are held; rejects with
   * POKERFACE_ERR_GPIO_OPEN (chip/line missing or busy) or POKERFACE_ERR_GPIO_UNAVAILABLE
   * (tools not installed). onLost is called at most once if the watch ends on its own.
   */
  watchInputs(req: InputRequest, onEdge: (e: LineEdge) => void, onLost: (err: PokerfaceError) => void): Promise<InputWatch>;
  /** Request lines as outputs at these initial physical levels. onError reports a later failure to set them. */
  openOutputs(chip: string, initial: ReadonlyMap<number, boolean>, onError: (err: PokerfaceError) => void): Promise<OutputGroup>;
}
