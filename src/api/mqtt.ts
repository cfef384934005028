// The MQTT side of the staff interfaces; the only file that imports `mqtt`.
//
// Delivery of events (QoS 1) across broker outages works in two layers:
//  - events not yet handed to the client wait in our bounded queue (oldest dropped and
//    counted only when full);
//  - events handed to the client but not acknowledged live in mqtt.js's outgoing store,
//    which it resends, in order and before emitting `connect`, on the next connection.
// We hand events over only while connected (after `connect`), so nothing is ever in
// both places (no needless duplicates), and we reconnect ourselves (for backoff) with
// the SAME store objects: MqttClient.reconnect() without them would start with empty
// stores and silently lose the in-flight events.
import { readFileSync } from 'node:fs';
import mqtt, { type IClientOptions, type IPublishPacket, type MqttClient } from 'mqtt';
import { PokerfaceError } from '../errors.js';
import { redact } from '../redact.js';
import type { FrozenConfig } from '../config/schema.js';
import type { Logger } from '../log.js';
import type { Clock, Lifecycle, ModuleHealth, Off } from '../types.js';
import { audit } from './audit.js';
import { tokenMatches } from './auth.js';
import { parsePayload, runCommand } from './commands.js';
import { eventPayload, scorePayload, statePayload, toWall, type PayloadContext } from './convert.js';
import { GameTally } from './game-tally.js';
import { HaScoreThrottle, homeAssistantDiscovery } from './home-assistant.js';
import { PAYLOAD_VERSION, type Availability, type EventPayload, type HaScorePayload, type ResponsePayload, type StatsPayload } from './payloads.js';
import { BoundedQueue, LatestThrottle, } from './queue.js';
import { Backoff } from '../backoff.js';
import { systemTimers, type Timers } from '../timers.js';
import type { MqttStatus, StaffServices } from './services.js';
import { nodeProcessInfo, safe, statsPayload, type ProcessInfo } from './stats.js';
import { runReload, type ReloadDeps } from './reload.js';
import { topicsFor, type Topics } from './topics.js';
import { healthReport } from './health.js';
import type { RestartVerdict } from '../ops/restart-limit.js';
import type { GameState } from '../types.js';

export interface MqttServiceOptions {
  config: FrozenConfig;
  log: Logger;
  clock: Clock;
  services: StaffServices;
  requestExit: (code: number, reason: string) => void;
  /** the restart limit shared with REST (absent: no limit) */
  restartLimiter?: { request(): RestartVerdict } | undefined;
  /** broker URL; defaults to config.mqtt.url (the embedded broker module hands in its own) */
  url?: () => string;
  /** forced protocol (4 for the embedded broker, which speaks MQTT 3.1.1 only) */
  protocolVersion?: 4 | 5;
  version?: string;
  /** what request/reload reloads (media rescan, game section of the config file) */
  reload?: ReloadDeps;
  /** the staff status page, for Home Assistant's device page (configuration_url) */
  statusPageUrl?: string;
  timers?: Timers;
  proc?: ProcessInfo;
  readFile?: (path: string) => Buffer;
  connect?: (url: string, opts: IClientOptions) => MqttClient;
  /** how long stop() waits for queued events to be acknowledged */
  drainMs?: number;
  /** the MQTT client id that published a request, when the broker can tell (the embedded one can) */
  whoSent?: (topic: string, payload: Buffer) => string | undefined;
}

/** commands that change the booth, logged with who sent them */
const AUDITED = new Set(['start', 'stop', 'restart', 'button']);

/** requests are a few fields; anything bigger is refused before parsing */
const MAX_REQUEST_BYTES = 16_384;

