// The staff status page in headless Chromium: live state and a score chart that moves
// while a (fake) round runs.
import { existsSync } from 'node:fs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { chromium, type Browser } from 'playwright-core';
import { parseConfig } from '../../../src/config/load.js';
import { systemClock } from '../../../src/clock.js';
import { silentLogger } from '../../../src/log.js';
import { RestServer } from '../../../src/api/rest.js';
import { staffServices } from '../../../src/api/services.js';
import { FakeBooth, FakeDetector, FakeFrameSource, FakePlayer, FakeResults } from '../../unit/api/fakes.js';

const CHROMIUM = '/usr/bin/chromium';

// The little of the DOM the page functions below touch (they run in the browser; the
// project compiles without lib.dom). Functions, not strings: the page's CSP forbids eval.
interface El {
  textContent: string | null;
  getAttribute(name: string): string | null;
  toDataURL(): string;
  naturalWidth: number;
}
declare const document: { getElementById(id: string): El | null; querySelectorAll(sel: string): { length: number } };

describe.skipIf(!existsSync(CHROMIUM))('status page in headless Chromium', () => {
  let browser: Browser;
  let server: RestServer;
  const booth = new FakeBooth();
  const frames = new FakeFrameSource();
  const results = new FakeResults();

  beforeAll(async () => {
    server = new RestServer({
      config: parseConfig('boothId: page\napi:\n  host: 127.0.0.1\n  port: 0\n  token: pagetoken-0123456789abcdef01\n  snapshot: true\n  scoreHz: 20\n', 'test'),
      log: silentLogger,
      clock: systemClock,
      services: staffServices({
        booth,
        frameSource: frames,
        detector: new FakeDetector(),
        player: new FakePlayer(),
        results,
        mqtt: { status: () => ({ connected: true, queued: 0, dropped: 0, reconnects: 0 }), health: () => ({ name: 'mqtt', healthy: true, reasons: [] }) },
      }),
      requestExit: () => undefined,
    });
    await server.start();
    browser = await chromium.launch({
      executablePath: CHROMIUM,
      args: ['--headless', '--no-sandbox', '--disable-gpu', '--disable-background-networking', '--disable-component-update', '--disable-sync', '--no-first-run'],
    });
  }, 60_000);

  afterAll(async () => {
    await browser?.close();
    await server?.stop();
  });

  it('shows state, health and results, and the chart updates while a round runs', async () => {
    results.append({ id: 'x1', endedAt: Date.now(), mode: 'scary', level: 3, clip: null, outcome: 'survived', peak: 0.42, durationMs: 9000 });
    const page = await browser.newPage();
    const errors: string[] = [];
    page.on('pageerror', (e) => errors.push(e.message));
    page.on('console', (m) => {
      if (m.type() === 'error' && !m.text().includes('401')) errors.push(m.text());
    });
    await page.goto(`${server.url()}/`);
    await page.waitForFunction(() => document.getElementById('live')?.textContent === 'live', undefined, { timeout: 10_000 });
    await page.waitForFunction(() => document.getElementById('health')?.textContent === 'healthy', undefined, { timeout: 10_000 });
    expect(await page.textContent('#provider')).toBe('cpu');
    await page.waitForFunction(() => document.querySelectorAll('#results tr').length === 1, undefined, { timeout: 10_000 });
    expect(await page.textContent('#results')).toContain('survived');

    booth.setState({ phase: 'playing', mode: 'funny', level: 2, clip: 'funny/2/clip.mp4' });
    booth.emitEvent('round_start');
    await page.waitForFunction(() => document.getElementById('phase')?.textContent === 'playing', undefined, { timeout: 5000 });
    expect(await page.textContent('#clip')).toBe('funny/2/clip.mp4');

    const updates = (): Promise<number> => page.evaluate(() => Number(document.getElementById('chart')?.getAttribute('data-updates')));
    const pixels = (): Promise<string> => page.evaluate(() => document.getElementById('chart')?.toDataURL() ?? '');
    const blank = await pixels();
    let v = 0.1;
    const timer = setInterval(() => {
      v = Math.min(0.95, v + 0.03);
      booth.emitScore(v);
    }, 40);
    try {
      await page.waitForFunction(() => Number(document.getElementById('chart')?.getAttribute('data-updates')) >= 3, undefined, { timeout: 5000 });
      const first = await updates();
      const img1 = await pixels();
      expect(img1).not.toBe(blank);
      await page.waitForFunction((n) => Number(document.getElementById('chart')?.getAttribute('data-updates')) >= n + 3, first, { timeout: 5000 });
      const img2 = await pixels();
      expect(img2).not.toBe(img1);
      expect(await updates()).toBeGreaterThan(first);
      expect(Number(await page.textContent('#score'))).toBeGreaterThan(0.1);
    } finally {
      clearInterval(timer);
    }

    // the camera asks for the token once, then shows frames through the session cookie
    const camTimer = setInterval(() => frames.emitFrame(), 30);
    try {
      await page.waitForSelector('#login:not([hidden])', { timeout: 5000 });
      await page.fill('#token', 'pagetoken-0123456789abcdef01');
      await page.click('#login button');
      await page.waitForFunction(() => document.getElementById('snap')?.naturalWidth === 64, undefined, { timeout: 10_000 });
    } finally {
      clearInterval(camTimer);
    }
    expect(errors).toEqual([]);
    await page.close();
  }, 60_000);
});
