// The selftest steps, in the order an operator walks the booth. Each uses the running
// modules only through their services; a module that is not there fails its step with
// the reason, never a faked pass.
import { readdirSync } from 'node:fs';
import { extname, join } from 'node:path';
import { BUTTONS, type ButtonEvent, type ButtonName, type ButtonSource, type Frame, type FrameSource, type PlayerEvent, type VirtualButtons } from '../../types.js';
import type { ServiceName, Services } from '../../wiring.js';
import type { BrokerAddress } from './mqtt-probe.js';
import type { Step, StepEnv, StepResult } from './types.js';

type Outcome = Omit<StepResult, 'name'>;
const fail = (detail: string): Outcome => ({ passed: false, detail });
const pass = (detail: string): Outcome => ({ passed: true, detail });

/** The service, or a failing outcome naming the module that did not come up. */
function need<K extends ServiceName>(env: StepEnv, service: K, module: string): NonNullable<Services[K]> | Outcome {
  const svc = env.services[service];
  if (svc !== undefined) return svc;
  const why = env.unavailable.get(module);
  return fail(`module not available (${module}${why ? `: ${why}` : ''})`);
}
const isOutcome = (x: unknown): x is Outcome => typeof x === 'object' && x !== null && 'passed' in x && 'detail' in x && Object.keys(x).length === 2;

function percentile(sorted: number[], p: number): number {
  if (sorted.length === 0) return NaN;
  return sorted[Math.min(sorted.length - 1, Math.floor(p * sorted.length))] as number;
}

/** Frames for a while: count, fps, and a private copy of the latest (for face/inference). */
async function watchFrames(env: StepEnv, src: FrameSource, ms: number): Promise<{ n: number; fps: number; last: Frame | undefined }> {
  let n = 0;
  let first = 0;
  let lastTs = 0;
  let last: Frame | undefined;
  let on = true;
  src.onFrame((f) => {
    if (!on) return;
    if (n === 0) first = f.ts;
    n++;
    lastTs = f.ts;
    // The source may reuse its buffer; copy the newest frame (kept in memory only).
    if (!last || last.data.length !== f.data.length) last = { ...f, data: new Uint8Array(f.data.length) };
    last.data.set(f.data);
    Object.assign(last, { seq: f.seq, ts: f.ts, width: f.width, height: f.height, format: f.format });
  });
  await env.sleep(ms);
  on = false;
  const fps = n > 1 && lastTs > first ? ((n - 1) * 1000) / (lastTs - first) : 0;
  return { n, fps, last };
}

const camera: Step = {
  name: 'camera',
  modules: ['capture'],
  async run(env) {
    const src = need(env, 'frameSource', 'capture');
    if (isOutcome(src)) return src;
    const watch = env.cameraWatchMs;
    env.say(`camera: watching frames for ${(watch / 1000).toFixed(1)} s`);
    // frames may take a moment after start (pipeline negotiation, first keyframe)
    const deadline = env.clock.now() + 10_000;
    while (src.stats().frames === 0 && env.clock.now() < deadline) await env.sleep(100);
    if (src.stats().frames === 0) {
      const s = src.stats();
      return fail(`no frame within 10 s (state ${s.state}${s.lastError ? `, ${s.lastError.code}: ${s.lastError.message}` : ''})`);
    }
    // let a just-started source settle: a file source catching up, or a camera's auto
    // exposure, would skew the rate
    await env.sleep(Math.min(500, watch / 4));
    const w = await watchFrames(env, src, watch);
    env.scratch.frame = w.last;
    const want = env.config.camera.fps;
    const size = w.last ? `${w.last.width}x${w.last.height} ${w.last.format}` : '';
    const detail = `${w.n} frames in ${(watch / 1000).toFixed(1)} s, ${w.fps.toFixed(1)} fps (configured ${want}), ${size}`;
    return w.fps >= want * 0.5 ? pass(detail) : fail(`${detail}: below half the configured rate`);
  },
};

