// Typed module wiring. ServiceMap names every service modules offer one another; each
// module declares the keys it needs, wants (optional), watches (read only at run time)
// and provides, and the daemon derives the start order from those declarations. A
// misnamed or undeclared service is a compile error; a need nobody provides, or needs
// that form a cycle, is a clear start-up error (POKERFACE_ERR_WIRING).
import type { FrozenConfig } from './config/schema.js';
import { PokerfaceError } from './errors.js';
import type { Logger } from './log.js';
import type { BoothRunner } from './booth/runner.js';
import type { CaptureRecovery } from './capture/supervisor.js';
import type { InferenceTimings, MqttStatus, StaffMedia } from './api/services.js';
import type { NotifierService, NotifierSources } from './ops/notify.js';
import type { RestartLimiter } from './ops/restart-limit.js';
import type { MediaLibrary } from './player/media.js';
import type { BoothScreen, ButtonSource, Clock, Detector, FrameSource, Lifecycle, ModuleHealth, Player, ResultsStore, VirtualButtons } from './types.js';

/** Every service a module may offer, by its one name. */
export interface ServiceMap {
  /** the daemon itself (always there): merged health of the started modules */
  daemon: { health(): ModuleHealth[] };
  /** sd_notify: extend the start timeout, STATUS= lines */
  notifier: NotifierService;
  /** records the children (mpv, capture) a killed predecessor may leave behind */
  children: { track(pid: number | null | undefined): void };
  results: ResultsStore;
  detector: Detector & NonNullable<NotifierSources['detector']> & Partial<InferenceTimings>;
  frameSource: FrameSource & { recovery?(): CaptureRecovery | null };
  media: MediaLibrary & StaffMedia;
  player: Player;
  /** the HUD and crack cam; only with player.hud on */
  screen: BoothScreen;
  buttons: ButtonSource & VirtualButtons;
  booth: BoothRunner['control'];
  /** the embedded MQTT broker (mqtt.url "embedded") */
  broker: { url(): string; whoSent(topic: string, payload: Buffer): string | undefined };
  mqtt: { status(): MqttStatus; health(): ModuleHealth };
  api: { url(): string };
  /** one restart limit for REST and MQTT */
  restartLimiter: RestartLimiter;
}

export type ServiceName = keyof ServiceMap;
/** The running services: filled in as modules are created. */
export type Services = { [K in ServiceName]?: ServiceMap[K] | undefined };

/** Services the daemon offers itself, before any module. */
export const BUILTIN_SERVICES: readonly ServiceName[] = ['daemon'];

/** What a module sees of the services: its needs are there, its wants and watches may be. */
export type ServiceView<N extends ServiceName, O extends ServiceName> = { readonly [K in N]: ServiceMap[K] } & { readonly [K in O]?: ServiceMap[K] | undefined };

export interface ModuleContext<N extends ServiceName = never, O extends ServiceName = never> {
  config: FrozenConfig;
  log: Logger;
  clock: Clock;
  /** a live view: a watched service created later is seen once it exists */
  services: ServiceView<N, O>;
  /** ask the daemon to stop and exit with this code (POST /api/restart, fatal module errors) */
  requestExit(code: number, reason: string): void;
  /** the file the config came from, when it came from one (request/reload re-reads it) */
  configFile?: string | undefined;
}

/** What a module's create() hands back. */
export interface Created<P extends ServiceName = never, Q extends ServiceName = never> {
  /** started after creation, stopped in reverse order; null: a module of services only */
  lifecycle: Lifecycle | null;
  services: { [K in P]: ServiceMap[K] } & { [K in Q]?: ServiceMap[K] | undefined };
  /** called once every module has started (systemd READY=1) */
  allStarted?(): void;
  /** called first on a clean stop, before any module stops (systemd STOPPING=1) */
  stopBegins?(): void;
}

/** A module as the daemon handles it; build one with defineModule() to have it type-checked. */
export interface ModuleSpec {
  readonly name: string;
  /** services that must exist before create(): the module starts after their providers */
  readonly needs: readonly ServiceName[];
  /** optional services: when some module provides one, this module starts after it */
  readonly wants?: readonly ServiceName[] | undefined;
  /** optional services read only while running: no start-order constraint */
  readonly watches?: readonly ServiceName[] | undefined;
  /** services create() always hands back (unless the config switches the module off) */
  readonly provides: readonly ServiceName[];
  /** services create() may hand back (e.g. only with some option on) */
  readonly mayProvide?: readonly ServiceName[] | undefined;
  /** build the module (constructors only assign); null when the config switches it off */
  create(ctx: ModuleContext): Created | null | Promise<Created | null>;
}

export interface ModuleDef<N extends ServiceName, O extends ServiceName, W extends ServiceName, P extends ServiceName, Q extends ServiceName> {
  name: string;
  needs: readonly N[];
  wants?: readonly O[];
  watches?: readonly W[];
  provides: readonly P[];
  mayProvide?: readonly Q[];
  create(ctx: ModuleContext<N, O | W>): Created<P, Q> | null | Promise<Created<P, Q> | null>;
}

