import { describe, expect, it } from 'vitest';
import { ConfigError, defaultConfig, loadConfigFile, parseConfig, redactConfig } from '../../src/config/load.js';
import { envNameToPath } from '../../src/config/env.js';

function issuesOf(fn: () => unknown): ConfigError {
  try {
    fn();
  } catch (e) {
    if (e instanceof ConfigError) return e;
    throw e;
  }
  throw new Error('expected a ConfigError');
}

describe('config', () => {
  it('fills defaults and freezes the result', () => {
    const cfg = defaultConfig();
    expect(cfg.camera.stallMs).toBe(3000);
    expect(cfg.game.levels).toHaveLength(3);
    expect(cfg.mqtt.scoreHz).toBe(10);
    expect(Object.isFrozen(cfg)).toBe(true);
    expect(Object.isFrozen(cfg.camera.file)).toBe(true);
    expect(() => {
      (cfg as { boothId: string }).boothId = 'x';
    }).toThrow();
  });

  it('accepts both shipped files', () => {
    expect(loadConfigFile('config/default.yaml', { env: {} }).boothId).toBe('booth');
    expect(loadConfigFile('config/demo.yaml', { env: {} }).demo).toBe(true);
  });

  it('reports every mistake at once with file, key path and line', () => {
    const err = issuesOf(() =>
      parseConfig('boothId: "a/b#"\ncamera:\n  fsp: 30\n  width: "wide"\nmqtt:\n  scoreHz: -1\n', 'x.yaml'),
    );
    expect(err.code).toBe('POKERFACE_ERR_CONFIG_INVALID');
    expect(err.exitCode).toBe(78);
    const paths = err.issues.map((i) => i.path).sort();
    expect(paths).toEqual(['boothId', 'camera.fsp', 'camera.width', 'mqtt.scoreHz']);
    const unknown = err.issues.find((i) => i.path === 'camera.fsp');
    expect(unknown?.message).toBe('unknown key');
    expect(unknown?.line).toBe(3);
    expect(err.format()).toContain('x.yaml:3:');
  });

  it('names the allowed values of an enum', () => {
    const err = issuesOf(() => parseConfig('camera:\n  backend: webcam\n', 'x.yaml'));
    expect(err.issues[0]?.message).toMatch(/must be one of "gstreamer", "ffmpeg", "opencv", "file"/);
  });

  it('reports YAML syntax errors with line and column', () => {
    const err = issuesOf(() => parseConfig('camera:\n  width: [1, 2\n', 'bad.yaml'));
    expect(err.code).toBe('POKERFACE_ERR_CONFIG_PARSE');
    expect(err.issues[0]?.line).toBeGreaterThan(0);
  });

  it('rejects a missing file with exit 78', () => {
    const err = issuesOf(() => loadConfigFile('/nonexistent/pokerface.yaml', { env: {} }));
    expect(err.code).toBe('POKERFACE_ERR_CONFIG_NOT_FOUND');
    expect(err.exitCode).toBe(78);
  });

  it('lets POKERFACE_<PATH> variables override keys, typed by the schema', () => {
    const cfg = parseConfig('api:\n  port: 1\n', 'x.yaml', {
      POKERFACE_API_TOKEN: '123456789012345678901234',
      POKERFACE_API_PORT: '9000',
      POKERFACE_MQTT_PASSWORD: 'pw',
      POKERFACE_CAMERA_MIRROR: 'true',
      POKERFACE_LOG_LEVEL: 'debug',
      PATH: '/bin',
    });
    expect(cfg.api.token).toBe('123456789012345678901234');
    expect(cfg.api.port).toBe(9000);
    expect(cfg.mqtt.password).toBe('pw');
    expect(cfg.camera.mirror).toBe(true);
    expect(envNameToPath('POKERFACE_MQTT_STATSINTERVALS')?.path).toEqual(['mqtt', 'statsIntervalS']);
  });

  it('reports an environment variable that names no key', () => {
    const err = issuesOf(() => parseConfig('{}', 'x.yaml', { POKERFACE_API_TOKNE: 'x' }));
    expect(err.issues[0]?.source).toBe('env POKERFACE_API_TOKNE');
  });

  it('redacts secrets', () => {
    const cfg = parseConfig('api:\n  token: s3cret-s3cret-s3cret-s3cret\nmqtt:\n  password: pw\n', 'x.yaml');
    const text = JSON.stringify(redactConfig(cfg));
    expect(text).not.toContain('s3cret');
    expect(text).not.toContain('"pw"');
  });
});
