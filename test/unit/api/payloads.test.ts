import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { Ajv } from 'ajv';
import { ManualClock } from '../../../src/clock.js';
import { eventPayload, scorePayload, statePayload } from '../../../src/api/convert.js';
import { PAYLOAD_SCHEMAS, plainSchema, EventPayloadSchema, ScorePayloadSchema, StatePayloadSchema, StatsPayloadSchema, ResponsePayloadSchema } from '../../../src/api/payloads.js';
import { statsPayload } from '../../../src/api/stats.js';
import { staffServices } from '../../../src/api/services.js';
import { runCommand } from '../../../src/api/commands.js';
import { FakeBooth, FakeDetector, StubFrameSource } from './fakes.js';

const dir = new URL('../../../docs/mqtt-payloads/', import.meta.url);

describe('MQTT payload schemas', () => {
  it('docs/mqtt-payloads/*.json are the schemas in src/api/payloads.ts (UPDATE_PAYLOAD_SCHEMAS=1 rewrites them)', () => {
    if (process.env.UPDATE_PAYLOAD_SCHEMAS === '1') mkdirSync(dir, { recursive: true });
    for (const [name, schema] of Object.entries(PAYLOAD_SCHEMAS)) {
      const file = new URL(`${name}.json`, dir);
      const text = `${JSON.stringify(plainSchema(schema), null, 2)}\n`;
      if (process.env.UPDATE_PAYLOAD_SCHEMAS === '1') writeFileSync(file, text);
      expect(readFileSync(file, 'utf8'), name).toBe(text);
    }
  });

  it('every payload the daemon builds matches its published schema and carries "v": 1', () => {
    const clock = new ManualClock(10_000, 1_800_000_000_000);
    const booth = new FakeBooth();
    const check = (schema: object, value: unknown): void => {
      const validate = new Ajv({ strict: false }).compile(plainSchema(schema as never));
      expect(validate(value), JSON.stringify(validate.errors)).toBe(true);
      expect((value as { v: number }).v).toBe(1);
    };
    const state = statePayload({ phase: 'countdown', mode: 'funny', level: 1, clip: null, since: 9000 }, clock);
    expect(state.since).toBe(1_800_000_009_000);
    check(StatePayloadSchema, state);
    check(ScorePayloadSchema, scorePayload(booth.emitScore(0.4, 9500), clock));
    check(EventPayloadSchema, eventPayload(booth.emitEvent('aborted', { reason: 'face lost', outcome: 'aborted' }), clock));
    check(EventPayloadSchema, eventPayload(booth.emitEvent('phase', { phase: 'result' }), clock));
    check(StatsPayloadSchema, statsPayload(staffServices({ frameSource: new StubFrameSource(), detector: new FakeDetector() }), { rssBytes: () => 50e6, uptimeS: () => 12.4 }));
    check(StatsPayloadSchema, statsPayload(staffServices({}), { rssBytes: () => 50e6, uptimeS: () => 12.4 }, { queued: 3, dropped: 1 }));
    const resp = runCommand('nope', { transaction: 't' }, { booth: () => booth, requestExit: () => undefined }).response;
    check(ResponsePayloadSchema, resp);
  });
});

describe('staff commands', () => {
  it('validates, reaches the booth, and never throws', () => {
    const booth = new FakeBooth();
    const exits: number[] = [];
    const deps = { booth: () => booth, requestExit: (c: number) => void exits.push(c) };
    expect(runCommand('start', { transaction: 'x', mode: 'funny' }, deps).response).toEqual({ v: 1, transaction: 'x', ok: true });
    expect(runCommand('button', { name: 'level9' }, deps).response).toMatchObject({ ok: false, code: 'POKERFACE_ERR_MQTT_BAD_REQUEST', message: expect.stringContaining('name') as string });
    expect(runCommand('stop', null, deps).response).toMatchObject({ ok: false, transaction: null });
    expect(runCommand('__proto__', {}, deps).response).toMatchObject({ ok: false, code: 'POKERFACE_ERR_MQTT_UNKNOWN_COMMAND' });
    const restart = runCommand('restart', { transaction: 'r' }, deps);
    expect(restart.response.ok).toBe(true);
    expect(exits).toEqual([]);
    restart.after?.();
    expect(exits).toEqual([75]);
    booth.stop = () => {
      throw Object.assign(new Error('boom'), { code: 'POKERFACE_ERR_GAME_STATE' });
    };
    expect(runCommand('stop', {}, deps).response).toMatchObject({ ok: false, code: 'POKERFACE_ERR_GAME_STATE', message: 'boom' });
    expect(runCommand('stop', {}, { ...deps, booth: () => undefined }).response).toMatchObject({ ok: false, code: 'POKERFACE_ERR_API_UNAVAILABLE' });
    expect(booth.calls).toEqual(['start {"mode":"funny"}']);
  });
});
