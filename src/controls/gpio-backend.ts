// Arcade buttons and their lamps on GPIO lines, through a LineDriver. Lines that fail to
// open (or whose monitor dies) are reported in health() and retried with backoff; the
// rest of the daemon, keyboard and virtual buttons keep working meanwhile.
import type { FrozenConfig } from '../config/schema.js';
import { PokerfaceError, isPokerfaceError } from '../errors.js';
import type { Logger } from '../log.js';
import type { ButtonEvent, ButtonName, ButtonSource, Clock, ControlsHealth, LightMode, MonoMs } from '../types.js';
import { Debouncer } from './debounce.js';
import type { InputRequest, InputWatch, LineDriver, LineEdge, OutputGroup } from './line-driver.js';
import { Lights, type LightLine } from './lights.js';
import { Listeners } from '../listeners.js';
import { Backoff } from '../backoff.js';
import type { TimerHandle, Timers } from '../timers.js';

export type ControlsConfig = FrozenConfig['controls'];

export interface GpioButtonsOptions {
  config: ControlsConfig;
  driver: LineDriver;
  clock: Clock;
  timers: Timers;
  log: Logger;
  /** CLOCK_MONOTONIC now in ns, the clock of kernel edge timestamps (kernel 5.7+) */
  monoNs?: () => bigint;
}

/** Kernel timestamps older than this (or in the future) are not trusted: the edge gets its arrival time. */
const MAX_EDGE_AGE_MS = 2000;
const RETRY_FIRST_MS = 1000;

interface Group {
  req: InputRequest;
  buttons: ButtonName[];
  watch: InputWatch | null;
  error: string | null;
  backoff: Backoff;
  retry: TimerHandle | null;
  /** bumps on every (re)open so callbacks from an old watch are ignored */
  generation: number;
}

export class GpioButtons implements ButtonSource {
  readonly name = 'gpio';
  private readonly listeners: Listeners<ButtonEvent>;
  private groups: Group[] = [];
  private readonly lines = new Map<string, { name: ButtonName; debouncer: Debouncer }>();
  private readonly outputs = new Map<string, OutputGroup>();
  private lights: Lights | null = null;
  private lightsError: string | null = null;
  private state: 'new' | 'running' | 'stopped' = 'new';
  /** opens under way: stop() waits for them so no tool process outlives it */
  private readonly inflight = new Set<Promise<void>>();

  constructor(private readonly opts: GpioButtonsOptions) {
    this.listeners = new Listeners(opts.log, 'button');
  }

  onButton(cb: (e: ButtonEvent) => void): void {
    this.listeners.add(cb);
  }

  async start(): Promise<void> {
    if (this.state === 'running') return;
    const { config, clock, timers } = this.opts;
    const gpio = config.gpio;
    this.groups = planInputs(config);
    const lightLines = planLights(config);
    this.lights = null;
    this.lightsError = null;
    this.state = 'running';
    for (const g of this.groups) {
      for (const name of g.buttons) {
        const b = gpio.buttons[name];
        if (!b) continue;
        const holdMs = name === 'start' ? config.staffHoldMs : config.holdMs;
        const debouncer = new Debouncer({ debounceMs: b.debounceMs, holdMs, clock, timers }, (kind, ts) => this.onDebounced(name, kind, ts));
        this.lines.set(`${g.req.chip}:${b.line}`, { name, debouncer });
      }
    }
    if (this.groups.length === 0) this.opts.log.warn('gpio backend on but controls.gpio.buttons is empty');
    await Promise.all(this.groups.map((g) => this.open(g)));
    if (this.state !== 'running') return; // stopped while opening
    if (lightLines.size > 0) await this.track(this.openLights(lightLines));
  }

  async stop(): Promise<void> {
    if (this.state !== 'running') {
      this.state = 'stopped';
      return;
    }
    this.state = 'stopped';
    for (const g of this.groups) {
      if (g.retry) this.opts.timers.clearTimeout(g.retry);
      g.retry = null;
      g.generation++;
    }
    await Promise.all([...this.inflight]);
    for (const l of this.lines.values()) l.debouncer.reset();
    if (this.lights) await this.lights.allOff();
    this.lights?.stopBlink();
    await Promise.all([
      ...this.groups.map(async (g) => {
        const w = g.watch;
        g.watch = null;
        await w?.close().catch((e: unknown) => this.opts.log.warn({ err: e }, 'closing gpio input watch failed'));
      }),
      ...[...this.outputs.values()].map((o) => o.close().catch((e: unknown) => this.opts.log.warn({ err: e }, 'closing gpio outputs failed'))),
    ]);
    this.outputs.clear();
    this.lines.clear();
    this.lights = null;
  }

