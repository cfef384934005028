// Home Assistant MQTT discovery: one device per booth, its entities tied to the booth's
// `available` topic (online/offline), and a throttled score topic for HA so its recorder
// does not store the per-frame score.
import type { Topics } from './topics.js';

export interface DiscoveryMessage {
  topic: string;
  payload: string;
}

export interface DiscoveryOptions {
  haPrefix: string;
  boothId: string;
  topics: Topics;
  version: string;
  /** the staff status page, shown as "Visit" on the HA device page; omitted when empty */
  configurationUrl: string;
}

type Component = 'sensor' | 'binary_sensor' | 'button';

/** HA entity ids are lowercase letters, digits and _ only. */
export function entitySlug(s: string): string {
  return s.toLowerCase().replace(/[^a-z0-9_]/g, '_');
}

export function homeAssistantDiscovery(o: DiscoveryOptions): DiscoveryMessage[] {
  const t = o.topics;
  const node = `pokerface_${o.boothId}`;
  const slug = entitySlug(node);
  const device: Record<string, unknown> = {
    identifiers: [node],
    name: `pokerface ${o.boothId}`,
    manufacturer: 'pokerface',
    model: 'straight-face booth',
    sw_version: o.version,
    ...(o.configurationUrl ? { configuration_url: o.configurationUrl } : {}),
  };
  const common = {
    availability: [{ topic: t.available, payload_available: 'online', payload_not_available: 'offline' }],
    device,
    origin: { name: 'pokerface', sw_version: o.version },
  };
  const doc = (component: Component, object: string, body: Record<string, unknown>): DiscoveryMessage => ({
    topic: `${o.haPrefix}/${component}/${node}/${object}/config`,
    payload: JSON.stringify({ ...common, unique_id: `${node}_${object}`, default_entity_id: `${component}.${slug}_${object}`, ...body }),
  });
  const press = JSON.stringify({ v: 1, transaction: 'homeassistant' });
  const stats = (field: string): string => `{{ value_json.${field} if value_json.${field.split('.')[0]} is not none else none }}`;
  const diag = { entity_category: 'diagnostic' };
  return [
    doc('sensor', 'phase', {
      name: 'Phase',
      state_topic: t.state,
      value_template: '{{ value_json.phase }}',
      // mode, level, clip and, after a clean stop, the reason the booth went offline
      json_attributes_topic: t.state,
      device_class: 'enum',
      options: ['attract', 'select', 'countdown', 'playing', 'result'],
      icon: 'mdi:state-machine',
    }),
    doc('sensor', 'score', {
      name: 'Score',
      state_topic: t.haScore,
      value_template: '{{ value_json.smoothed }}',
      state_class: 'measurement',
      suggested_display_precision: 2,
      expire_after: HA_SCORE_EXPIRE_S,
      icon: 'mdi:emoticon-neutral-outline',
    }),
    doc('binary_sensor', 'player_present', {
      name: 'Player present',
      state_topic: t.haScore,
      value_template: "{{ 'ON' if value_json.faces > 0 else 'OFF' }}",
      expire_after: HA_SCORE_EXPIRE_S,
      off_delay: 5,
      device_class: 'occupancy',
    }),
    doc('sensor', 'rounds_today', {
      name: 'Rounds today',
      state_topic: t.stats,
      value_template: '{{ value_json.game.roundsToday if value_json.game is defined else none }}',
      state_class: 'total_increasing',
      unit_of_measurement: 'rounds',
      icon: 'mdi:counter',
    }),
    doc('sensor', 'last_result', {
      name: 'Last result',
      state_topic: t.stats,
      value_template: '{{ value_json.game.lastOutcome if value_json.game is defined and value_json.game.lastOutcome else none }}',
      icon: 'mdi:trophy-outline',
      ...diag,
    }),
    doc('sensor', 'camera_fps', {
      name: 'Camera frame rate',
      state_topic: t.stats,
      value_template: stats('camera.fps'),
      state_class: 'measurement',
      unit_of_measurement: 'fps',
      suggested_display_precision: 1,
      icon: 'mdi:camera',
      ...diag,
    }),
    doc('sensor', 'inference_ms', {
      name: 'Inference time (p50)',
      state_topic: t.stats,
      value_template: stats('infer.msP50'),
      device_class: 'duration',
      state_class: 'measurement',
      unit_of_measurement: 'ms',
      suggested_display_precision: 1,
      ...diag,
    }),
    doc('sensor', 'provider', {
      name: 'Execution provider',
      state_topic: t.stats,
      value_template: stats('infer.provider'),
      icon: 'mdi:chip',
      ...diag,
    }),
    doc('sensor', 'memory', {
      name: 'Memory (RSS)',
      state_topic: t.stats,
      value_template: '{{ value_json.process.rssMb }}',
      device_class: 'data_size',
      state_class: 'measurement',
      unit_of_measurement: 'MB',
      suggested_display_precision: 0,
      ...diag,
    }),
    doc('sensor', 'uptime', {
      name: 'Uptime',
      state_topic: t.stats,
      value_template: '{{ value_json.process.uptimeS }}',
      device_class: 'duration',
      state_class: 'measurement',
      unit_of_measurement: 's',
      suggested_display_precision: 0,
      ...diag,
    }),
    doc('binary_sensor', 'problem', {
      name: 'Problem',
      state_topic: t.stats,
      value_template: "{{ 'OFF' if value_json.health is not defined or value_json.health.healthy else 'ON' }}",
      json_attributes_topic: t.stats,
      json_attributes_template: '{{ {"reasons": value_json.health.reasons if value_json.health is defined else []} | tojson }}',
      device_class: 'problem',
      ...diag,
    }),
    doc('button', 'start', { name: 'Start game', command_topic: t.request('start'), payload_press: press, icon: 'mdi:play' }),
    doc('button', 'stop', { name: 'Stop game', command_topic: t.request('stop'), payload_press: press, icon: 'mdi:stop' }),
    doc('button', 'restart', { name: 'Restart', command_topic: t.request('restart'), payload_press: press, device_class: 'restart', entity_category: 'config' }),
  ];
}

/** HA marks score and presence unavailable after this long without a message. */
export const HA_SCORE_EXPIRE_S = 30;

export interface HaScore {
  v: 1;
  boothId: string;
  ts: number;
  smoothed: number;
  faces: number;
}

/**
 * Decides which score samples HA sees: at most one a second, and only when the rounded
 * score moved by at least `minDelta`, presence changed, or `heartbeatMs` passed (so the
 * entity does not expire while a still face keeps the same score).
 */
export class HaScoreThrottle {
  private lastAt = -Infinity;
  private lastValue = Number.NaN;
  private lastPresent = false;

  constructor(
    private readonly now: () => number,
    private readonly minIntervalMs = 1000,
    private readonly minDelta = 0.05,
    private readonly heartbeatMs = 10_000,
  ) {}

  /** the rounded value to publish, or null to skip this sample */
  offer(smoothed: number, faces: number): number | null {
    const t = this.now();
    if (t - this.lastAt < this.minIntervalMs) return null;
    const value = Math.round(smoothed * 100) / 100;
    const present = faces > 0;
    const moved = Number.isNaN(this.lastValue) || Math.abs(value - this.lastValue) >= this.minDelta - 1e-9;
    if (!moved && present === this.lastPresent && t - this.lastAt < this.heartbeatMs) return null;
    this.lastAt = t;
    this.lastValue = value;
    this.lastPresent = present;
    return value;
  }
}
