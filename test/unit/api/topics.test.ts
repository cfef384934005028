import { describe, expect, it } from 'vitest';
import { parseConfig } from '../../../src/config/load.js';
import { topicsFor } from '../../../src/api/topics.js';

describe('topics', () => {
  it('builds every topic under pokerface/<boothId>/', () => {
    const t = topicsFor('booth-1');
    expect([t.available, t.state, t.score, t.event, t.stats, t.requestFilter, t.request('start'), t.response('start')]).toEqual([
      'pokerface/booth-1/available',
      'pokerface/booth-1/state',
      'pokerface/booth-1/score',
      'pokerface/booth-1/event',
      'pokerface/booth-1/stats',
      'pokerface/booth-1/request/+',
      'pokerface/booth-1/request/start',
      'pokerface/booth-1/response/start',
    ]);
    expect(t.commandOf('pokerface/booth-1/request/stop')).toBe('stop');
    expect(t.commandOf('pokerface/booth-1/request/')).toBeNull();
    expect(t.commandOf('pokerface/booth-1/request/a/b')).toBeNull();
    expect(t.commandOf('pokerface/other/request/stop')).toBeNull();
  });

  it.each(['a+b', 'a#', 'a/b', '', 'x'.repeat(65), 'ü', 'a b'])('boothId %j cannot inject topic levels or wildcards', (id) => {
    expect(() => parseConfig(`boothId: ${JSON.stringify(id)}`, 'test')).toThrow(expect.objectContaining({ code: 'POKERFACE_ERR_CONFIG_INVALID' }) as Error);
    expect(() => topicsFor(id)).toThrow();
  });

  it('rejects wildcards in the Home Assistant prefix', () => {
    expect(() => parseConfig('mqtt:\n  homeAssistant:\n    prefix: "ha/#"\n', 'test')).toThrow(expect.objectContaining({ code: 'POKERFACE_ERR_CONFIG_INVALID' }) as Error);
  });
});
