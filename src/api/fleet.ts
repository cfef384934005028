// `pokerface fleet`: every booth on a broker, read from their retained topics, and
// requests to one booth or all of them. The MQTT client comes in as an interface, so
// the logic is tested without a broker and the CLI hands in a real client.
import type { Availability, ResponsePayload, StatePayload, StatsPayload } from './payloads.js';

/** The part of an MQTT client the fleet view uses (mqtt.js's MqttClient has it). */
export interface FleetClient {
  subscribeAsync(topic: string | string[], opts: { qos: 0 | 1 }): Promise<unknown>;
  publishAsync(topic: string, payload: string, opts: { qos: 0 | 1; retain?: boolean }): Promise<unknown>;
  on(event: 'message', cb: (topic: string, payload: Buffer, packet: { retain: boolean }) => void): unknown;
  removeListener(event: 'message', cb: (topic: string, payload: Buffer, packet: { retain: boolean }) => void): unknown;
}

export interface BoothView {
  boothId: string;
  available: Availability | null;
  state: StatePayload | null;
  stats: StatsPayload | null;
}

const TOPIC = /^pokerface\/([A-Za-z0-9_-]{1,64})\/(available|state|stats)$/;

export class FleetCollector {
  readonly booths = new Map<string, BoothView>();
  lastMessageAt = 0;

  constructor(private readonly now: () => number) {}

  /**
   * true when the message was one of a booth's topics. Only retained copies (what the
   * broker sends on subscribe) move lastMessageAt: live updates from busy booths never
   * stop, so waiting for them to pause would never end on a large fleet.
   */
  take(topic: string, payload: Buffer, retained = true): boolean {
    const m = TOPIC.exec(topic);
    if (!m) return false;
    const id = m[1] as string;
    const view = this.booths.get(id) ?? { boothId: id, available: null, state: null, stats: null };
    const text = payload.toString();
    if (retained) this.lastMessageAt = this.now();
    if (text === '') {
      // a cleared retained topic: nothing more to show for it
      if (m[2] === 'available') view.available = null;
      else if (m[2] === 'state') view.state = null;
      else view.stats = null;
    } else if (m[2] === 'available') {
      view.available = text === 'online' ? 'online' : 'offline';
    } else {
      try {
        const json = JSON.parse(text) as unknown;
        if (m[2] === 'state') view.state = json as StatePayload;
        else view.stats = json as StatsPayload;
      } catch {
        return false;
      }
    }
    this.booths.set(id, view);
    return true;
  }

  list(): BoothView[] {
    return [...this.booths.values()].filter((b) => b.available !== null || b.state !== null || b.stats !== null).sort((a, b) => a.boothId.localeCompare(b.boothId));
  }
}

export interface ListOptions {
  /** stop once no retained message came for this long */
  quietMs: number;
  /** and in any case after this long */
  maxMs: number;
  now: () => number;
  sleep: (ms: number) => Promise<void>;
}

/** Subscribe to every booth's retained topics and gather them until the broker goes quiet. */
export async function listBooths(client: FleetClient, o: ListOptions): Promise<BoothView[]> {
  const c = new FleetCollector(o.now);
  const onMessage = (topic: string, payload: Buffer, packet: { retain: boolean }): void => void c.take(topic, payload, packet.retain);
  client.on('message', onMessage);
  try {
    const t0 = o.now();
    await client.subscribeAsync(['pokerface/+/available', 'pokerface/+/state', 'pokerface/+/stats'], { qos: 1 });
    c.lastMessageAt = Math.max(c.lastMessageAt, o.now());
    while (o.now() - c.lastMessageAt < o.quietMs && o.now() - t0 < o.maxMs) await o.sleep(Math.min(25, o.quietMs));
    return c.list();
  } finally {
    client.removeListener('message', onMessage);
  }
}

export interface RequestResult {
  boothId: string;
  response: ResponsePayload | null;
  ms: number | null;
}

