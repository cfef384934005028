import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { configReference } from '../../src/config/reference.js';

describe('configuration reference', () => {
  it('docs/configuration.md is what the schema generates (run `pokerface config reference > docs/configuration.md`)', () => {
    expect(readFileSync('docs/configuration.md', 'utf8')).toBe(configReference());
  });

  it('documents every section and the secret keys', () => {
    const md = configReference();
    for (const key of ['boothId', 'camera.stallMs', 'model.providers', 'game.levels', 'player.socketPath', 'controls.gpio.chip', 'mqtt.scoreHz', 'api.token', 'results.retentionDays', 'systemd.frameMaxAgeMs']) {
      expect(md).toContain(`\`${key}\``);
    }
  });
});