  setLights(lights: Partial<Record<ButtonName, LightMode>>): void {
    if (this.state === 'running') this.lights?.set(lights);
  }

  health(): ControlsHealth {
    const failed = this.groups.filter((g) => g.error !== null || (this.state === 'running' && !g.watch));
    let entry: ControlsHealth['backends'][number];
    if (this.state !== 'running') entry = { name: this.name, state: 'failed', error: 'not running' };
    else if (failed.length > 0) {
      const error = failed.map((g) => `${g.buttons.join(',')} (${g.req.chip} ${g.req.lines.join(',')}): ${g.error ?? 'opening'}`).join('; ');
      entry = { name: this.name, state: 'failed', error };
    } else if (this.groups.length === 0) entry = { name: this.name, state: 'degraded', error: 'no buttons configured in controls.gpio.buttons' };
    else if (this.lightsError) entry = { name: this.name, state: 'degraded', error: `lights: ${this.lightsError}` };
    else entry = { name: this.name, state: 'ok' };
    return { healthy: entry.state !== 'failed', backends: [entry] };
  }

  private track(p: Promise<void>): Promise<void> {
    this.inflight.add(p);
    const done = (): void => void this.inflight.delete(p);
    p.then(done, done);
    return p;
  }

  private open(g: Group): Promise<void> {
    return this.track(this.openGroup(g));
  }

  private async openGroup(g: Group): Promise<void> {
    g.retry = null;
    const generation = ++g.generation;
    try {
      const watch = await this.opts.driver.watchInputs(
        g.req,
        (e) => {
          if (g.generation === generation) this.onEdge(g, e);
        },
        (err) => {
          if (g.generation === generation) this.onLost(g, err);
        },
      );
      if (this.state !== 'running' || g.generation !== generation) {
        await watch.close();
        return;
      }
      g.watch = watch;
      g.error = null;
      g.backoff.reset();
      this.opts.log.info({ chip: g.req.chip, lines: g.req.lines, buttons: g.buttons }, 'gpio buttons open');
    } catch (e) {
      if (this.state !== 'running' || g.generation !== generation) return;
      const err = isPokerfaceError(e) ? e : new PokerfaceError('POKERFACE_ERR_GPIO_OPEN', (e as Error).message, { cause: e });
      g.error = `${err.code}: ${err.message}`;
      this.opts.log.error({ code: err.code, chip: g.req.chip, lines: g.req.lines, buttons: g.buttons }, `gpio buttons unavailable: ${err.message}`);
      this.scheduleRetry(g);
    }
  }

  private onLost(g: Group, err: PokerfaceError): void {
    g.watch = null;
    g.error = `${err.code}: ${err.message}`;
    for (const line of g.req.lines) this.lines.get(`${g.req.chip}:${line}`)?.debouncer.reset();
    this.opts.log.error({ code: err.code, chip: g.req.chip, buttons: g.buttons }, `gpio monitor lost: ${err.message}`);
    this.scheduleRetry(g);
  }

  private scheduleRetry(g: Group): void {
    if (this.state !== 'running') return;
    g.retry = this.opts.timers.setTimeout(() => void this.open(g), g.backoff.next());
  }

  private onEdge(g: Group, e: LineEdge): void {
    const hit = this.lines.get(`${g.req.chip}:${e.line}`);
    if (!hit) return;
    hit.debouncer.edge(e.active, this.edgeTime(e.kernelNs));
  }

  /** Map a kernel CLOCK_MONOTONIC edge time onto our clock by its age, so gpiomon's pipe latency does not count. */
  private edgeTime(kernelNs: bigint | undefined): MonoMs {
    const now = this.opts.clock.now();
    if (kernelNs === undefined) return now;
    const monoNs = this.opts.monoNs ?? (() => process.hrtime.bigint());
    const age = Number(monoNs() - kernelNs) / 1e6;
    return age >= 0 && age <= MAX_EDGE_AGE_MS ? now - age : now;
  }

