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
import type { FrozenConfig } from '../config/schema.js';
import type { Logger } from '../log.js';
import type { Clock, Lifecycle, ModuleHealth, Off } from '../types.js';
import { parsePayload, runCommand } from './commands.js';
import { eventPayload, scorePayload, statePayload } from './convert.js';
import type { Availability, EventPayload, ResponsePayload } from './payloads.js';
import { Backoff, BoundedQueue, LatestThrottle, } from './queue.js';
import { systemTimers, type Timers } from '../timers.js';
import type { MqttStatus, StaffServices } from './services.js';
import { nodeProcessInfo, safe, statsPayload, type ProcessInfo } from './stats.js';
import { homeAssistantDiscovery, topicsFor, type Topics } from './topics.js';
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
  timers?: Timers;
  proc?: ProcessInfo;
  readFile?: (path: string) => Buffer;
  connect?: (url: string, opts: IClientOptions) => MqttClient;
  /** how long stop() waits for queued events to be acknowledged */
  drainMs?: number;
}

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

  constructor(private readonly o: MqttServiceOptions) {
    const m = o.config.mqtt;
    this.topics = topicsFor(o.config.boothId);
    this.queue = new BoundedQueue(m.queueSize);
    this.backoff = new Backoff(m.reconnectMinMs, Math.max(m.reconnectMinMs, m.reconnectMaxMs));
    this.timers = o.timers ?? systemTimers;
    this.proc = o.proc ?? nodeProcessInfo;
    this.score = new LatestThrottle(1000 / m.scoreHz, () => o.clock.now(), this.timers, (s) => {
      if (this.online) this.publish(this.topics.score, JSON.stringify(scorePayload(s, o.clock)), 0, false);
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
        booth.onScore((s) => this.score.push(s)),
        booth.onEvent((e) => {
          this.queue.push(eventPayload(e, this.o.clock));
          this.pump();
        }),
      );
    }
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
      await withTimeout(
        new Promise<void>((resolve) => this.publish(this.topics.available, 'stopped' satisfies Availability, 1, true, () => resolve())),
        1000,
      );
    }
    const wasOnline = this.online;
    this.online = false;
    // a clean DISCONNECT keeps the broker from sending the will, so "stopped" stays retained
    if (wasOnline) await withTimeout(new Promise<void>((resolve) => client.end(false, {}, () => resolve())), 1000);
    if (!client.disconnected) await withTimeout(new Promise<void>((resolve) => client.end(true, {}, () => resolve())), 1000);
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
    client.subscribe(this.topics.requestFilter, { qos: 1 }, (err) => {
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
    client.publish(topic, payload, { qos, retain }, (err) => cb?.(err));
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
    return withTimeout(drained, ms);
  }

  /**
   * The retained state carries `problems` (what the booth is healing by itself, e.g.
   * "capture: camera missing since 12:03:05, retrying every 30 s") while there are any;
   * `available` stays online then, since the booth still answers.
   */
  private publishState(s: GameState): void {
    const problems = this.problems();
    this.lastProblems = problems.join('\n');
    const p = { ...statePayload(s, this.o.clock), ...(problems.length > 0 ? { problems } : {}) };
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
    const p = statsPayload(this.o.services, this.proc, { queued: this.queue.length + this.inflight, dropped: this.queue.dropped });
    this.publish(this.topics.stats, JSON.stringify(p), 0, true);
  }

  private scheduleStats(): void {
    this.statsTimer = this.timers.setTimeout(() => {
      this.publishStats();
      if (!this.stopping) this.scheduleStats();
    }, this.o.config.mqtt.statsIntervalS * 1000);
  }

  private publishDiscovery(): void {
    const ha = this.o.config.mqtt.homeAssistant;
    for (const d of homeAssistantDiscovery(ha.prefix, this.o.config.boothId, this.topics, this.o.version ?? '0.0.0')) {
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
      client.publish(this.topics.response(cmd), JSON.stringify(response), { qos: 1, retain: false, ...(props ? { properties: props } : {}) }, finish);
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
    const limiter = this.o.restartLimiter;
    const out = runCommand(cmd, parsed.value, { booth: () => this.o.services.booth, requestExit: this.o.requestExit, ...(limiter ? { restart: () => limiter.request() } : {}) });
    this.o.log.info({ cmd, ok: out.response.ok, code: out.response.code, transaction: out.response.transaction }, 'MQTT request');
    respond(out.response, out.after);
  }
}

function withTimeout(p: Promise<void>, ms: number): Promise<void> {
  return new Promise<void>((resolve) => {
    const t = setTimeout(resolve, ms);
    void p.then(() => {
      clearTimeout(t);
      resolve();
    });
  });
}

/** A URL safe to log: no user info. */
export function redactUrl(url: string): string {
  try {
    const u = new URL(url);
    if (u.username || u.password) {
      u.username = '';
      u.password = '';
    }
    return u.toString();
  } catch {
    return url;
  }
}
