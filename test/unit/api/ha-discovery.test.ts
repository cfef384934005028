// Home Assistant discovery as HA reads it: every document valid against HA's documented
// options, availability online/offline, default_entity_id, origin, device page link,
// restart button, diagnostic sensors, and a score HA's recorder can live with.
import { Ajv } from 'ajv';
import { describe, expect, it } from 'vitest';
import { HaScoreThrottle, homeAssistantDiscovery } from '../../../src/api/home-assistant.js';
import { topicsFor } from '../../../src/api/topics.js';
import { HA_DISCOVERY_SCHEMAS } from './ha-discovery-schema.js';

const docs = homeAssistantDiscovery({ haPrefix: 'homeassistant', boothId: 'Hall-7', topics: topicsFor('Hall-7'), version: '1.2.3', configurationUrl: 'http://hall-7:8080/' });
const parsed = docs.map((d) => ({ topic: d.topic, component: d.topic.split('/')[1] as string, object: d.topic.split('/')[3] as string, p: JSON.parse(d.payload) as Record<string, unknown> }));
const byObject = (o: string): Record<string, unknown> => (parsed.find((d) => d.object === o) as { p: Record<string, unknown> }).p;

describe('Home Assistant discovery', () => {
  it("every document is valid against HA's MQTT discovery schema for its component", () => {
    const ajv = new Ajv({ strict: false, allErrors: true });
    for (const d of parsed) {
      const schema = HA_DISCOVERY_SCHEMAS[d.component];
      expect(schema, d.topic).toBeDefined();
      const validate = ajv.compile(schema as object);
      expect(validate(d.p), `${d.topic}: ${JSON.stringify(validate.errors)}`).toBe(true);
      expect(d.topic).toMatch(/^homeassistant\/(sensor|binary_sensor|button)\/pokerface_Hall-7\/[a-z_]+\/config$/);
    }
  });

  it('the schema refuses what HA would not take (the test can fail)', () => {
    const ajv = new Ajv({ strict: false });
    const sensor = ajv.compile(HA_DISCOVERY_SCHEMAS.sensor as object);
    const ok = byObject('inference_ms');
    expect(sensor(ok)).toBe(true);
    expect(sensor({ ...ok, object_id: 'x' })).toBe(false);
    expect(sensor({ ...ok, unit_of_measurement: 'milliseconds' })).toBe(false);
    expect(sensor({ ...ok, entity_category: 'system' })).toBe(false);
    expect(sensor({ ...byObject('phase'), state_class: 'measurement' })).toBe(false);
    expect(sensor({ ...ok, default_entity_id: 'sensor.Hall-7' })).toBe(false);
    expect(ajv.compile(HA_DISCOVERY_SCHEMAS.button as object)({ ...byObject('restart'), device_class: 'reboot' })).toBe(false);
  });

  it('ties every entity to available with online/offline, names the device and its status page, and says who published it', () => {
    for (const { p, component, object } of parsed) {
      expect(p.availability).toEqual([{ topic: 'pokerface/Hall-7/available', payload_available: 'online', payload_not_available: 'offline' }]);
      expect(p.device).toMatchObject({ identifiers: ['pokerface_Hall-7'], sw_version: '1.2.3', model: expect.any(String) as string, configuration_url: 'http://hall-7:8080/' });
      expect(p.origin).toEqual({ name: 'pokerface', sw_version: '1.2.3' });
      expect(p.default_entity_id).toBe(`${component}.pokerface_hall_7_${object}`);
      expect(p.unique_id).toBe(`pokerface_Hall-7_${object}`);
      expect(p).not.toHaveProperty('object_id');
    }
  });

  it('offers start, stop and restart buttons (restart as a config entity of class restart)', () => {
    expect(byObject('start')).toMatchObject({ command_topic: 'pokerface/Hall-7/request/start' });
    expect(byObject('stop')).toMatchObject({ command_topic: 'pokerface/Hall-7/request/stop' });
    expect(byObject('restart')).toMatchObject({ command_topic: 'pokerface/Hall-7/request/restart', device_class: 'restart', entity_category: 'config' });
  });

  it('has diagnostic sensors with units, state classes and display precision', () => {
    for (const o of ['camera_fps', 'inference_ms', 'provider', 'last_result', 'memory', 'uptime', 'problem']) {
      expect(byObject(o), o).toMatchObject({ entity_category: 'diagnostic', state_topic: 'pokerface/Hall-7/stats' });
    }
    expect(byObject('inference_ms')).toMatchObject({ device_class: 'duration', unit_of_measurement: 'ms', state_class: 'measurement', suggested_display_precision: 1 });
    expect(byObject('camera_fps')).toMatchObject({ unit_of_measurement: 'fps', state_class: 'measurement' });
  });

  it('the score and presence entities read the throttled ha/score topic, not the per-frame score', () => {
    expect(byObject('score')).toMatchObject({ state_topic: 'pokerface/Hall-7/ha/score', state_class: 'measurement', suggested_display_precision: 2 });
    expect(byObject('player_present')).toMatchObject({ state_topic: 'pokerface/Hall-7/ha/score', device_class: 'occupancy' });
    expect(parsed.some((d) => d.p.state_topic === 'pokerface/Hall-7/score')).toBe(false);
  });
});

describe('HaScoreThrottle', () => {
  it('lets through at most one sample a second, and only on a change of 0.05 or presence, with a heartbeat', () => {
    let t = 0;
    const th = new HaScoreThrottle(() => t);
    const sent: Array<number | null> = [];
    // 10 Hz for 3 s with a slowly rising score: 30 samples in, at most 3 out
    for (let i = 0; i < 30; i++, t += 100) sent.push(th.offer(0.1 + i * 0.01, 1));
    expect(sent.filter((x) => x !== null)).toEqual([0.1, 0.2, 0.3]);
    // still face: nothing new until the heartbeat
    const still: Array<number | null> = [];
    for (let i = 0; i < 100; i++, t += 100) still.push(th.offer(0.3, 1));
    expect(still.filter((x) => x !== null)).toEqual([0.3]);
    // the player leaves: the presence change goes out at once even though the score is the same
    t += 1000;
    expect(th.offer(0.3, 0)).toBe(0.3);
  });
});