  private onDebounced(name: ButtonName, kind: 'press' | 'hold' | 'release', ts: MonoMs): void {
    if (this.state !== 'running') return;
    if (kind === 'release') {
      this.opts.log.debug({ button: name, ts }, 'button released');
      return;
    }
    this.listeners.emit({ name, kind, ts, source: 'gpio' });
  }

  private async openLights(lines: Map<ButtonName, LightLine>): Promise<void> {
    const chips = new Map<string, Map<number, boolean>>();
    for (const l of lines.values()) {
      let m = chips.get(l.chip);
      if (!m) chips.set(l.chip, (m = new Map<number, boolean>()));
      m.set(l.line, l.activeLow);
    }
    const errors: string[] = [];
    await Promise.all(
      [...chips].map(async ([chip, initial]) => {
        try {
          const out = await this.opts.driver.openOutputs(chip, initial, (err) => {
            this.lightsError = `${err.code}: ${err.message}`;
            this.opts.log.error({ code: err.code, chip }, `button lights failed: ${err.message}`);
          });
          if (this.state !== 'running') await out.close();
          else this.outputs.set(chip, out);
        } catch (e) {
          const code = isPokerfaceError(e) ? e.code : 'POKERFACE_ERR_GPIO_OPEN';
          errors.push(`${chip}: ${code}: ${(e as Error).message}`);
          this.opts.log.error({ code, chip }, `button lights unavailable: ${(e as Error).message}`);
        }
      }),
    );
    this.lightsError = errors.length > 0 ? errors.join('; ') : null;
    this.lights = new Lights({
      lines,
      blinkMs: this.opts.config.blinkMs,
      timers: this.opts.timers,
      write: async (chip, values) => {
        await this.outputs
          .get(chip)
          ?.set(values)
          .catch((e: unknown) => this.opts.log.warn({ err: e, chip }, 'setting button lights failed'));
      },
    });
  }
}

function lineKey(chip: string, line: number): string {
  return `${chip}:${line}`;
}

/** Group configured buttons by chip, active-low and bias: one gpiomon each (1.6 applies those flags per process). */
export function planInputs(config: ControlsConfig): Group[] {
  const used = new Map<string, string>();
  const groups = new Map<string, Group>();
  const claim = (key: string, what: string): void => {
    const prev = used.get(key);
    if (prev) throw new PokerfaceError('POKERFACE_ERR_CONFIG_INVALID', `controls.gpio: ${key.replace(':', ' line ')} is used by both ${prev} and ${what}`);
    used.set(key, what);
  };
  for (const [name, b] of Object.entries(config.gpio.buttons) as Array<[ButtonName, (typeof config.gpio.buttons)[ButtonName]]>) {
    if (!b) continue;
    const chip = b.chip ?? config.gpio.chip;
    claim(lineKey(chip, b.line), `button ${name}`);
    const gk = `${chip}|${b.activeLow}|${b.bias}`;
    let g = groups.get(gk);
    if (!g) {
      g = { req: { chip, lines: [], activeLow: b.activeLow, bias: b.bias }, buttons: [], watch: null, error: null, backoff: new Backoff({ initialMs: RETRY_FIRST_MS, maxMs: config.gpio.retryMaxMs }), retry: null, generation: 0 };
      groups.set(gk, g);
    }
    g.req.lines.push(b.line);
    g.buttons.push(name);
  }
  for (const [name, l] of Object.entries(config.gpio.lights) as Array<[ButtonName, (typeof config.gpio.lights)[ButtonName]]>) {
    if (l) claim(lineKey(l.chip ?? config.gpio.chip, l.line), `light ${name}`);
  }
  return [...groups.values()];
}

function planLights(config: ControlsConfig): Map<ButtonName, LightLine> {
  const out = new Map<ButtonName, LightLine>();
  for (const [name, l] of Object.entries(config.gpio.lights) as Array<[ButtonName, (typeof config.gpio.lights)[ButtonName]]>) {
    if (l) out.set(name, { chip: l.chip ?? config.gpio.chip, line: l.line, activeLow: l.activeLow });
  }
  return out;
}