export class MqttService implements Lifecycle {
  readonly name = 'mqtt';
  private client: MqttClient | null = null;
  private stores = { incomingStore: new mqtt.Store(), outgoingStore: new mqtt.Store() };
  private readonly topics: Topics;
  private readonly queue: BoundedQueue<EventPayload>;
  private readonly backoff: Backoff;
  private readonly timers: Timers;
  private readonly proc: ProcessInfo;
  private readonly score: LatestThrottle<Parameters<typeof scorePayload>[0]>;
  private online = false;
  private stopping = false;
  private inflight = 0;
  private reconnects = 0;
  private connects = 0;
  private lastError: string | null = null;
  private reconnectTimer: unknown = null;
  private statsTimer: unknown = null;
  private lastProblems = '';
  private offs: Off[] = [];
  private drainWaiters: Array<() => void> = [];
  private urlInUse = '';
  private readonly ctx: PayloadContext;
  private readonly haScore: HaScoreThrottle;
  private readonly tally: GameTally;
  private lastTokenWarn = -Infinity;
  private tokenFailures = 0;

  constructor(private readonly o: MqttServiceOptions) {
    const m = o.config.mqtt;
    this.topics = topicsFor(o.config.boothId);
    this.ctx = { boothId: o.config.boothId, mediaDir: o.config.player.mediaDir };
    this.haScore = new HaScoreThrottle(() => o.clock.now());
    this.tally = new GameTally(() => o.clock.wall());
    this.queue = new BoundedQueue(m.queueSize);
    // up to 20% jitter so a fleet of booths does not reconnect in lockstep
    this.backoff = new Backoff({ initialMs: m.reconnectMinMs, maxMs: Math.max(m.reconnectMinMs, m.reconnectMaxMs), jitter: 0.2 });
    this.timers = o.timers ?? systemTimers;
    this.proc = o.proc ?? nodeProcessInfo;
    this.score = new LatestThrottle(1000 / m.scoreHz, () => o.clock.now(), this.timers, (s) => {
      if (this.online) this.publish(this.topics.score, JSON.stringify(scorePayload(s, o.clock, this.ctx)), 0, false);
    });
  }

  async start(): Promise<void> {
    const m = this.o.config.mqtt;
    this.stopping = false;
    this.urlInUse = this.o.url ? this.o.url() : m.url;
    // end() closes the stores, so each start gets fresh ones (kept across reconnects)
    this.stores = { incomingStore: new mqtt.Store(), outgoingStore: new mqtt.Store() };
    const opts: IClientOptions = {
      clientId: m.clientId || `pokerface-${this.o.config.boothId}`,
      protocolVersion: this.o.protocolVersion ?? m.protocolVersion,
      clean: true,
      keepalive: m.keepaliveS,
      connectTimeout: m.connectTimeoutMs,
      reconnectPeriod: 0, // we reconnect with backoff ourselves
      manualConnect: true,
      queueQoSZero: false,
      resubscribe: false, // we subscribe on every connect
      ...this.stores,
      will: { topic: this.topics.available, payload: Buffer.from('offline'), qos: 1, retain: true },
    };
    // MQTT 5: the broker must not send us anything larger (it drops it instead)
    if (opts.protocolVersion === 5) opts.properties = { maximumPacketSize: m.maxPacketBytes };
    if (m.username) opts.username = m.username;
    if (m.password) opts.password = m.password;
    const read = this.o.readFile ?? ((p: string) => readFileSync(p));
    for (const key of ['ca', 'cert', 'key'] as const) {
      const file = m.tls[key];
      if (!file) continue;
      try {
        opts[key] = read(file);
      } catch (e) {
        throw new PokerfaceError('POKERFACE_ERR_MQTT_TLS_FILE', `mqtt.tls.${key}: ${file}: ${(e as Error).message}`, { cause: e });
      }
    }
    if (m.tls.ca || m.tls.cert || this.urlInUse.startsWith('mqtts:') || this.urlInUse.startsWith('wss:')) {
      opts.rejectUnauthorized = m.tls.rejectUnauthorized;
    }
    const connect = this.o.connect ?? ((url: string, co: IClientOptions) => mqtt.connect(url, co));
    let client: MqttClient;
    try {
      client = connect(this.urlInUse, opts);
    } catch (e) {
      throw new PokerfaceError('POKERFACE_ERR_MQTT_CONNECT', `${this.urlInUse}: ${(e as Error).message}`, { cause: e });
    }
    this.client = client;
    client.on('connect', this.onConnect);
    client.on('close', this.onClose);
    client.on('error', this.onError);
    client.on('message', this.onMessage);

    const booth = this.o.services.booth;
    if (booth) {
      this.offs.push(
        booth.onState((s) => {
          if (this.online) this.publishState(s);
        }),
        booth.onScore((s) => {
          this.score.push(s);
          this.pushHaScore(s);
        }),
        booth.onResult((r) => this.tally.add(r)),
        booth.onEvent((e) => {
          this.queue.push(eventPayload(e, this.o.clock, this.ctx));
          this.pump();
        }),
      );
    }
    this.tally.seed(this.o.services.results);
    this.scheduleStats();
    this.o.log.info({ url: redactUrl(this.urlInUse), clientId: opts.clientId, protocolVersion: opts.protocolVersion }, 'connecting to the MQTT broker');
    client.connect();
  }