const face: Step = {
  name: 'face',
  modules: ['detector', 'capture'],
  async run(env) {
    const src = need(env, 'frameSource', 'capture');
    if (isOutcome(src)) return src;
    const det = need(env, 'detector', 'detector');
    if (isOutcome(det)) return det;
    env.say('face: stand in front of the camera');
    const until = env.clock.now() + 10_000;
    let tries = 0;
    while (env.clock.now() < until) {
      const w = await watchFrames(env, src, 200);
      if (!w.last) continue;
      env.scratch.frame = w.last;
      tries++;
      const faces = await det.detect(w.last);
      const best = faces.sort((a, b) => b.score - a.score)[0];
      if (best) {
        const top = Object.entries(best.emotions)
          .sort((a, b) => (b[1] ?? 0) - (a[1] ?? 0))
          .slice(0, 2)
          .map(([k, v]) => `${k} ${(v ?? 0).toFixed(2)}`)
          .join(', ');
        return pass(`${faces.length} face${faces.length === 1 ? '' : 's'}, score ${best.score.toFixed(2)}, box ${Math.round(best.box[2])}x${Math.round(best.box[3])}${top ? `, ${top}` : ''}`);
      }
    }
    return fail(`no face found in ${tries} frames over 10 s`);
  },
};

const inference: Step = {
  name: 'inference',
  modules: ['detector', 'capture'],
  async run(env) {
    const det = need(env, 'detector', 'detector');
    if (isOutcome(det)) return det;
    let frame = env.scratch.frame;
    let source = 'camera frame';
    const src = env.services.frameSource;
    if (!frame && src) frame = env.scratch.frame = (await watchFrames(env, src, 1000)).last;
    if (!frame) {
      const { width, height } = env.config.camera;
      frame = { seq: 0, ts: env.clock.now(), width, height, format: 'bgr24', data: new Uint8Array(width * height * 3).fill(128) };
      source = 'grey test frame (no camera frame)';
    }
    const runs = 20;
    const ms: number[] = [];
    await det.detect(frame); // warm-up: first run allocates and (TensorRT) loads engines
    for (let i = 0; i < runs; i++) {
      const t0 = env.clock.now();
      await det.detect(frame);
      ms.push(env.clock.now() - t0);
    }
    ms.sort((a, b) => a - b);
    const info = det.info();
    const wanted = env.config.model.providers[0];
    const first = typeof wanted === 'string' ? wanted : (wanted?.name ?? 'cpu');
    const speed = `p50 ${percentile(ms, 0.5).toFixed(1)} ms, p95 ${percentile(ms, 0.95).toFixed(1)} ms over ${runs} runs on a ${source}`;
    if (info.provider !== first) {
      const why = info.fallbacks.map((f) => `${f.provider}: ${f.error}`).join('; ');
      return fail(`provider ${info.provider}, not the first choice ${first}${why ? ` (${why})` : ''}; ${speed}`);
    }
    return pass(`provider ${info.provider}, ${speed}`);
  },
};

/** Wait for a press of `name`; in demo mode press it virtually. */
async function pressOf(env: StepEnv, buttons: ButtonSource & VirtualButtons, name: ButtonName, prompt: string): Promise<ButtonEvent | null> {
  let resolveHit: (e: ButtonEvent) => void = () => undefined;
  const hit = new Promise<ButtonEvent>((r) => (resolveHit = r));
  let active = true;
  buttons.onButton((e) => {
    if (active && e.name === name && e.kind === 'press') resolveHit(e);
  });
  env.say(prompt);
  if (env.demo) void env.sleep(50).then(() => buttons.pressVirtual(name));
  const timeout = env.sleep(env.buttonTimeoutMs).then(() => null);
  const got = await Promise.race([hit, timeout]);
  active = false;
  return got;
}

function buttonNames(env: StepEnv): ButtonName[] {
  const c = env.config.controls;
  if (env.demo || !c.backends.includes('gpio')) return [...BUTTONS];
  return BUTTONS.filter((b) => c.gpio.buttons[b] !== undefined);
}

