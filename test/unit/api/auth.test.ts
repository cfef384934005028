import { describe, expect, it } from 'vitest';
import { basicPasswordOf, bearerOf, checkBearer, cookieValue, Sessions, tokenMatches } from '../../../src/api/auth.js';

describe('API token checks', () => {
  it('compares tokens of any length without throwing', () => {
    expect(tokenMatches('abc', 'abc')).toBe(true);
    expect(tokenMatches('abcd', 'abc')).toBe(false);
    expect(tokenMatches('', 'abc')).toBe(false);
    expect(tokenMatches('', '')).toBe(false);
    expect(tokenMatches('x'.repeat(10_000), 'abc')).toBe(false);
  });

  it('reads bearer and basic headers', () => {
    expect(bearerOf('Bearer t0k')).toBe('t0k');
    expect(bearerOf('bearer  t0k ')).toBe('t0k');
    expect(bearerOf('Bearer')).toBeNull();
    expect(bearerOf('Basic abc')).toBeNull();
    expect(basicPasswordOf(`Basic ${Buffer.from('staff:p:w').toString('base64')}`)).toBe('p:w');
    expect(basicPasswordOf('Basic %%%')).toBeNull();
    expect(checkBearer(undefined, '')).toBe('disabled');
    expect(checkBearer(undefined, 'x')).toBe('missing');
    expect(checkBearer('Bearer y', 'x')).toBe('wrong');
    expect(checkBearer('Bearer x', 'x')).toBe('ok');
  });

  it('finds a cookie and expires sessions', () => {
    expect(cookieValue('a=1; pokerface_session=abc; b=2', 'pokerface_session')).toBe('abc');
    expect(cookieValue('a=1', 'pokerface_session')).toBeNull();
    let now = 0;
    const s = new Sessions(1000, () => now, 2);
    const a = s.create();
    expect(s.valid(a)).toBe(true);
    expect(s.valid('forged')).toBe(false);
    expect(s.valid(null)).toBe(false);
    now = 2000;
    expect(s.valid(a)).toBe(false);
    const b = s.create();
    const c = s.create();
    const d = s.create(); // over the cap: the oldest goes
    expect([s.valid(b), s.valid(c), s.valid(d)]).toEqual([false, true, true]);
  });
});