  async stop(): Promise<void> {
    this.stopping = true;
    for (const off of this.offs.splice(0)) safe(off);
    this.score.cancel();
    if (this.statsTimer !== null) this.timers.clearTimeout(this.statsTimer);
    if (this.reconnectTimer !== null) this.timers.clearTimeout(this.reconnectTimer);
    this.statsTimer = this.reconnectTimer = null;
    const client = this.client;
    if (!client) return;
    if (this.online) {
      await this.waitDrained(this.o.drainMs ?? 1500);
      if (this.queue.length + this.inflight > 0) {
        this.o.log.warn({ queued: this.queue.length, inflight: this.inflight }, 'stopping with MQTT events not yet acknowledged');
      }
      // Home Assistant knows only online/offline; the retained state says why
      const last = this.o.services.booth ? safe(() => this.o.services.booth?.state()) : undefined;
      if (last) this.publish(this.topics.state, JSON.stringify({ ...statePayload(last, this.o.clock, this.ctx), reason: 'stopped' }), 1, true);
      await withTimeout(
        new Promise<void>((resolve) => this.publish(this.topics.available, 'offline' satisfies Availability, 1, true, () => resolve())),
        1000,
        this.timers,
      );
    }
    const wasOnline = this.online;
    this.online = false;
    // a clean DISCONNECT keeps the broker from sending the will (the same "offline" anyway)
    if (wasOnline) await withTimeout(new Promise<void>((resolve) => client.end(false, {}, () => resolve())), 1000, this.timers);
    if (!client.disconnected) await withTimeout(new Promise<void>((resolve) => client.end(true, {}, () => resolve())), 1000, this.timers);
    client.removeAllListeners();
    // a late socket error after end() must not become an unhandled 'error' event
    client.on('error', () => undefined);
    this.client = null;
  }

  status(): MqttStatus {
    return { connected: this.online, queued: this.queue.length + this.inflight, dropped: this.queue.dropped, reconnects: this.reconnects };
  }

  health(): ModuleHealth {
    const reasons: string[] = [];
    if (!this.online) reasons.push(`not connected to the MQTT broker ${redactUrl(this.urlInUse)}${this.lastError ? `: ${this.lastError}` : ''}`);
    if (this.queue.dropped > 0) reasons.push(`${this.queue.dropped} events dropped (queue full)`);
    return { name: this.name, healthy: this.online, reasons };
  }

  // ------------------------------------------------------------------ connection