function buttonStep(name: ButtonName): Step {
  return {
    name: `button:${name}`,
    modules: ['controls'],
    async run(env) {
      const b = need(env, 'buttons', 'controls');
      if (isOutcome(b)) return b;
      if (!buttonNames(env).includes(name)) return pass('not configured (controls.gpio.buttons): skipped');
      const t0 = env.clock.now();
      b.setLights({ [name]: 'blink' });
      const e = await pressOf(env, b, name, `press the ${name.toUpperCase()} button (its light blinks) within ${Math.round(env.buttonTimeoutMs / 1000)} s`);
      b.setLights({ [name]: 'off' });
      if (!e) return fail(`not pressed within ${Math.round(env.buttonTimeoutMs / 1000)} s`);
      return pass(`pressed after ${Math.round(env.clock.now() - t0)} ms (${e.source})`);
    },
  };
}

const lights: Step = {
  name: 'lights',
  modules: ['controls'],
  async run(env) {
    const b = need(env, 'buttons', 'controls');
    if (isOutcome(b)) return b;
    const all = (mode: 'on' | 'off' | 'blink'): void => b.setLights(Object.fromEntries(BUTTONS.map((n) => [n, mode])));
    all('on');
    await env.sleep(500);
    all('blink');
    const failed = b.health().backends.filter((x) => x.state === 'failed');
    const ok = await pressOf(env, b, 'start', 'lights: every button light should blink now; press START to confirm');
    all('off');
    if (failed.length > 0) return fail(`backend failed: ${failed.map((f) => `${f.name}${f.error ? ` (${f.error})` : ''}`).join(', ')}`);
    if (!ok) return fail('not confirmed (START not pressed)');
    return pass(env.demo ? 'on, blink, off set; confirmed by the selftest itself (demo)' : 'on, blink, off set; confirmed by the operator');
  },
};

function firstClip(dir: string): string | null {
  const walk = (d: string, depth: number): string | null => {
    let entries;
    try {
      entries = readdirSync(d, { withFileTypes: true }).sort((a, b) => a.name.localeCompare(b.name));
    } catch {
      return null;
    }
    for (const e of entries) if (e.isFile() && ['.mp4', '.mkv', '.webm', '.mov', '.m4v'].includes(extname(e.name).toLowerCase())) return join(d, e.name);
    if (depth > 0) for (const e of entries) if (e.isDirectory()) {
      const hit = walk(join(d, e.name), depth - 1);
      if (hit) return hit;
    }
    return null;
  };
  // the attract loop first: it is what a booth shows most
  return walk(join(dir, 'attract'), 1) ?? walk(dir, 2);
}

const player: Step = {
  name: 'player',
  modules: ['player'],
  async run(env) {
    const p = need(env, 'player', 'player');
    if (isOutcome(p)) return p;
    const media = env.services.media;
    const clip = media?.attract() ?? firstClip(env.config.player.mediaDir);
    if (!clip) return fail(`no clip found under ${env.config.player.mediaDir}`);
    let resolveEv: (e: PlayerEvent) => void = () => undefined;
    const ev = new Promise<PlayerEvent>((r) => (resolveEv = r));
    p.onEvent((e) => {
      if ((e.type === 'started' || e.type === 'failed') && e.clip === clip) resolveEv(e);
    });
    const t0 = env.clock.now();
    await p.play(clip);
    const got = await Promise.race([ev, env.sleep(10_000).then(() => null)]);
    if (!got) {
      await p.stopClip();
      return fail(`${clip}: no start within 10 s`);
    }
    if (got.type === 'failed') return fail(`${clip}: ${got.reason}`);
    const startMs = Math.round(env.clock.now() - t0);
    await p.showText('pokerface selftest', 2000);
    const buttons = env.services.buttons;
    let confirmed = env.demo ? 'demo, not watched' : 'not confirmed (no buttons)';
    if (buttons && !env.demo) {
      const ok = await pressOf(env, buttons, 'start', 'player: a clip with "pokerface selftest" should show on the screen; press START to confirm');
      if (!ok) {
        await p.stopClip();
        return fail(`${clip} started in ${startMs} ms, but the operator did not confirm the picture`);
      }
      confirmed = 'confirmed by the operator';
    }
    await p.stopClip();
    return pass(`${clip} started in ${startMs} ms (${confirmed})`);
  },
};