/** A module whose services are checked against its declarations at compile time. */
export function defineModule<N extends ServiceName = never, O extends ServiceName = never, W extends ServiceName = never, P extends ServiceName = never, Q extends ServiceName = never>(
  def: ModuleDef<N, O, W, P, Q>,
): ModuleSpec {
  return def;
}

const wiringError = (detail: string): PokerfaceError => new PokerfaceError('POKERFACE_ERR_WIRING', detail);

/**
 * The start order: every module after the providers of what it needs or wants, ties
 * kept in the given order. Throws POKERFACE_ERR_WIRING for a need nobody provides, a
 * service two modules provide, or needs that form a cycle.
 */
export function startOrder(specs: readonly ModuleSpec[], builtins: readonly ServiceName[] = BUILTIN_SERVICES): ModuleSpec[] {
  const provider = new Map<ServiceName, number>();
  const always = new Set<ServiceName>(builtins);
  specs.forEach((s, i) => {
    for (const k of [...s.provides, ...(s.mayProvide ?? [])]) {
      const other = provider.get(k);
      if (other !== undefined || always.has(k)) throw wiringError(`service "${k}" is provided by both ${other !== undefined ? specs[other]?.name : 'the daemon'} and ${s.name}`);
      provider.set(k, i);
    }
  });
  const mayOnly = new Set(specs.flatMap((s) => s.mayProvide ?? []));
  const deps = specs.map((s, i) => {
    const d = new Map<number, ServiceName>();
    for (const k of s.needs) {
      if (always.has(k)) continue;
      const p = provider.get(k);
      if (p === undefined) throw wiringError(`${s.name} needs service "${k}", which no module provides`);
      if (mayOnly.has(k)) throw wiringError(`${s.name} needs service "${k}", which ${specs[p]?.name} only may provide (list it under wants)`);
      if (p !== i) d.set(p, k);
      else throw wiringError(`${s.name} needs service "${k}", which it provides itself`);
    }
    for (const k of s.wants ?? []) {
      const p = provider.get(k);
      if (p !== undefined && p !== i) d.set(p, k);
    }
    return d;
  });
  const placed = new Set<number>();
  const order: ModuleSpec[] = [];
  while (order.length < specs.length) {
    const next = specs.findIndex((_, i) => !placed.has(i) && [...(deps[i]?.keys() ?? [])].every((p) => placed.has(p)));
    if (next < 0) throw wiringError(`needs form a cycle: ${describeCycle(specs, deps, placed)}`);
    placed.add(next);
    order.push(specs[next] as ModuleSpec);
  }
  return order;
}

/** "a needs x (from b), b needs y (from a)" for one cycle among the unplaced modules. */
function describeCycle(specs: readonly ModuleSpec[], deps: ReadonlyArray<ReadonlyMap<number, ServiceName>>, placed: ReadonlySet<number>): string {
  // every unplaced module waits on another unplaced one: walk until a module repeats
  const path: number[] = [];
  let at = specs.findIndex((_, i) => !placed.has(i));
  while (!path.includes(at)) {
    path.push(at);
    at = [...(deps[at]?.keys() ?? [])].find((p) => !placed.has(p)) as number;
  }
  const cycle = path.slice(path.indexOf(at));
  return cycle
    .map((i, n) => {
      const from = cycle[(n + 1) % cycle.length] as number;
      return `${specs[i]?.name} needs "${deps[i]?.get(from)}" (from ${specs[from]?.name})`;
    })
    .join(', ');
}

/**
 * Create one module against the running services: check its needs are there (a provider
 * switched off by the config leaves them missing), then register what it hands back.
 */
export async function createModule(spec: ModuleSpec, ctx: Omit<ModuleContext, 'services'>, services: Services): Promise<Created | null> {
  const missing = spec.needs.filter((k) => services[k] === undefined);
  if (missing.length > 0) throw wiringError(`${spec.name} needs ${missing.map((k) => `"${k}"`).join(', ')}, which no running module provides (switched off in the configuration?)`);
  const made = await spec.create({ ...ctx, services });
  if (!made) return null;
  const offered = made.services as Services;
  const allowed = new Set([...spec.provides, ...(spec.mayProvide ?? [])]);
  for (const k of Object.keys(offered) as ServiceName[]) {
    if (!allowed.has(k)) throw wiringError(`${spec.name} handed back service "${k}" it does not declare`);
  }
  const absent = spec.provides.filter((k) => offered[k] === undefined);
  if (absent.length > 0) throw wiringError(`${spec.name} did not hand back ${absent.map((k) => `"${k}"`).join(', ')}`);
  for (const k of Object.keys(offered) as ServiceName[]) {
    if (offered[k] !== undefined) (services as Record<ServiceName, unknown>)[k] = offered[k];
  }
  return made;
}
