// One contract every ButtonSource meets, run against each backend through a harness
// that knows how to make that backend see a press or a hold.
import { afterEach, describe, expect, it } from 'vitest';
import { BUTTONS, type ButtonEvent, type ButtonName, type ButtonSource } from '../../../src/types.js';

export interface ContractHarness {
  source: ButtonSource;
  /** the ButtonEvent.source this backend stamps */
  kind: ButtonEvent['source'];
  /** one complete press (down and up), with enough time passing for it to be reported */
  press(name: ButtonName): Promise<void> | void;
  /** a press kept down past the hold time, then let go */
  hold(name: ButtonName): Promise<void> | void;
  /** timers still pending, where the harness can tell */
  pendingTimers?(): number;
}

export function buttonSourceContract(label: string, make: () => ContractHarness | Promise<ContractHarness>): void {
  describe(`ButtonSource contract: ${label}`, () => {
    let current: ContractHarness | null = null;
    const started = async (): Promise<{ h: ContractHarness; events: ButtonEvent[] }> => {
      const h = await make();
      current = h;
      const events: ButtonEvent[] = [];
      h.source.onButton((e) => events.push(e));
      await h.source.start();
      return { h, events };
    };
    afterEach(async () => {
      await current?.source.stop();
      current = null;
    });

    it('emits exactly one press per press, for every button, stamped with its source', async () => {
      const { h, events } = await started();
      for (const name of BUTTONS) await h.press(name);
      expect(events.map((e) => [e.name, e.kind, e.source])).toEqual(BUTTONS.map((n) => [n, 'press', h.kind]));
    });

    it('a hold gives exactly one hold, after at most one press of the same button', async () => {
      const { h, events } = await started();
      for (const name of BUTTONS) {
        const before = events.length;
        await h.hold(name);
        const mine = events.slice(before);
        expect(mine.every((e) => e.name === name && e.source === h.kind)).toBe(true);
        expect(mine.filter((e) => e.kind === 'hold')).toHaveLength(1);
        expect(mine.filter((e) => e.kind === 'press').length).toBeLessThanOrEqual(1);
        expect(mine.at(-1)?.kind).toBe('hold');
        if (mine.length === 2) expect((mine[1]?.ts ?? 0) >= (mine[0]?.ts ?? 0)).toBe(true);
      }
    });

    it('stamps finite, non-decreasing monotonic times', async () => {
      const { h, events } = await started();
      await h.press('funny');
      await h.press('level2');
      await h.hold('start');
      const ts = events.map((e) => e.ts);
      expect(ts.every((t) => Number.isFinite(t))).toBe(true);
      expect([...ts].sort((a, b) => a - b)).toEqual(ts);
    });

    it('tells every listener about every event', async () => {
      const h = await make();
      current = h;
      const a: ButtonEvent[] = [];
      const b: ButtonEvent[] = [];
      h.source.onButton((e) => a.push(e));
      h.source.onButton(() => {
        throw new Error('a broken listener must not stop the others');
      });
      h.source.onButton((e) => b.push(e));
      await h.source.start();
      await h.press('scary');
      expect(a).toHaveLength(1);
      expect(b).toEqual(a);
    });

    it('is healthy once started', async () => {
      const { h } = await started();
      const health = h.source.health();
      expect(health.healthy).toBe(true);
      expect(health.backends.length).toBeGreaterThan(0);
      expect(health.backends.every((b) => b.state !== 'failed')).toBe(true);
    });

    it('accepts every light mode for every button, and partial maps', async () => {
      const { h } = await started();
      h.source.setLights({ funny: 'on', scary: 'blink' });
      h.source.setLights(Object.fromEntries(BUTTONS.map((n) => [n, 'blink'])));
      h.source.setLights({});
      h.source.setLights(Object.fromEntries(BUTTONS.map((n) => [n, 'off'])));
    });

    it('emits nothing after stop, stops twice without harm and leaves no timers', async () => {
      const { h, events } = await started();
      h.source.setLights({ start: 'blink' });
      await h.source.stop();
      await h.source.stop();
      try {
        await h.press('funny');
      } catch {
        // a stopped backend may refuse outright; it must just not emit
      }
      expect(events).toEqual([]);
      if (h.pendingTimers) expect(h.pendingTimers()).toBe(0);
    });
  });
}
