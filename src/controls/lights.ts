// Button lights as data: each button is off, on or blinking; blinking lights share one
// phase that flips every blinkMs. Only changed levels are written, per chip.
import type { ButtonName, LightMode } from '../types.js';
import type { TimerHandle, Timers } from '../timers.js';

export interface LightLine {
  chip: string;
  line: number;
  activeLow: boolean;
}

export interface LightsOptions {
  lines: ReadonlyMap<ButtonName, LightLine>;
  blinkMs: number;
  timers: Timers;
  /** drive every light line of a chip to these physical levels */
  write: (chip: string, values: Map<number, boolean>) => Promise<void>;
}

export class Lights {
  private readonly modes = new Map<ButtonName, LightMode>();
  private readonly written = new Map<string, string>();
  private phase = true;
  private timer: TimerHandle | null = null;

  constructor(private readonly opts: LightsOptions) {}

  /** Change the named lights; lights not named keep their mode. */
  set(lights: Partial<Record<ButtonName, LightMode>>): void {
    for (const [name, mode] of Object.entries(lights) as Array<[ButtonName, LightMode | undefined]>) {
      if (mode) this.modes.set(name, mode);
    }
    const blinking = [...this.modes.values()].includes('blink');
    if (blinking && !this.timer) {
      this.phase = true;
      this.timer = this.opts.timers.setTimeout(() => this.tick(), this.opts.blinkMs);
    } else if (!blinking) this.stopBlink();
    void this.render();
  }

  /** Every light off (written even if nothing changed), blinking stopped. */
  async allOff(): Promise<void> {
    this.stopBlink();
    this.modes.clear();
    this.written.clear();
    await this.render();
  }

  /** Stop blinking without writing anything (the outputs are going away). */
  stopBlink(): void {
    if (this.timer) this.opts.timers.clearTimeout(this.timer);
    this.timer = null;
  }

  current(): Partial<Record<ButtonName, LightMode>> {
    return Object.fromEntries(this.modes);
  }

  /** physical level a light line should have now */
  level(name: ButtonName): boolean {
    const mode = this.modes.get(name) ?? 'off';
    const lit = mode === 'on' || (mode === 'blink' && this.phase);
    return this.opts.lines.get(name)?.activeLow ? !lit : lit;
  }

  private tick(): void {
    this.phase = !this.phase;
    this.timer = this.opts.timers.setTimeout(() => this.tick(), this.opts.blinkMs);
    void this.render();
  }

  private async render(): Promise<void> {
    const byChip = new Map<string, Map<number, boolean>>();
    for (const [name, l] of this.opts.lines) {
      let values = byChip.get(l.chip);
      if (!values) byChip.set(l.chip, (values = new Map<number, boolean>()));
      values.set(l.line, this.level(name));
    }
    const writes: Array<Promise<void>> = [];
    for (const [chip, values] of byChip) {
      const key = [...values].map(([line, v]) => `${line}=${v ? 1 : 0}`).join(',');
      if (this.written.get(chip) === key) continue;
      this.written.set(chip, key);
      writes.push(this.opts.write(chip, values));
    }
    await Promise.all(writes);
  }
}