  private readonly onConnect = (): void => {
    const client = this.client;
    if (!client || this.stopping) return;
    this.online = true;
    this.lastError = null;
    this.backoff.reset();
    if (this.connects++ > 0) this.reconnects++;
    this.o.log.info({ url: redactUrl(this.urlInUse) }, 'connected to the MQTT broker');
    // MQTT 5 "retain as published": a retained request keeps its flag even when delivered
    // live, so it is refused every time, never run (MQTT 3.1.1 brokers clear the flag on
    // live delivery; see docs/api.md "Retained requests")
    client.subscribe(this.topics.requestFilter, { qos: 1, ...(client.options.protocolVersion === 5 ? { rap: true } : {}) }, (err) => {
      if (err) this.o.log.warn({ err: err.message }, 'could not subscribe to requests');
    });
    const ha = this.o.config.mqtt.homeAssistant;
    if (ha.enabled) {
      client.subscribe(`${ha.prefix}/status`, { qos: 1 }, () => undefined);
      this.publishDiscovery();
    }
    const booth = this.o.services.booth;
    const state = booth ? safe(() => booth.state()) : undefined;
    if (state) this.publishState(state);
    this.publishStats();
    this.publish(this.topics.available, 'online' satisfies Availability, 1, true);
    this.pump();
  };

  private readonly onClose = (): void => {
    if (this.online) this.o.log.warn({ queued: this.queue.length, inflight: this.inflight }, 'lost the MQTT broker; events wait in the queue');
    this.online = false;
    if (this.stopping || this.reconnectTimer !== null || !this.client) return;
    const delay = this.backoff.next();
    this.reconnectTimer = this.timers.setTimeout(() => {
      this.reconnectTimer = null;
      if (this.stopping || !this.client) return;
      // the same stores: what was in flight is resent on the new connection
      this.client.reconnect(this.stores);
    }, delay);
  };

  private readonly onError = (err: Error): void => {
    const msg = err.message;
    if (msg !== this.lastError) this.o.log.warn({ err: msg }, 'MQTT connection error');
    this.lastError = msg;
  };

  // ------------------------------------------------------------------ publishing

  private publish(topic: string, payload: string, qos: 0 | 1, retain: boolean, cb?: (err?: Error) => void): void {
    const client = this.client;
    if (!client) return cb?.(new Error('not started'));
    // every payload leaves through here: stats and state quote camera inputs and errors
    client.publish(topic, redact(payload), { qos, retain }, (err) => cb?.(err));
  }

  /** Hand queued events to the client while connected, keeping at most inflightMax unacknowledged. */
  private pump(): void {
    const max = this.o.config.mqtt.inflightMax;
    while (this.online && !this.stopping && this.inflight < max && this.queue.length > 0) {
      const ev = this.queue.shift() as EventPayload;
      this.inflight++;
      this.publish(this.topics.event, JSON.stringify(ev), 1, false, (err) => {
        // An error here means the connection closed first; the event stays in the
        // client's outgoing store and is resent on reconnect, so it is not queued again.
        if (err) this.o.log.debug({ id: ev.id, err: err.message }, 'event awaits resend after reconnect');
        this.inflight--;
        this.pump();
        if (this.inflight === 0 && this.queue.length === 0) for (const w of this.drainWaiters.splice(0)) w();
      });
    }
  }

  private waitDrained(ms: number): Promise<void> {
    if (this.inflight === 0 && this.queue.length === 0) return Promise.resolve();
    const drained = new Promise<void>((resolve) => this.drainWaiters.push(resolve));
    this.pump();
    return withTimeout(drained, ms, this.timers);
  }

  /**
   * The retained state carries `problems` (what the booth is healing by itself, e.g.
   * "capture: camera missing since 12:03:05, retrying every 30 s") while there are any;
   * `available` stays online then, since the booth still answers.
   */
  private publishState(s: GameState): void {
    const problems = this.problems();
    this.lastProblems = problems.join('\n');
    const p = { ...statePayload(s, this.o.clock, this.ctx), ...(problems.length > 0 ? { problems } : {}) };
    this.publish(this.topics.state, JSON.stringify(p), 1, true);
  }

  private problems(): string[] {
    const h = safe(() => healthReport(this.o.services, this.o.config));
    return (h?.reasons ?? []).filter((r) => !r.startsWith('mqtt:')).slice(0, 10);
  }