export interface RequestOptions {
  cmd: string;
  body: Record<string, unknown>;
  timeoutMs: number;
  now: () => number;
  sleep: (ms: number) => Promise<void>;
  /** unique per call; each booth's transaction is `${tag}-${boothId}` */
  tag: string;
}

/** Send request/<cmd> to each booth and wait for their responses (null: none in time). */
export async function requestBooths(client: FleetClient, boothIds: string[], o: RequestOptions): Promise<RequestResult[]> {
  const results = new Map<string, RequestResult>(boothIds.map((id) => [id, { boothId: id, response: null, ms: null }]));
  const sentAt = new Map<string, number>();
  const re = new RegExp(`^pokerface/([A-Za-z0-9_-]{1,64})/response/${o.cmd.replace(/[^a-z0-9_-]/gi, '')}$`);
  let pending = boothIds.length;
  const onMessage = (topic: string, payload: Buffer): void => {
    const m = re.exec(topic);
    const r = m ? results.get(m[1] as string) : undefined;
    if (!r || r.response) return;
    try {
      const p = JSON.parse(payload.toString()) as ResponsePayload;
      if (p.transaction !== `${o.tag}-${r.boothId}`) return;
      r.response = p;
      r.ms = o.now() - (sentAt.get(r.boothId) ?? o.now());
      pending--;
    } catch {
      // not a response of ours
    }
  };
  client.on('message', onMessage);
  try {
    await client.subscribeAsync(`pokerface/+/response/${o.cmd}`, { qos: 1 });
    await Promise.all(
      boothIds.map((id) => {
        sentAt.set(id, o.now());
        return client.publishAsync(`pokerface/${id}/request/${o.cmd}`, JSON.stringify({ ...o.body, v: 1, transaction: `${o.tag}-${id}` }), { qos: 1 });
      }),
    );
    const t0 = o.now();
    while (pending > 0 && o.now() - t0 < o.timeoutMs) await o.sleep(20);
    return [...results.values()];
  } finally {
    client.removeListener('message', onMessage);
  }
}

const ago = (ms: number): string => (ms < 90_000 ? `${Math.round(ms / 1000)}s` : ms < 5_400_000 ? `${Math.round(ms / 60_000)}m` : `${Math.round(ms / 3_600_000)}h`);

/** One line per booth, in columns. */
export function formatFleet(booths: BoothView[], wallNow: number): string {
  const rows = [['BOOTH', 'AVAILABLE', 'VERSION', 'HEALTH', 'PHASE', 'LAST RESULT', 'TODAY', 'FPS', 'INFER P50']];
  for (const b of booths) {
    const s = b.stats;
    const health = s?.health ? (s.health.healthy ? 'ok' : `FAIL: ${s.health.reasons[0] ?? '?'}${s.health.reasons.length > 1 ? ` (+${s.health.reasons.length - 1})` : ''}`) : '-';
    const offline = b.available !== 'online' && b.state?.reason ? ` (${b.state.reason})` : '';
    const last = s?.game?.lastOutcome ? `${s.game.lastOutcome}${s.game.lastAt ? ` ${ago(wallNow - s.game.lastAt)} ago` : ''}` : '-';
    rows.push([
      b.boothId,
      `${b.available ?? '?'}${offline}`,
      s?.version ?? '-',
      health,
      b.state ? `${b.state.phase}${b.state.mode ? ` ${b.state.mode}/${b.state.level ?? '-'}` : ''}` : '-',
      last,
      s?.game ? String(s.game.roundsToday) : '-',
      s?.camera ? s.camera.fps.toFixed(1) : '-',
      s?.infer ? `${s.infer.msP50.toFixed(1)} ms` : '-',
    ]);
  }
  const widths = rows[0]?.map((_, i) => Math.max(...rows.map((r) => (r[i] ?? '').length))) ?? [];
  return rows.map((r) => r.map((c, i) => c.padEnd(widths[i] ?? 0)).join('  ').trimEnd()).join('\n');
}
