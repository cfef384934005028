// Cross-key MQTT rules (src/config/sections/mqtt.ts): each is a config error, exit 78.
import { describe, expect, it } from 'vitest';
import { ConfigError, parseConfig, redactConfig } from '../../src/config/load.js';
import { isLoopbackHost } from '../../src/config/sections/mqtt.js';

function problems(yaml: string, env: NodeJS.ProcessEnv = {}): string[] {
  try {
    parseConfig(yaml, 'test', env);
    return [];
  } catch (e) {
    if (!(e instanceof ConfigError)) throw e;
    expect(e.exitCode).toBe(78);
    return e.issues.map((i) => `${i.path}: ${i.message}`);
  }
}

const PW = 'a-password-that-is-long-enough';

describe('mqtt config rules', () => {
  it('knows loopback bind addresses', () => {
    for (const h of ['127.0.0.1', '127.1.2.3', '::1', '[::1]', 'localhost', '::ffff:127.0.0.1']) expect(isLoopbackHost(h)).toBe(true);
    for (const h of ['0.0.0.0', '::', '', '192.168.1.5', '10.0.0.1', 'booth.local']) expect(isLoopbackHost(h)).toBe(false);
  });

  it('refuses an embedded broker off loopback without a password, with the file line', () => {
    const p = problems('mqtt:\n  url: embedded\n  embeddedHost: 0.0.0.0\n');
    expect(p).toHaveLength(1);
    expect(p[0]).toMatch(/^mqtt\.password: required when the embedded broker listens off loopback/);
    expect(problems('mqtt:\n  url: embedded\n  embeddedHost: 0.0.0.0\n  username: staff\n', { POKERFACE_MQTT_PASSWORD: PW })).toEqual([]);
    // loopback without a password stays allowed (the demo), and so does an external broker
    expect(problems('mqtt:\n  url: embedded\n  embeddedHost: 127.0.0.1\n')).toEqual([]);
    expect(problems('mqtt:\n  url: mqtt://10.0.0.2:1883\n  embeddedHost: 0.0.0.0\n')).toEqual([]);
    expect(problems('mqtt:\n  enabled: false\n  url: embedded\n  embeddedHost: 0.0.0.0\n')).toEqual([]);
  });

  it('needs a user name with the embedded password, and a consistent viewer login', () => {
    expect(problems('mqtt:\n  url: embedded\n', { POKERFACE_MQTT_PASSWORD: PW })).toEqual([expect.stringMatching(/^mqtt\.username: required/)]);
    expect(problems('mqtt:\n  url: embedded\n  embeddedViewerUsername: v\n', { POKERFACE_MQTT_EMBEDDEDVIEWERPASSWORD: PW })).toEqual([
      expect.stringMatching(/^mqtt\.embeddedViewerUsername: a viewer login needs the staff login/),
    ]);
    expect(problems('mqtt:\n  url: embedded\n  username: s\n  embeddedViewerUsername: s\n', { POKERFACE_MQTT_PASSWORD: PW, POKERFACE_MQTT_EMBEDDEDVIEWERPASSWORD: PW })).toEqual([
      expect.stringMatching(/must differ from mqtt.username/),
    ]);
    expect(problems('mqtt:\n  url: embedded\n  username: s\n  embeddedViewerUsername: v\n', { POKERFACE_MQTT_PASSWORD: PW })).toEqual([expect.stringMatching(/set both/)]);
  });

  it('wants a request token of at least 24 characters, and redacts it and the viewer password', () => {
    expect(problems('mqtt:\n  requestToken: short\n')).toEqual(['mqtt.requestToken: must be at least 24 characters (it is 5)']);
    const cfg = parseConfig('mqtt:\n  url: embedded\n  username: s\n  embeddedViewerUsername: v\n', 'test', {
      POKERFACE_MQTT_PASSWORD: PW,
      POKERFACE_MQTT_EMBEDDEDVIEWERPASSWORD: `${PW}-viewer`,
      POKERFACE_MQTT_REQUESTTOKEN: `${PW}-token`,
    });
    const shown = JSON.stringify(redactConfig(cfg));
    expect(shown).not.toContain(PW);
    expect(cfg.mqtt.maxPacketBytes).toBe(65_536);
  });
});
