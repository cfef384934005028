import { describe, expect, it } from 'vitest';
import { FakeFrameSource } from '../../../src/capture/fake.js';
import { frameSourceContract } from '../../integration/capture/contract.js';
import { waitFor } from '../../wait-for.js';

frameSourceContract('fake (timer-driven, 30 fps)', () => {
  const source = new FakeFrameSource({ width: 32, height: 24, fps: 30 });
  return { source, width: 32, height: 24, format: 'bgr24', kill: () => void source.killBackend(), pids: () => [] };
});

frameSourceContract('fake (gray8, rotated and downscaled)', () => {
  const source = new FakeFrameSource({ width: 32, height: 24, format: 'gray8', fps: 60, rotate: 270, scaleWidth: 12 });
  return { source, width: 12, height: 16, format: 'gray8', kill: () => void source.killBackend(), pids: () => [] };
});

describe('FakeFrameSource for other modules’ tests', () => {
  it('emit() hands a frame over synchronously; false from the consumer counts as dropped', async () => {
    const src = new FakeFrameSource({ width: 4, height: 4 });
    let busy = false;
    const seqs: number[] = [];
    src.onFrame((f) => {
      seqs.push(f.seq);
      return busy ? false : undefined;
    });
    expect(src.emit()).toBe(false); // not started
    await src.start();
    expect(src.emit()).toBe(true);
    busy = true;
    src.emit();
    expect(seqs).toEqual([1, 2]);
    expect(src.stats()).toMatchObject({ state: 'running', frames: 2, dropped: 1, delivered: 1 });
    await src.stop();
  });

  it('setImage() feeds fixed pixels', async () => {
    const src = new FakeFrameSource({ width: 2, height: 1 });
    const img = Uint8Array.from([1, 2, 3, 4, 5, 6]);
    src.setImage(img);
    let got: number[] = [];
    src.onFrame((f) => void (got = [...f.data]));
    await src.start();
    src.emit();
    expect(got).toEqual([1, 2, 3, 4, 5, 6]);
    expect(() => src.setImage(new Uint8Array(5))).toThrow(/POKERFACE_ERR_FRAME_INVALID|invalid size/);
    await src.stop();
  });

  it('fail() makes the camera report failed with the code until recover()', async () => {
    const src = new FakeFrameSource({ width: 4, height: 4, backoffInitialMs: 5, backoffMaxMs: 10 });
    await src.start();
    src.emit();
    src.fail('POKERFACE_ERR_CAMERA_NOT_FOUND', 'unplugged');
    await waitFor(() => src.stats().state === 'failed', { what: 'state failed' });
    expect(src.stats().state).toBe('failed');
    expect(src.stats().lastError?.code).toBe('POKERFACE_ERR_CAMERA_NOT_FOUND');
    expect(src.health()).toMatchObject({ name: 'capture', healthy: false });
    src.recover();
    // the supervisor's next retry opens a session; until then emit() has nowhere to deliver
    await waitFor(() => src.emit(), { what: 'a frame delivered after recover()' });
    expect(src.stats().state).toBe('running');
    expect(src.health().healthy).toBe(true);
    await src.stop();
  });
});
