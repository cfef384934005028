import { mkdtempSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { main } from '../../../src/cli.js';
import type { CliIO } from '../../../src/cli/io.js';
import { captureModule } from '../../../src/capture/module.js';
import { parseConfig } from '../../../src/config/load.js';
import { Daemon } from '../../../src/daemon.js';
import { silentLogger } from '../../../src/log.js';
import type { FrameSource } from '../../../src/types.js';
import { makeTestMedia } from './media.js';
import { waitFor } from '../../wait-for.js';

const media = makeTestMedia({ width: 160, height: 120, fps: 30, seconds: 3 });
const tmp = mkdtempSync(join(tmpdir(), 'pokerface-capture-cli-'));
afterAll(() => {
  media.cleanup();
  rmSync(tmp, { recursive: true, force: true });
});

function io(): CliIO & { stdout: string[]; stderr: string[] } {
  const stdout: string[] = [];
  const stderr: string[] = [];
  return { out: (t) => void stdout.push(t), err: (t) => void stderr.push(t), env: {}, cwd: process.cwd(), stdout, stderr };
}

describe('captureModule in the daemon', () => {
  it('offers services.frameSource; a missing camera leaves the daemon up and health says why', async () => {
    const config = parseConfig(
      JSON.stringify({ camera: { backend: 'file', width: 160, height: 120, backoffInitialMs: 20, backoffMaxMs: 50, file: { path: join(tmp, 'missing.mp4') } } }),
      'test',
    );
    const daemon = new Daemon({ config, log: silentLogger, modules: [captureModule()] });
    await daemon.start();
    expect(daemon.phase).toBe('running');
    const src = daemon.serviceMap.frameSource as FrameSource;
    expect(typeof src.onFrame).toBe('function');
    const capture = (): ReturnType<Daemon['health']>[number] | undefined => daemon.health().find((m) => m.name === 'capture');
    await waitFor(() => /camera (failed|missing since) .*POKERFACE_ERR_CAMERA_NOT_FOUND/.test(capture()?.reasons.join(' ') ?? ''), { what: 'capture health to say the camera is missing (NOT_FOUND)' });
    const h = capture();
    expect(h?.healthy).toBe(false);
    expect(h?.reasons.join(' ')).toMatch(/camera (failed|missing since) .*POKERFACE_ERR_CAMERA_NOT_FOUND/);
    await daemon.stop();
  });

  it('delivers frames from a file into the daemon', async () => {
    const config = parseConfig(JSON.stringify({ camera: { backend: 'file', width: 160, height: 120, file: { path: media.video } } }), 'test');
    const daemon = new Daemon({ config, log: silentLogger, modules: [captureModule()] });
    await daemon.start();
    const src = daemon.serviceMap.frameSource as FrameSource;
    let n = 0;
    src.onFrame(() => void n++);
    await waitFor(() => n > 5, { timeoutMs: 20_000, what: 'six frames' });
    expect(n).toBeGreaterThan(5);
    expect(daemon.health().find((m) => m.name === 'capture')?.healthy).toBe(true);
    await daemon.stop();
  });
});

describe('pokerface capture', () => {
  it('--json prints one object with the figures; --save writes a few PNG frames', async () => {
    const cfg = join(tmp, 'cam.yaml');
    writeFileSync(cfg, `camera:\n  backend: ffmpeg\n  width: 160\n  height: 120\n  ffmpeg:\n    input: ${media.video}\n    loop: true\n`);
    const out = join(tmp, 'saved');
    const t = io();
    const code = await main(['capture', '--config', cfg, '--seconds', '1.5', '--json', '--save', out, '--frames', '3'], t);
    expect(code).toBe(0);
    expect(t.stdout).toHaveLength(1);
    const r = JSON.parse(t.stdout[0] as string) as Record<string, unknown>;
    expect(r).toMatchObject({ backend: 'ffmpeg', width: 160, height: 120, reconnects: 0 });
    expect(r.frames as number).toBeGreaterThan(10);
    expect(typeof r.fps).toBe('number');
    expect(typeof r.dropped).toBe('number');
    expect(typeof r.cpuMsPerFrame).toBe('number');
    expect((r.saved as string[]).length).toBeGreaterThanOrEqual(1);
    expect(readdirSync(out).filter((f) => f.endsWith('.png')).length).toBe((r.saved as string[]).length);
  });

  it('exits 69 with the error code when no frame arrives', async () => {
    const cfg = join(tmp, 'bad.yaml');
    writeFileSync(cfg, `camera:\n  backend: file\n  file:\n    path: ${join(tmp, 'nope.mp4')}\n`);
    const t = io();
    const code = await main(['capture', '--config', cfg, '--seconds', '0.5'], t);
    expect(code).toBe(69);
    expect(t.stderr.join('\n')).toMatch(/POKERFACE_ERR_CAMERA_NOT_FOUND/);
    expect(t.stdout.join('\n')).toMatch(/delivered: 0/);
  });
});
