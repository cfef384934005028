// The staff console in headless Chromium against the REST server with fake services:
// strict CSP with nothing blocked, the vendored chart, live state, meter and banner, the
// controls' answers, the camera behind the token; and its REST reads for scripts.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { BrowserContext } from 'playwright-core';
import { parseConfig } from '../../../src/config/load.js';
import { systemClock } from '../../../src/clock.js';
import { silentLogger } from '../../../src/log.js';
import { RestServer } from '../../../src/api/rest.js';
import { staffServices, type StaffMedia } from '../../../src/api/services.js';
import { haveChromium, launchChromium } from './chromium.js';
import { waitUntil } from '../../e2e/harness.js';
import { FakeBooth, FakeDetector, StubFrameSource, StubPlayer, FakeResults } from '../../unit/api/fakes.js';

// The little of the DOM the page functions below touch (they run in the browser; the
// project compiles without lib.dom). Functions, not strings: the page's CSP forbids eval.
interface El {
  textContent: string | null;
  hidden: boolean;
  getAttribute(name: string): string | null;
  naturalWidth: number;
}
declare const document: { getElementById(id: string): El | null; querySelectorAll(sel: string): { length: number } };
declare const window: { uPlot?: unknown };

describe.skipIf(!haveChromium)('staff console in headless Chromium (fake services)', () => {
  let browser: { context: BrowserContext; close: () => Promise<void> };
  let server: RestServer;
  const booth = new FakeBooth();
  const frames = new StubFrameSource();
  const results = new FakeResults();
  const exits: number[] = [];
  const media: StaffMedia = {
    root: '/srv/media',
    summary: () => ({ total: 1, empty: ['scary/3'], skipped: [{ file: '/srv/media/funny/1/broken.mp4', reason: 'no video stream' }] }),
    clips: () => [{ folder: 'funny/2', clip: { file: '/srv/media/funny/2/clip.mp4', name: 'clip.mp4', durationMs: 12_000 } }],
  };

  beforeAll(async () => {
    server = new RestServer({
      config: parseConfig('boothId: page\napi:\n  host: 127.0.0.1\n  port: 0\n  token: pagetoken-0123456789abcdef01\n  snapshot: true\n  scoreHz: 20\n', 'test'),
      log: silentLogger,
      clock: systemClock,
      services: staffServices({
        booth,
        frameSource: frames,
        detector: new FakeDetector(),
        player: new StubPlayer(),
        results,
        media,
        mqtt: { status: () => ({ connected: true, queued: 0, dropped: 0, reconnects: 0 }), health: () => ({ name: 'mqtt', healthy: true, reasons: [] }) },
      }),
      requestExit: (code) => void exits.push(code),
    });
    await server.start();
    browser = await launchChromium();
  }, 60_000);

  afterAll(async () => {
    await browser?.close();
    await server?.stop();
  });

  it('serves its reads for scripts, documented in the OpenAPI', async () => {
    results.append({ id: 'c1', endedAt: Date.now(), mode: 'funny', level: 2, clip: '/srv/media/funny/2/clip.mp4', outcome: 'cracked', peak: 0.9, durationMs: 3200 });
    const base = server.url();
    const sys = (await (await fetch(`${base}/api/system`)).json()) as { camera: { fps: number }; infer: { provider: string }; mqtt: { broker: string }; components: Array<{ name: string }> };
    expect(sys.camera.fps).toBe(29.7);
    expect(sys.infer.provider).toBe('cpu');
    expect(sys.mqtt.broker).toBe('mqtt://127.0.0.1:1883');
    const names = sys.components.map((c) => c.name);
    expect(new Set(names).size).toBe(names.length);
    const clips = (await (await fetch(`${base}/api/clips`)).json()) as { clips: Array<{ name: string; rounds: number; crackRate: number }>; problems: Array<{ name: string }> };
    expect(clips.clips).toMatchObject([{ name: 'funny/2/clip.mp4', rounds: 1, crackRate: 1 }]);
    expect(clips.problems).toMatchObject([{ name: 'funny/1/broken.mp4' }]);
    // computed once per finished round, not per poll
    const r2 = { id: 'c2', endedAt: Date.now(), mode: 'funny', level: 2, clip: '/srv/media/funny/2/clip.mp4', outcome: 'survived' as const, peak: 0.2, durationMs: 12_000 };
    results.append(r2);
    const rounds = async (): Promise<number> => ((await (await fetch(`${base}/api/clips`)).json()) as { clips: Array<{ rounds: number }> }).clips[0]?.rounds ?? -1;
    expect(await rounds()).toBe(1);
    booth.results.emit(r2);
    expect(await rounds()).toBe(2);
    const csv = await fetch(`${base}/api/results.csv`);
    expect(csv.headers.get('content-type')).toContain('text/csv');
    expect(await csv.text()).toContain(',funny,2,funny/2/clip.mp4,cracked,0.9,3200,,c1');
    expect(await (await fetch(`${base}/api/results.csv?sinceDays=1`)).text()).toContain(',survived,0.2,12000,,c2');
    const lib = await fetch(`${base}/console/uplot.js`);
    expect(lib.status).toBe(200);
    expect((await fetch(`${base}/console/other.js`)).status).toBe(404);
    const spec = (await (await fetch(`${base}/api/docs/json`)).json()) as { paths: Record<string, unknown> };
    expect(Object.keys(spec.paths)).toEqual(expect.arrayContaining(['/api/system', '/api/clips', '/api/results.csv']));
    const page = await fetch(`${base}/`);
    expect(page.headers.get('content-security-policy')).toContain("script-src 'self';");
    expect(await page.text()).not.toMatch(/<script>|style=/);
  });

  it('shows live state, the meter, the banner and the answers of the controls', async () => {
    const page = await browser.context.newPage();
    const errors: string[] = [];
    page.on('pageerror', (e) => errors.push(e.message));
    page.on('console', (m) => {
      // the refusals this test provokes are logged by Chromium as failed loads
      if (m.type() === 'error' && !/status of (401|409)/.test(m.text())) errors.push(m.text());
    });
    await page.goto(`${server.url()}/`);
    await page.waitForFunction(() => document.getElementById('live')?.textContent === 'live', undefined, { timeout: 10_000 });
    await page.waitForFunction(() => document.getElementById('health')?.textContent === 'healthy', undefined, { timeout: 10_000 });
    expect(await page.evaluate(() => typeof window.uPlot)).toBe('function');
    expect(await page.textContent('#infer')).toContain('cpu');
    await page.waitForFunction(() => document.querySelectorAll('#clips tr').length === 1, undefined, { timeout: 10_000 });
    expect(await page.textContent('#problems')).toContain('funny/1/broken.mp4');

    booth.setState({ phase: 'playing', mode: 'funny', level: 2, clip: '/srv/media/funny/2/clip.mp4' });
    booth.emitEvent('round_start', { clip: '/srv/media/funny/2/clip.mp4', level: 2 });
    await page.waitForFunction(() => document.getElementById('phase')?.textContent === 'playing', undefined, { timeout: 5000 });
    expect(await page.textContent('#clip')).toBe('funny/2/clip.mp4');
    let v = 0.1;
    const timer = setInterval(() => booth.emitScore((v = Math.min(0.95, v + 0.03))), 40);
    try {
      await page.waitForFunction(() => Number(document.getElementById('chart')?.getAttribute('data-points')) >= 5, undefined, { timeout: 10_000 });
      await page.waitForFunction(() => Number(document.getElementById('meter')?.getAttribute('data-value')) > 0.3, undefined, { timeout: 10_000 });
    } finally {
      clearInterval(timer);
    }
    expect(await page.textContent('#held')).toMatch(/^held \d+ \/ 700 ms$/);
    expect(await page.textContent('#timeleft')).toMatch(/ s$/);
    booth.emitEvent('cracked', { durationMs: 3200, outcome: 'cracked' });
    await page.waitForFunction(() => document.getElementById('banner')?.textContent === 'CRACKED at 3.2 s', undefined, { timeout: 5000 });
    booth.setState({ phase: 'attract', mode: null, level: null, clip: null });
    await page.waitForFunction(() => document.getElementById('scoreval')?.textContent === '–', undefined, { timeout: 5000 });
    expect(await page.isVisible('#banner')).toBe(true); // stays until the next round

    // a control without a token shows the server's refusal; with it, the answer
    await page.click('#stop');
    await page.waitForFunction(() => document.getElementById('answer')?.getAttribute('data-status') === '401', undefined, { timeout: 5000 });
    expect(await page.textContent('#answer')).toContain('POKERFACE_ERR_API_UNAUTHORIZED');
    const camTimer = setInterval(() => frames.emitFrame(), 30);
    try {
      await page.fill('#token', 'pagetoken-0123456789abcdef01');
      await page.click('#login button');
      await page.waitForFunction(() => document.getElementById('snap')?.naturalWidth === 64, undefined, { timeout: 10_000 });
    } finally {
      clearInterval(camTimer);
    }
    booth.nextResult = { ok: false, code: 'POKERFACE_ERR_GAME_STATE', message: 'a round is running' };
    await page.selectOption('#levelsel', '3');
    await page.click('#start');
    await page.waitForFunction(() => document.getElementById('answer')?.getAttribute('data-status') === '409', undefined, { timeout: 5000 });
    expect(await page.textContent('#answer')).toContain('a round is running');
    expect(booth.calls).toContain('start {"mode":"funny","level":3}');
    booth.nextResult = { ok: true };
    await page.click('[data-button="scary"]');
    await page.waitForFunction(() => document.getElementById('answer')?.getAttribute('data-status') === '200', undefined, { timeout: 5000 });
    expect(booth.calls).toContain('press scary');

    // restart asks first: one click arms it, the second sends it
    await page.click('#restart');
    expect(await page.textContent('#restart')).toBe('Really restart?');
    await page.click('#restart');
    await page.waitForFunction(() => document.getElementById('answer')?.getAttribute('data-status') === '202', undefined, { timeout: 5000 });
    expect(await page.textContent('#answer')).toBe('restart: 202 OK – restarting');
    await waitUntil(() => exits.length === 1, 5000, 'the exit request');
    expect(exits).toEqual([75]);
    expect(errors).toEqual([]);
    await page.close();
  }, 60_000);
});