  private publishStats(): void {
    if (!this.online) return;
    // problems appear and clear between state changes: republish the state when they do
    const booth = this.o.services.booth;
    if (booth && this.problems().join('\n') !== this.lastProblems) {
      const state = safe(() => booth.state());
      if (state) this.publishState(state);
    }
    const base = statsPayload(this.o.services, this.proc, { queued: this.queue.length + this.inflight, dropped: this.queue.dropped });
    const mods = safe(() => this.o.services.daemon?.health());
    const p: StatsPayload = {
      ...base,
      boothId: this.ctx.boothId,
      version: this.o.version ?? '0.0.0',
      ...(mods ? { health: { healthy: mods.every((m) => m.healthy), reasons: mods.flatMap((m) => m.reasons.map((r) => `${m.name}: ${r}`)) } } : {}),
      game: this.tally.summary(),
    };
    this.publish(this.topics.stats, JSON.stringify(p), 0, true);
  }

  /** Home Assistant gets the score throttled (its recorder stores every state change) */
  private pushHaScore(s: Parameters<typeof scorePayload>[0]): void {
    if (!this.online || !this.o.config.mqtt.homeAssistant.enabled) return;
    const value = this.haScore.offer(s.smoothed, s.faces);
    if (value === null) return;
    const p: HaScorePayload = { v: PAYLOAD_VERSION, boothId: this.ctx.boothId, ts: toWall(this.o.clock, s.ts), smoothed: value, faces: s.faces };
    this.publish(this.topics.haScore, JSON.stringify(p), 0, false);
  }

  private scheduleStats(): void {
    this.statsTimer = this.timers.setTimeout(() => {
      this.publishStats();
      if (!this.stopping) this.scheduleStats();
    }, this.o.config.mqtt.statsIntervalS * 1000);
  }

  private publishDiscovery(): void {
    const ha = this.o.config.mqtt.homeAssistant;
    const docs = homeAssistantDiscovery({
      haPrefix: ha.prefix,
      boothId: this.o.config.boothId,
      topics: this.topics,
      version: this.o.version ?? '0.0.0',
      configurationUrl: this.o.statusPageUrl ?? '',
    });
    for (const d of docs) {
      this.publish(d.topic, d.payload, 1, true);
    }
  }

  // ------------------------------------------------------------------ requests

  private readonly onMessage = (topic: string, payload: Buffer, packet: IPublishPacket): void => {
    try {
      const ha = this.o.config.mqtt.homeAssistant;
      if (ha.enabled && topic === `${ha.prefix}/status`) {
        if (payload.toString().trim() === 'online') this.publishDiscovery();
        return;
      }
      const cmd = this.topics.commandOf(topic);
      if (cmd === null) return;
      this.handleRequest(cmd, payload, packet);
    } catch (e) {
      this.o.log.error({ err: e, topic }, 'MQTT message handler failed');
    }
  };

