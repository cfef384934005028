// A LineDriver with no hardware: tests (and other modules' end-to-end tests) feed edges
// by hand and read back what the lights were driven to.
import { PokerfaceError } from '../errors.js';
import type { InputRequest, InputWatch, LineDriver, LineEdge, OutputGroup } from './line-driver.js';

interface OpenWatch {
  req: InputRequest;
  onEdge: (e: LineEdge) => void;
  onLost: (err: PokerfaceError) => void;
  open: boolean;
}

export class FakeLineDriver implements LineDriver {
  readonly watches: OpenWatch[] = [];
  /** every output write, per chip, newest last (physical levels) */
  readonly writes: Array<{ chip: string; values: Map<number, boolean> }> = [];
  readonly openOutputsByChip = new Map<string, boolean>();
  /** "chip" or "chip:line": opening it fails with POKERFACE_ERR_GPIO_OPEN */
  readonly failOpen = new Set<string>();
  failOutputs = false;
  unavailable = false;
  watchAttempts = 0;
  /** while set, watchInputs waits for it (an open that takes time) */
  gate: Promise<void> | null = null;

  async watchInputs(req: InputRequest, onEdge: (e: LineEdge) => void, onLost: (err: PokerfaceError) => void): Promise<InputWatch> {
    this.watchAttempts++;
    if (this.gate) await this.gate;
    if (this.unavailable) throw new PokerfaceError('POKERFACE_ERR_GPIO_UNAVAILABLE', 'fake: gpiomon not installed');
    const bad = [req.chip, ...req.lines.map((l) => `${req.chip}:${l}`)].find((k) => this.failOpen.has(k));
    if (bad) throw new PokerfaceError('POKERFACE_ERR_GPIO_OPEN', `fake: ${bad}: Device or resource busy`);
    const w: OpenWatch = { req: { ...req, lines: [...req.lines] }, onEdge, onLost, open: true };
    this.watches.push(w);
    return { close: async () => void (w.open = false) };
  }

  async openOutputs(chip: string, initial: ReadonlyMap<number, boolean>): Promise<OutputGroup> {
    if (this.failOutputs || this.failOpen.has(chip)) throw new PokerfaceError('POKERFACE_ERR_GPIO_OPEN', `fake: ${chip} outputs`);
    this.openOutputsByChip.set(chip, true);
    this.writes.push({ chip, values: new Map(initial) });
    return {
      set: async (values) => void this.writes.push({ chip, values: new Map(values) }),
      close: async () => void this.openOutputsByChip.set(chip, false),
    };
  }

  /** Feed an edge to whichever open watch holds chip:line. Returns false if none does. */
  edge(chip: string, line: number, active: boolean, kernelNs?: bigint): boolean {
    const w = this.watches.find((x) => x.open && x.req.chip === chip && x.req.lines.includes(line));
    if (!w) return false;
    w.onEdge({ line, active, kernelNs });
    return true;
  }

  /** Make an open watch die, as if gpiomon exited. */
  kill(chip: string, line: number, why = 'fake: gpiomon exited'): void {
    const w = this.watches.find((x) => x.open && x.req.chip === chip && x.req.lines.includes(line));
    if (!w) return;
    w.open = false;
    w.onLost(new PokerfaceError('POKERFACE_ERR_GPIO_OPEN', why));
  }

  openWatches(): InputRequest[] {
    return this.watches.filter((w) => w.open).map((w) => w.req);
  }

  /** latest physical level written to chip:line, or undefined */
  level(chip: string, line: number): boolean | undefined {
    for (let i = this.writes.length - 1; i >= 0; i--) {
      const w = this.writes[i];
      if (w && w.chip === chip && w.values.has(line)) return w.values.get(line);
    }
    return undefined;
  }
}
