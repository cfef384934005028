// The FrameSource contract, run against every backend that can run here and against
// the fake. A factory makes a fresh, unstarted source per test.
import { afterEach, describe, expect, it } from 'vitest';
import type { CaptureStats, Frame, FrameSource, PixelFormat } from '../../../src/types.js';
import { waitFor } from '../../wait-for.js';

export interface ContractSubject {
  source: FrameSource;
  width: number;
  height: number;
  format: PixelFormat;
  /** end the backend abruptly (SIGKILL the child, terminate the worker) */
  kill(): void;
  /** the backend's child process ids right now (empty when it runs no child) */
  pids(): number[];
}

export interface ContractOptions {
  /** frames must resume this soon after a kill (the target is 2 s) */
  resumeWithinMs?: number;
  /** how long to wait for the first frames (slow starters, loaded CI) */
  firstFrameTimeoutMs?: number;
}

export function alive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
}

/** Resolves with the next `n` frames (copied), or rejects after `ms`. */
export async function nextFrames(frames: Frame[], n: number, ms: number): Promise<Frame[]> {
  const start = frames.length;
  await waitFor(() => frames.length >= start + n, { timeoutMs: ms, everyMs: 5, what: () => `${n} frames (got ${frames.length - start})` });
  return frames.slice(start, start + n);
}

export function frameSourceContract(name: string, factory: () => ContractSubject | Promise<ContractSubject>, opts: ContractOptions = {}): void {
  const resumeWithin = opts.resumeWithinMs ?? 2000;
  const firstWithin = opts.firstFrameTimeoutMs ?? 8000;

  describe(`FrameSource contract: ${name}`, () => {
    let subject: ContractSubject | null = null;
    const frames: Frame[] = [];

    const make = async (): Promise<ContractSubject> => {
      frames.length = 0;
      subject = await factory();
      // the data buffer is only valid during the call: keep a copy
      subject.source.onFrame((f) => void frames.push({ ...f, data: f.data.slice() }));
      return subject;
    };

    afterEach(async () => {
      await subject?.source.stop();
      subject = null;
    });

    it('delivers frames of the configured size and format, in order, with increasing timestamps', async () => {
      const s = await make();
      await s.source.start();
      const got = await nextFrames(frames, 8, firstWithin);
      const channels = s.format === 'gray8' ? 1 : 3;
      for (const f of got) {
        expect(f.width).toBe(s.width);
        expect(f.height).toBe(s.height);
        expect(f.format).toBe(s.format);
        expect(f.data.byteLength).toBe(s.width * s.height * channels);
      }
      for (let i = 1; i < got.length; i++) {
        const a = got[i - 1] as Frame;
        const b = got[i] as Frame;
        expect(b.seq).toBeGreaterThan(a.seq);
        expect(b.ts).toBeGreaterThan(a.ts);
      }
      // not all black: real pixels arrived
      expect(got.some((f) => f.data.some((v) => v !== 0))).toBe(true);
      const st: CaptureStats = s.source.stats();
      expect(st.state).toBe('running');
      expect(st.frames).toBeGreaterThanOrEqual(8);
      expect(st.lastFrameAgeMs).not.toBeNull();
      expect(st.lastError).toBeUndefined();
    });

    it('stop() leaves no child process and no more frames', async () => {
      const s = await make();
      await s.source.start();
      await nextFrames(frames, 3, firstWithin);
      const pids = s.pids();
      await s.source.stop();
      for (const pid of pids) expect(alive(pid), `pid ${pid} still alive`).toBe(false);
      const n = frames.length;
      await new Promise((r) => setTimeout(r, 150)); // bounded: only a wait shows no frame follows stop()
      expect(frames.length).toBe(n);
      expect(s.source.stats().state).toBe('stopped');
      await s.source.stop(); // twice is fine
    });

    it(`a killed backend is restarted and frames resume within ${resumeWithin} ms`, async () => {
      const s = await make();
      await s.source.start();
      await nextFrames(frames, 3, firstWithin);
      const before = s.pids();
      const t0 = Date.now();
      s.kill();
      // frames already in flight may still arrive; wait for one from the new backend
      const lastSeq = frames.at(-1)?.seq ?? 0;
      await waitFor(() => s.source.stats().reconnects >= 1 && frames.some((f) => f.seq > lastSeq + 2), {
        timeoutMs: resumeWithin,
        everyMs: 5,
        what: () => `frames after the kill (state ${s.source.stats().state}, reconnects ${s.source.stats().reconnects})`,
      });
      const resumedMs = Date.now() - t0;
      expect(resumedMs).toBeLessThan(resumeWithin);
      const st = s.source.stats();
      expect(st.reconnects).toBeGreaterThanOrEqual(1);
      expect(st.state).toBe('running');
      for (const pid of before) expect(alive(pid), `killed pid ${pid} was not reaped`).toBe(false);
    });
  });
}
