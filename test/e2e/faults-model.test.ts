// Fault: a model file corrupted on disk. The daemon must refuse to start, exit with the
// model error's exit code and say the code, rather than run a booth that cannot judge.
import { cpSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { ERRORS } from '../../src/errors.js';
import { DaemonProcess, ROOT, ports, requireBuilt, sleep, tempDir, writeConfig } from './harness.js';

describe('faults: corrupted model file', () => {
  const dir = tempDir('faults-model');
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  it('the daemon refuses to start with POKERFACE_ERR_MODEL_CORRUPT and its exit code', async () => {
    requireBuilt();
    const models = join(dir, 'models');
    cpSync(join(ROOT, 'models'), models, { recursive: true });
    const manifest = JSON.parse(readFileSync(join(models, 'manifest.json'), 'utf8')) as { models: Record<string, { file: string }> };
    // the face detector the default config loads first; flip bytes in the middle of it
    const file = join(models, (manifest.models['blazeface-front'] as { file: string }).file);
    const buf = readFileSync(file);
    for (let i = 0; i < 16; i++) {
      const at = Math.floor(buf.length / 2) + i * 97;
      buf[at] = (buf[at] as number) ^ 0xff;
    }
    writeFileSync(file, buf);

    const p = await ports();
    const cfg = writeConfig({
      dir,
      camera: { backend: 'file', file: { path: join(dir, 'none.mp4') } },
      mediaDir: join(dir, 'media'),
      mqttUrl: 'embedded',
      ports: p,
      modelDir: models,
      extra: { mqtt: { enabled: false } },
    });
    const daemon = new DaemonProcess(cfg, p.api);
    const t0 = Date.now();
    daemon.start();
    const code = await Promise.race([daemon.exit, sleep(60_000).then(() => 'still running' as const)]);
    if (code === 'still running') await daemon.stop();
    const ms = Date.now() - t0;
    expect(code, `${daemon.stderr}\n${daemon.tail()}`).toBe(ERRORS.POKERFACE_ERR_MODEL_CORRUPT.exit);
    expect(daemon.stderr).toContain('POKERFACE_ERR_MODEL_CORRUPT');
    expect(daemon.logs.some((l) => l.code === 'POKERFACE_ERR_MODEL_CORRUPT')).toBe(true);
    // nothing was left listening or running
    await expect(daemon.api('GET', '/api/status', undefined, null)).rejects.toThrow();
    console.log(`corrupted model: exit ${String(code)} after ${ms} ms; stderr: ${daemon.stderr.trim().split('\n').at(-1)}`);
  }, 90_000);
});
