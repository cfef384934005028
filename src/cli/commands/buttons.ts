// `pokerface buttons`: the on-site check for buttons and lamps. Prints every press and
// hold as it happens; --blink walks the lamps so each can be seen to work.
import { parseArgs } from 'node:util';
import pino from 'pino';
import { systemClock } from '../../clock.js';
import type { FrozenConfig } from '../../config/schema.js';
import { buildControls, type ControlsDeps } from '../../controls/build.js';
import { EXIT, PokerfaceError } from '../../errors.js';
import { createLogger } from '../../log.js';
import { BUTTONS, type ButtonEvent, type ButtonName, type LightMode } from '../../types.js';
import type { CliIO, Command } from '../io.js';
import { loadCliConfig } from '../config-arg.js';

const USAGE = `pokerface buttons [--config FILE] [--blink] [--json] [--count N] [--seconds S]

  --config FILE  configuration file (default: $POKERFACE_CONFIG or config/default.yaml)
  --blink        cycle the button lights: each on in turn, then all blinking
  --json         one JSON object per event instead of text
  --count N      exit after N events
  --seconds S    exit after S seconds

Prints each press and hold as it happens, until Ctrl-C. Exit 0, 69 when the GPIO
lines cannot be opened (the reason is printed), 78 for a bad configuration.`;

/** the parts of process this command uses; injected by tests */
export interface ButtonsProc {
  on(signal: 'SIGINT' | 'SIGTERM', cb: () => void): unknown;
  off(signal: 'SIGINT' | 'SIGTERM', cb: () => void): unknown;
}

export interface ButtonsDeps extends Partial<Omit<ControlsDeps, 'log'>> {
  proc?: ButtonsProc;
}

export async function runButtons(args: string[], io: CliIO, deps: ButtonsDeps = {}): Promise<number> {
  const { values } = parseArgs({
    args,
    options: {
      config: { type: 'string', short: 'c' },
      blink: { type: 'boolean', default: false },
      json: { type: 'boolean', default: false },
      count: { type: 'string' },
      seconds: { type: 'string' },
    },
  });
  const count = values.count === undefined ? Infinity : positive('--count', values.count);
  const seconds = values.seconds === undefined ? Infinity : positive('--seconds', values.seconds);
  const config = loadCliConfig(values.config, io);
  if (!config) return EXIT.CONFIG;
  // Our output is the events on stdout; the modules' own log lines go to stderr.
  const log = createLogger({ level: io.env.POKERFACE_LOG_LEVEL ?? 'warn', destination: pino.destination({ dest: 2, sync: true }) });
  const clock = deps.clock ?? systemClock;
  const controls = buildControls(config.controls, { ...deps, clock, log });
  const proc = deps.proc ?? process;
  const text = !values.json;

  if (text) {
    io.out(`backends: ${[...config.controls.backends, 'virtual'].join(', ')}; hold ${config.controls.holdMs} ms, staff hold (start) ${config.controls.staffHoldMs} ms`);
    for (const line of describeLines(config)) io.out(line);
  }

  const t0 = clock.now();
  let seen = 0;
  let resolveDone!: () => void;
  const done = new Promise<void>((r) => (resolveDone = r));
  controls.onButton((e: ButtonEvent) => {
    seen++;
    if (text) io.out(`${`+${((e.ts - t0) / 1000).toFixed(3)}s`.padStart(10)}  ${e.name.padEnd(6)}  ${e.kind.padEnd(5)}  ${e.source}`);
    else io.out(JSON.stringify({ name: e.name, kind: e.kind, source: e.source, ts: e.ts, atMs: Math.round(e.ts - t0) }));
    if (seen >= count) resolveDone();
  });
  const onSignal = (): void => resolveDone();
  proc.on('SIGINT', onSignal);
  proc.on('SIGTERM', onSignal);
  const timers: Array<NodeJS.Timeout> = [];
  let stopCycle = (): void => {};
  try {
    await controls.start();
    const health = controls.health();
    const gpio = health.backends.find((b) => b.name === 'gpio');
    if (gpio?.state === 'failed') {
      io.err(`gpio: ${gpio.error ?? 'POKERFACE_ERR_GPIO_OPEN'}`);
      return EXIT.UNAVAILABLE;
    }
    for (const b of health.backends) {
      if (b.state !== 'ok' && text) io.out(`${b.name}: ${b.state}${b.error ? `: ${b.error}` : ''}`);
    }
    if (text) io.out(values.blink ? 'press buttons (Ctrl-C to stop); lights cycling' : 'press buttons (Ctrl-C to stop)');
    if (Number.isFinite(seconds)) timers.push(setTimeout(resolveDone, seconds * 1000));
    if (values.blink) stopCycle = cycleLights(config, (l) => controls.setLights(l));
    await done;
    return EXIT.OK;
  } finally {
    for (const t of timers) clearTimeout(t);
    stopCycle();
    proc.off('SIGINT', onSignal);
    proc.off('SIGTERM', onSignal);
    await controls.stop();
  }
}

export const command: Command = {
  summary: 'print each button press and hold as it happens; --blink cycles the lights (on-site check)',
  usage: USAGE,
  run: (args, io) => runButtons(args, io),
};

function positive(flag: string, v: string): number {
  const n = Number(v);
  if (!Number.isFinite(n) || n <= 0) throw new PokerfaceError('POKERFACE_ERR_USAGE', `${flag} needs a positive number, got "${v}"`);
  return n;
}

export function describeLines(config: FrozenConfig): string[] {
  const { gpio } = config.controls;
  const out: string[] = [];
  if (config.controls.backends.includes('gpio')) {
    for (const name of BUTTONS) {
      const b = gpio.buttons[name];
      if (b) out.push(`  button ${name.padEnd(6)} ${b.chip ?? gpio.chip} line ${b.line} ${b.activeLow ? 'active-low' : 'active-high'} bias ${b.bias} debounce ${b.debounceMs} ms`);
    }
    for (const name of BUTTONS) {
      const l = gpio.lights[name];
      if (l) out.push(`  light  ${name.padEnd(6)} ${l.chip ?? gpio.chip} line ${l.line} ${l.activeLow ? 'active-low' : 'active-high'}`);
    }
  }
  if (config.controls.backends.includes('keyboard')) {
    const keys = Object.entries(config.controls.keyboard.keys).map(([k, b]) => `${JSON.stringify(k)}=${b}`);
    const holds = Object.entries(config.controls.keyboard.holdKeys).map(([k, b]) => `${JSON.stringify(k)}=${b} hold`);
    out.push(`  keys   ${[...keys, ...holds].join(' ')}`);
  }
  return out;
}

/** Each configured light on alone for a moment, then all blinking, round and round. Returns a stop function. */
function cycleLights(config: FrozenConfig, set: (l: Partial<Record<ButtonName, LightMode>>) => void): () => void {
  const names = BUTTONS.filter((n) => config.controls.gpio.lights[n]);
  const all = (mode: LightMode): Partial<Record<ButtonName, LightMode>> => Object.fromEntries(BUTTONS.map((n) => [n, mode]));
  const stepMs = Math.max(300, config.controls.blinkMs * 2);
  let step = 0;
  let timer: NodeJS.Timeout | null = null;
  const next = (): void => {
    const i = step % (names.length + 1);
    if (i < names.length) set({ ...all('off'), [names[i] as ButtonName]: 'on' });
    else set(all('blink'));
    step++;
    timer = setTimeout(next, i < names.length ? stepMs : stepMs * 4);
  };
  next();
  return () => {
    if (timer) clearTimeout(timer);
    timer = null;
  };
}
