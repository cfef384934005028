// One contract for every Player: the mpv player and the fake keep the same promises.
import { describe, expect, it, afterEach } from 'vitest';
import type { ModuleHealth, Player, PlayerEvent } from '../../../src/types.js';

export interface PlayerHarness {
  player: Player & { health(): ModuleHealth };
  /** kill the backing process (or pretend to) */
  crash: () => void;
  /** whether a backing process is still alive */
  alive: () => boolean;
  /** a short playable clip, one that does not exist, one that is not a video */
  good: string;
  missing: string;
  corrupt: string;
  /** a playable clip whose name has spaces, quotes and a $ */
  oddName: string;
  /** how long `good` plays, ms */
  clipMs: number;
  cleanup(): Promise<void>;
}

function recorder(p: Player): { events: PlayerEvent[]; next(pred: (e: PlayerEvent) => boolean, ms?: number): Promise<PlayerEvent> } {
  const events: PlayerEvent[] = [];
  const waiters: Array<{ pred: (e: PlayerEvent) => boolean; resolve: (e: PlayerEvent) => void }> = [];
  p.onEvent((e) => {
    events.push(e);
    for (const w of [...waiters]) {
      if (w.pred(e)) {
        waiters.splice(waiters.indexOf(w), 1);
        w.resolve(e);
      }
    }
  });
  return {
    events,
    next(pred, ms = 5000) {
      const seen = events.find(pred);
      if (seen) return Promise.resolve(seen);
      return new Promise<PlayerEvent>((resolve, reject) => {
        const t = setTimeout(() => reject(new Error(`no matching player event within ${ms} ms; got ${JSON.stringify(events)}`)), ms);
        waiters.push({ pred, resolve: (e) => (clearTimeout(t), resolve(e)) });
      });
    },
  };
}

export function playerContract(name: string, make: () => Promise<PlayerHarness>): void {
  describe(`Player contract: ${name}`, () => {
    let h: PlayerHarness | null = null;
    const setup = async (): Promise<PlayerHarness> => {
      h = await make();
      await h.player.start();
      return h;
    };
    afterEach(async () => {
      if (h) {
        await h.player.stop();
        await h.cleanup();
        h = null;
      }
    });

    it('plays a clip: started, then ended with eof', async () => {
      const { player, good, clipMs } = await setup();
      const rec = recorder(player);
      await player.play(good);
      const started = await rec.next((e) => e.type === 'started');
      const ended = await rec.next((e) => e.type === 'ended', clipMs + 5000);
      expect(started).toMatchObject({ type: 'started', clip: good });
      expect(ended).toMatchObject({ type: 'ended', clip: good });
      expect(ended.ts).toBeGreaterThanOrEqual(started.ts);
      expect(rec.events.filter((e) => e.type === 'failed')).toEqual([]);
      expect(player.stats()).toMatchObject({ healthy: true, restarts: 0, current: null });
      expect(player.health().healthy).toBe(true);
    });

    it('reports a missing file and a corrupt file as failed, and keeps working', async () => {
      const { player, good, missing, corrupt, clipMs } = await setup();
      const rec = recorder(player);
      await player.play(missing);
      expect(await rec.next((e) => e.type === 'failed' && e.clip === missing)).toMatchObject({ type: 'failed' });
      await player.play(corrupt);
      expect(await rec.next((e) => e.type === 'failed' && e.clip === corrupt)).toMatchObject({ type: 'failed' });
      await player.play(good);
      await rec.next((e) => e.type === 'ended' && e.clip === good, clipMs + 5000);
      expect(rec.events.some((e) => e.type === 'started' && e.clip !== good)).toBe(false);
    });

    it('plays a file whose name has spaces, quotes and a dollar sign', async () => {
      const { player, oddName, clipMs } = await setup();
      const rec = recorder(player);
      await player.play(oddName);
      await rec.next((e) => e.type === 'started' && e.clip === oddName);
      await rec.next((e) => e.type === 'ended' && e.clip === oddName, clipMs + 5000);
    });

    it('loops the attract clip until something else plays', async () => {
      const { player, good, oddName, clipMs } = await setup();
      const rec = recorder(player);
      await player.playAttract(good);
      await rec.next((e) => e.type === 'started' && e.clip === good);
      await new Promise((r) => setTimeout(r, clipMs * 1.5 + 200)); // bounded: past the clip's end, nothing but a restart of the loop
      expect(rec.events.filter((e) => e.type !== 'started')).toEqual([]);
      await player.showText('3', 500);
      await player.showText('CRACKED! ${path} "quoted"', 500);
      await player.setVolume(50);
      await player.play(oddName);
      await rec.next((e) => e.type === 'ended' && e.clip === oddName, clipMs + 5000);
      expect(rec.events.some((e) => e.type === 'ended' && e.clip === good)).toBe(false);
    });

    it('reports a crash: the clip fails, the player restarts and counts it', async () => {
      const { player, good, crash, alive, clipMs } = await setup();
      const rec = recorder(player);
      let healthyAtFailure: boolean | null = null;
      player.onEvent((e) => {
        if (e.type === 'failed') healthyAtFailure = player.health().healthy;
      });
      await player.playAttract(good);
      await rec.next((e) => e.type === 'started');
      await player.play(good);
      await rec.next((e) => e.type === 'started' && rec.events.filter((x) => x.type === 'started').length >= 2);
      crash();
      const failed = await rec.next((e) => e.type === 'failed');
      expect(failed).toMatchObject({ type: 'failed', clip: good });
      expect(healthyAtFailure).toBe(false);
      const restarted = await rec.next((e) => e.type === 'restarted', 2000);
      expect(restarted).toMatchObject({ type: 'restarted', restarts: 1 });
      expect(restarted.ts - failed.ts).toBeLessThan(2000);
      expect(player.stats()).toMatchObject({ healthy: true, restarts: 1 });
      expect(alive()).toBe(true);
      const before = rec.events.length;
      await player.play(good);
      await rec.next((e) => e.type === 'ended' && rec.events.indexOf(e) >= before, clipMs + 5000);
    });

    it('stop leaves no process behind and is safe to repeat', async () => {
      const { player, good, alive } = await setup();
      await player.playAttract(good);
      expect(alive()).toBe(true);
      await player.stop();
      expect(alive()).toBe(false);
      await player.stop();
      expect(player.health().healthy).toBe(false);
    });
  });
}