  private handleRequest(cmd: string, payload: Buffer, packet: IPublishPacket): void {
    const respond = (response: ResponsePayload, after?: () => void): void => {
      const props = packet.properties?.correlationData ? { correlationData: packet.properties.correlationData } : undefined;
      const client = this.client;
      if (!client) return;
      let done = false;
      let timer: unknown = null;
      const finish = (): void => {
        if (done) return;
        done = true;
        if (timer !== null) this.timers.clearTimeout(timer);
        after?.();
      };
      // a restart must not wait forever for an acknowledgement
      if (after) timer = this.timers.setTimeout(finish, 1000);
      client.publish(this.topics.response(cmd), redact(JSON.stringify({ ...response, boothId: this.ctx.boothId })), { qos: 1, retain: false, ...(props ? { properties: props } : {}) }, finish);
    };
    // an empty payload is how a retained request gets cleared: nothing to run or answer
    if (payload.length === 0) return;
    if (payload.length > MAX_REQUEST_BYTES) {
      respond({ v: 1, transaction: null, ok: false, code: 'POKERFACE_ERR_MQTT_BAD_REQUEST', message: `payload is larger than ${MAX_REQUEST_BYTES} bytes` });
      return;
    }
    if (packet.retain) {
      const p = parsePayload(payload);
      const transaction = p.ok && typeof (p.value as { transaction?: unknown })?.transaction === 'string' ? (p.value as { transaction: string }).transaction : null;
      respond({ v: 1, transaction, ok: false, code: 'POKERFACE_ERR_MQTT_BAD_REQUEST', message: 'retained requests are ignored; publish requests without the retain flag' });
      return;
    }
    const parsed = parsePayload(payload);
    if (!parsed.ok) {
      respond({ v: 1, transaction: null, ok: false, code: 'POKERFACE_ERR_MQTT_BAD_REQUEST', message: parsed.message });
      return;
    }
    const who = this.o.whoSent?.(packet.topic, payload) ?? 'unknown';
    const requestToken = this.o.config.mqtt.requestToken;
    if (requestToken !== '') {
      const given = (parsed.value as { token?: unknown } | null)?.token;
      if (typeof given !== 'string' || !tokenMatches(given, requestToken)) {
        const transaction = typeof (parsed.value as { transaction?: unknown } | null)?.transaction === 'string' ? ((parsed.value as { transaction: string }).transaction.slice(0, 128)) : null;
        this.warnTokenFailure(cmd, who, typeof given === 'string' ? 'wrong' : 'missing');
        if (AUDITED.has(cmd)) audit(this.o.log, { action: cmd, via: 'mqtt', who, transaction, ok: false, code: 'POKERFACE_ERR_MQTT_UNAUTHORIZED' });
        respond({ v: 1, transaction, ok: false, code: 'POKERFACE_ERR_MQTT_UNAUTHORIZED', message: 'request token missing or wrong' });
        return;
      }
    }
    if (cmd === 'reload') {
      void runReload(parsed.value, this.o.reload ?? {}).then((response) => {
        this.o.log.info({ cmd, ok: response.ok, code: response.code, transaction: response.transaction, detail: response.detail }, 'MQTT request');
        respond(response);
      });
      return;
    }
    const limiter = this.o.restartLimiter;
    const out = runCommand(cmd, parsed.value, { booth: () => this.o.services.booth, requestExit: this.o.requestExit, ...(limiter ? { restart: () => limiter.request() } : {}) });
    if (AUDITED.has(cmd)) {
      const name = (parsed.value as { name?: unknown } | null)?.name;
      audit(this.o.log, {
        action: cmd,
        via: 'mqtt',
        who,
        transaction: out.response.transaction,
        ok: out.response.ok,
        ...(out.response.code ? { code: out.response.code } : {}),
        ...(cmd === 'button' && typeof name === 'string' ? { button: name.slice(0, 32) } : {}),
      });
    } else this.o.log.info({ cmd, ok: out.response.ok, code: out.response.code, transaction: out.response.transaction }, 'MQTT request');
    respond(out.response, out.after);
  }

  /** at most one warning every 5 s, with the count of failures since the last one */
  private warnTokenFailure(cmd: string, who: string, why: 'missing' | 'wrong'): void {
    this.tokenFailures++;
    const t = this.o.clock.now();
    if (t - this.lastTokenWarn < 5000) return;
    this.lastTokenWarn = t;
    this.o.log.warn({ cmd, who, why, failures: this.tokenFailures }, 'MQTT request refused: token missing or wrong (mqtt.requestToken)');
    this.tokenFailures = 0;
  }
}

function withTimeout(p: Promise<void>, ms: number, timers: Timers): Promise<void> {
  return new Promise<void>((resolve) => {
    const t = timers.setTimeout(resolve, ms);
    void p.then(() => {
      timers.clearTimeout(t);
      resolve();
    });
  });
}

/** A URL safe to log: no user info (the one redaction function, src/redact.ts). */
export function redactUrl(url: string): string {
  return redact(url);
}

/** A plain client for tools (`pokerface fleet`, benches), so this file stays the one that imports mqtt. */
export function openMqttClient(url: string, opts: IClientOptions = {}): MqttClient {
  return mqtt.connect(url, opts);
}
export type { MqttClient };
