import { describe, expect, it } from 'vitest';
import { LoginThrottle } from '../../../src/api/login-throttle.js';

describe('LoginThrottle', () => {
  it('blocks an address after maxFailures within the window, until the window has passed', () => {
    let t = 0;
    const th = new LoginThrottle(() => t, 3, 60_000);
    expect(th.allowed('10.0.0.9')).toBe(true);
    expect(th.failed('10.0.0.9')).toBe(false);
    t = 1000;
    expect(th.failed('10.0.0.9')).toBe(false);
    expect(th.allowed('10.0.0.9')).toBe(true);
    t = 2000;
    expect(th.failed('10.0.0.9')).toBe(true); // this one blocks
    expect(th.allowed('10.0.0.9')).toBe(false);
    expect(th.allowed('10.0.0.10')).toBe(true); // others are not affected
    t = 60_001; // the first failure has left the window
    expect(th.allowed('10.0.0.9')).toBe(true);
    t = 62_001;
    expect(th.allowed('10.0.0.9')).toBe(true);
  });

  it('forgets the oldest addresses beyond maxAddresses', () => {
    const th = new LoginThrottle(() => 0, 1, 60_000, 2);
    th.failed('a');
    th.failed('b');
    th.failed('c');
    expect(th.allowed('a')).toBe(true);
    expect(th.allowed('b')).toBe(false);
    expect(th.allowed('c')).toBe(false);
  });
});
