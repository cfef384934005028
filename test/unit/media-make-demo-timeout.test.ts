// PF_FFMPEG_TIMEOUT_MS reaches every ffmpeg run of `media make-demo` (the arm64 check
// raises it: under emulation the demo camera video takes longer than the default 120 s).
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { main } from '../../src/cli.js';
import { recordingIO } from '../cli-io.js';

const io = recordingIO;

describe('media make-demo ffmpeg timeout', () => {
  const dir = mkdtempSync(join(tmpdir(), 'pokerface-mkdemo-'));
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  it('applies PF_FFMPEG_TIMEOUT_MS to ffmpeg', async () => {
    const a = io({ PF_FFMPEG_TIMEOUT_MS: '1' });
    const code = await main(['media', 'make-demo', '--dir', dir, '--seconds', '1'], a);
    expect(code).not.toBe(0);
    expect(a.stderr).toMatch(/POKERFACE_ERR_MEDIA_MAKE.*took longer than 1 ms/);
  });

  it('rejects a value that is not a positive whole number', async () => {
    const a = io({ PF_FFMPEG_TIMEOUT_MS: 'soon' });
    const code = await main(['media', 'make-demo', '--dir', dir], a);
    expect(code).not.toBe(0);
    expect(a.stderr).toMatch(/POKERFACE_ERR_USAGE.*PF_FFMPEG_TIMEOUT_MS/);
  });
});
