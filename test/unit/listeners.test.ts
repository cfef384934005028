import { describe, expect, it } from 'vitest';
import { Listeners } from '../../src/listeners.js';

function recordingLog(): { errors: Array<{ obj: unknown; msg: string }>; error(obj: unknown, msg: string): void } {
  const errors: Array<{ obj: unknown; msg: string }> = [];
  return { errors, error: (obj, msg) => void errors.push({ obj, msg }) };
}

describe('Listeners', () => {
  it('calls every listener in order; the returned function unsubscribes (twice is harmless)', () => {
    const h = new Listeners<number>(recordingLog(), 'test');
    const got: string[] = [];
    h.add((v) => got.push(`a${v}`));
    const offB = h.add((v) => got.push(`b${v}`));
    h.emit(1);
    offB();
    offB();
    h.emit(2);
    expect(got).toEqual(['a1', 'b1', 'a2']);
    expect(h.size).toBe(1);
  });

  it('a listener that throws is logged with its name and does not stop the others or the emitter', () => {
    const log = recordingLog();
    const h = new Listeners<string>(log, 'button');
    const got: string[] = [];
    h.add(() => {
      throw new Error('boom');
    });
    h.add((v) => got.push(v));
    expect(() => h.emit('go')).not.toThrow();
    expect(got).toEqual(['go']);
    expect(log.errors).toHaveLength(1);
    expect(log.errors[0]?.msg).toBe('button listener threw');
    expect((log.errors[0]?.obj as { err: Error }).err.message).toBe('boom');
  });

  it('each add is its own subscription: the same function added twice runs twice, and one unsubscribe removes one', () => {
    const h = new Listeners<number>(recordingLog(), 'test');
    let n = 0;
    const fn = (): void => void n++;
    const off1 = h.add(fn);
    h.add(fn);
    h.emit(0);
    expect(n).toBe(2);
    off1();
    h.emit(0);
    expect(n).toBe(3);
  });

  it('during an emit: a listener removed is skipped, one added waits for the next emit', () => {
    const h = new Listeners<number>(recordingLog(), 'test');
    const got: string[] = [];
    let offC: () => void = () => undefined;
    h.add(() => {
      got.push('a');
      offC();
      h.add(() => got.push('d'));
    });
    offC = h.add(() => got.push('c'));
    h.emit(0);
    expect(got).toEqual(['a']);
    got.length = 0;
    h.emit(0);
    // a ran again and added one more d; the first d is called, the new one waits
    expect(got).toEqual(['a', 'd']);
  });

  it('offer: true when any listener took the value (not `false`, not a throw); false with none', () => {
    const log = recordingLog();
    const h = new Listeners<number>(log, 'frame');
    expect(h.offer(1)).toBe(false);
    const offBusy = h.add(() => false);
    expect(h.offer(1)).toBe(false);
    h.add(() => {
      throw new Error('boom');
    });
    expect(h.offer(1)).toBe(false);
    expect(log.errors.map((e) => e.msg)).toEqual(['frame listener threw']);
    const offTaker = h.add(() => undefined);
    expect(h.offer(1)).toBe(true);
    offTaker();
    offBusy();
    expect(h.offer(1)).toBe(false);
  });
});
