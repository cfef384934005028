import { describe, expect, it } from 'vitest';
import { defaultConfig } from '../../../src/config/load.js';
import { escapeOsd, mpvArgs } from '../../../src/player/mpv.js';

const cfg = defaultConfig().player;

describe('mpvArgs', () => {
  it('runs idle with a JSON IPC socket, full screen over DRM on a booth', () => {
    const a = mpvArgs(cfg, '/run/pf/mpv.sock', false, 80);
    expect(a).toEqual(expect.arrayContaining(['--idle=yes', '--input-ipc-server=/run/pf/mpv.sock', '--vo=gpu', '--gpu-context=drm', '--hwdec=auto-safe', '--fs', '--force-window=immediate', '--volume=80']));
    expect(a.some((x) => x.startsWith('--ao'))).toBe(false);
  });

  it('uses no screen and no sound when headless', () => {
    const a = mpvArgs({ ...cfg, extraArgs: ['--osd-font-size=90'] }, '/tmp/s', true, 10);
    expect(a).toEqual(expect.arrayContaining(['--vo=null', '--ao=null', '--force-window=no', '--volume=10']));
    expect(a.some((x) => x.startsWith('--gpu-context'))).toBe(false);
    expect(a.at(-1)).toBe('--osd-font-size=90');
  });

  it('honours vo "null" from the config even when not headless', () => {
    const a = mpvArgs({ ...cfg, vo: 'null', ao: 'null' }, '/tmp/s', false, 80);
    expect(a).toEqual(expect.arrayContaining(['--vo=null', '--ao=null']));
  });
});

describe('escapeOsd', () => {
  it('keeps show-text from expanding properties', () => {
    expect(escapeOsd('CRACKED! ${path} $$')).toBe('CRACKED! $${path} $$$$');
  });
});