export function brokerAddress(env: StepEnv): BrokerAddress | string {
  const m = env.config.mqtt;
  const base = { username: m.username, password: m.password, ca: m.tls.ca, cert: m.tls.cert, key: m.tls.key, rejectUnauthorized: m.tls.rejectUnauthorized };
  if (m.url === 'embedded') {
    const broker = env.services.broker;
    const u = broker ? new URL(broker.url()) : null;
    return { ...base, host: u?.hostname ?? m.embeddedHost, port: u ? Number(u.port) : m.embeddedPort, tls: false };
  }
  let u: URL;
  try {
    u = new URL(m.url);
  } catch {
    return `cannot parse mqtt.url`;
  }
  if (u.protocol !== 'mqtt:' && u.protocol !== 'mqtts:') return `${u.protocol}// brokers cannot be probed with the mosquitto clients`;
  const tls = u.protocol === 'mqtts:';
  return { ...base, host: u.hostname, port: u.port ? Number(u.port) : tls ? 8883 : 1883, tls };
}

const mqtt: Step = {
  name: 'mqtt',
  modules: ['broker', 'mqtt'],
  async run(env) {
    if (!env.config.mqtt.enabled) return pass('mqtt.enabled is false: skipped');
    const svc = need(env, 'mqtt', 'mqtt');
    if (isOutcome(svc)) return svc;
    // the service connects asynchronously after start
    const until = env.clock.now() + 10_000;
    while (!svc.health().healthy && env.clock.now() < until) await env.sleep(100);
    if (!svc.health().healthy) return fail(svc.health().reasons.join('; ') || 'not connected');
    const addr = brokerAddress(env);
    if (typeof addr === 'string') return fail(addr);
    // A request the daemon does not know: its error response, echoing our transaction,
    // proves broker → daemon (subscribe) → broker (publish) → us.
    const prefix = `pokerface/${env.config.boothId}/`;
    const transaction = `selftest-${Math.floor(env.clock.wall())}-${Math.floor(Math.random() * 1e6)}`;
    const t0 = env.clock.now();
    try {
      const reply = await env.mqttProbe.roundTrip(addr, `${prefix}request/selftest`, JSON.stringify({ transaction }), `${prefix}response/selftest`, 5000);
      if (!reply.includes(transaction)) return fail(`answer without our transaction: ${reply.slice(0, 200)}`);
      return pass(`request/selftest → response/selftest in ${Math.round(env.clock.now() - t0)} ms via ${addr.host}:${addr.port}`);
    } catch (e) {
      return fail((e as Error).message);
    }
  },
};

const rest: Step = {
  name: 'rest',
  modules: ['api'],
  async run(env) {
    if (!env.config.api.enabled) return pass('api.enabled is false: skipped');
    const api = need(env, 'api', 'api');
    if (isOutcome(api)) return api;
    let base = api.url();
    // a wildcard listen address is reached on loopback
    base = base.replace('//0.0.0.0:', '//127.0.0.1:').replace('//[::]:', '//[::1]:');
    try {
      const t0 = env.clock.now();
      const v = await env.fetch(`${base}/api/version`, { signal: AbortSignal.timeout(3000) });
      const ms = Math.round(env.clock.now() - t0);
      if (v.status !== 200) return fail(`GET /api/version answered ${v.status}`);
      const body = (await v.json()) as { version?: string };
      const h = await env.fetch(`${base}/api/health`, { signal: AbortSignal.timeout(3000) });
      await h.body?.cancel();
      return pass(`${base}: /api/version 200 (${body.version ?? '?'}) in ${ms} ms, /api/health ${h.status}`);
    } catch (e) {
      return fail(`${base}: ${(e as Error).message}`);
    }
  },
};

/** Every step in booth order. */
export function allSteps(): Step[] {
  return [camera, face, inference, ...BUTTONS.map(buttonStep), lights, player, mqtt, rest];
}

/** Names accepted by --only: step names, plus "buttons" for every button step. */
export function selectSteps(only: string[]): Step[] {
  const steps = allSteps();
  if (only.length === 0) return steps;
  const want = new Set(only.flatMap((o) => (o === 'buttons' ? BUTTONS.map((b) => `button:${b}`) : [o])));
  const unknown = [...want].filter((w) => !steps.some((s) => s.name === w));
  if (unknown.length > 0) throw new Error(`unknown step ${unknown.join(', ')}; steps: ${steps.map((s) => s.name).join(', ')}, buttons`);
  return steps.filter((s) => want.has(s.name));
}
