import { describe, expect, it } from 'vitest';
import { defaultConfig, parseConfig } from '../../../src/config/load.js';
import { judgeRules } from '../../../src/judge/rules.js';
import { choosePlayer, iou } from '../../../src/judge/track.js';
import { aboveBaseline, targetScore } from '../../../src/judge/score.js';
import { face } from './harness.js';

describe('rules from config', () => {
  it('defaults: funny → happy, scary → surprised + fearful, three stricter levels', () => {
    const r = judgeRules(defaultConfig());
    expect(r.modes).toEqual([
      { name: 'funny', targets: ['happy'], media: 'funny', button: 'funny' },
      { name: 'scary', targets: ['surprised', 'fearful'], media: 'scary', button: 'scary' },
    ]);
    expect(r.levels.map((l) => [l.level, l.threshold, l.holdMs])).toEqual([
      [1, 0.8, 1000],
      [2, 0.7, 700],
      [3, 0.6, 400],
    ]);
  });

  it('more modes in config; a mode named like a button gets it unless another mode asked for it', () => {
    const cfg = parseConfig(
      [
        'game:',
        '  modes:',
        '    funny: { targets: [happy], media: funny }',
        '    gross: { targets: [disgusted], media: gross, button: scary }',
        '    scary: { targets: [fearful], media: scary }',
        '    sad: { targets: [sad], media: sad }',
      ].join('\n'),
      'x.yaml',
    );
    const r = judgeRules(cfg);
    expect(r.modes.map((m) => [m.name, m.button])).toEqual([
      ['funny', 'funny'],
      ['gross', 'scary'],
      ['scary', null],
      ['sad', null],
    ]);
  });

  it('two modes asking for the same button is a config error', () => {
    const modes = { a: { targets: ['happy'], media: 'a', button: 'funny' }, b: { targets: ['sad'], media: 'b', button: 'funny' } } as const;
    const cfg = { ...defaultConfig(), game: { ...defaultConfig().game, modes } } as unknown as Parameters<typeof judgeRules>[0];
    expect(() => judgeRules(cfg)).toThrow(expect.objectContaining({ code: 'POKERFACE_ERR_CONFIG_INVALID' }) as Error);
    // loading the config already refuses it (config check makes the same check)
    expect(() => parseConfig('game:\n  modes:\n    a: { targets: [happy], media: a, button: funny }\n    b: { targets: [sad], media: b, button: funny }\n', 'x.yaml')).toThrow(
      expect.objectContaining({ code: 'POKERFACE_ERR_CONFIG_INVALID' }) as Error,
    );
  });
});

describe('scoring helpers', () => {
  it('target score sums and clamps', () => {
    expect(targetScore(face(0, 0, 10, { surprised: 0.7, fearful: 0.6 }), ['surprised', 'fearful'])).toBe(1);
    expect(targetScore(face(0, 0, 10, { happy: 0.4 }), ['surprised', 'fearful'])).toBe(0);
  });
  it('above baseline: clamped at 0, optionally rescaled', () => {
    expect(aboveBaseline(0.2, 0.3, true)).toBe(0);
    expect(aboveBaseline(0.65, 0.3, false)).toBeCloseTo(0.35);
    expect(aboveBaseline(0.65, 0.3, true)).toBeCloseTo(0.5);
    expect(aboveBaseline(1, 0.5, true)).toBe(1);
  });
  it('IoU and player choice', () => {
    expect(iou(0, 0, 10, 10, 0, 0, 10, 10)).toBe(1);
    expect(iou(0, 0, 10, 10, 5, 0, 10, 10)).toBeCloseTo(1 / 3);
    expect(iou(0, 0, 10, 10, 20, 20, 10, 10)).toBe(0);
    expect(choosePlayer([], 640, 480)).toBe(-1);
    expect(choosePlayer([face(60, 60, 120, {}), face(320, 240, 100, {})], 640, 480)).toBe(1);
    expect(choosePlayer([face(300, 240, 60, {}), face(340, 240, 100, {})], 640, 480)).toBe(1);
  });
});
