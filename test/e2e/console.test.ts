// The staff console in headless Chromium against the real daemon (demo setup: the
// camera's face smiles after 12 s): log in, see a control refused with a wrong token,
// start a funny level-1 round from the page, watch the meter move and the CRACKED banner
// appear, read the clip table, then start and stop a round.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Page } from 'playwright-core';
import { haveChromium, launchChromium } from '../integration/api/chromium.js';
import { startConsoleBooth, TOKEN, type ConsoleBooth } from './console-booth.js';
import { waitFor } from '../wait-for.js';

interface El {
  textContent: string | null;
  hidden: boolean;
  getAttribute(name: string): string | null;
}
declare const document: { getElementById(id: string): El | null; querySelectorAll(sel: string): { length: number } };

const text = (page: Page, id: string): Promise<string> => page.evaluate((i) => document.getElementById(i)?.textContent ?? '', id);
const waitText = (page: Page, id: string, re: RegExp, timeout: number): Promise<unknown> =>
  page.waitForFunction(([i, src]) => new RegExp(src as string).test(document.getElementById(i as string)?.textContent ?? ''), [id, re.source], { timeout });

describe.skipIf(!haveChromium)('staff console against the real daemon', () => {
  let booth: ConsoleBooth;
  let browser: Awaited<ReturnType<typeof launchChromium>>;

  beforeAll(async () => {
    [booth, browser] = await Promise.all([startConsoleBooth(), launchChromium()]);
  }, 150_000);

  afterAll(async () => {
    await browser?.close();
    await booth?.dispose();
  });

  it('runs the booth from the page', async () => {
    const page = await browser.context.newPage();
    const errors: string[] = [];
    page.on('pageerror', (e) => errors.push(e.message));
    page.on('console', (m) => {
      if (m.type() === 'error' && !/status of 401/.test(m.text())) errors.push(m.text());
    });
    await page.goto(booth.url);
    await waitText(page, 'live', /^live$/, 15_000);
    await page.waitForFunction(() => document.querySelectorAll('#clips tr').length >= 6, undefined, { timeout: 15_000 });
    expect(await text(page, 'clips')).toContain('funny/1/clip.mp4');
    await waitText(page, 'infer', /^cpu · p50/, 15_000);
    // every health component once (the inference worker and the notifier used to appear twice)
    const health = (await booth.daemon.api('GET', '/api/health', undefined, null)).json as { components: Array<{ name: string }> };
    const names = health.components.map((c) => c.name);
    expect(names).toEqual(expect.arrayContaining(['capture', 'inference', 'player', 'mqtt', 'notifier']));
    expect(names.filter((n, i) => names.indexOf(n) !== i), names.join(', ')).toEqual([]);
    expect(names).not.toContain('detector');

    // a wrong token: the login and a control both show the server's refusal
    await page.fill('#token', 'not-the-token');
    await page.click('#login button');
    await page.waitForFunction(() => document.getElementById('answer')?.getAttribute('data-status') === '401', undefined, { timeout: 10_000 });
    await page.click('#stop');
    await waitText(page, 'answer', /^stop: 401 POKERFACE_ERR_API_UNAUTHORIZED/, 10_000);

    await page.fill('#token', TOKEN);
    await page.click('#login button');
    await waitText(page, 'answer', /^log in: 200 OK/, 10_000);

    // a funny level-1 round from the page
    await page.selectOption('#modesel', 'funny');
    await page.selectOption('#levelsel', '1');
    await page.click('#start');
    await waitText(page, 'answer', /^start funny level 1: 200 OK/, 10_000);
    await waitText(page, 'phase', /^playing$/, 20_000);
    await waitText(page, 'clip', /^funny\/1\/clip\.mp4$/, 20_000); // known once the clip plays
    await waitText(page, 'timeleft', /^\d+\.\d s$/, 5000);
    const seen = new Set<string>();
    await page.waitForFunction(() => Number(document.getElementById('chart')?.getAttribute('data-points')) >= 10, undefined, { timeout: 20_000 });
    await waitText(page, 'held', /^held \d+ \/ 1000 ms$/, 5000);
    // the face is neutral (a flat meter) for up to 12 s before it smiles
    const meterMoved = async (): Promise<boolean> => {
      const v = await page.evaluate(() => document.getElementById('meter')?.getAttribute('data-value') ?? '');
      if (v !== '') seen.add(v);
      return seen.size >= 3;
    };
    await waitFor(meterMoved, { timeoutMs: 40_000, everyMs: 100, what: () => `the meter to move (values ${[...seen].join(', ')})` });
    expect(seen.size, 'the meter moves').toBeGreaterThanOrEqual(3);
    await waitText(page, 'banner', /^CRACKED at \d+\.\d s$/, 40_000);
    expect(await page.isVisible('#banner')).toBe(true);

    // the round shows up in the clip table and the results
    await page.waitForFunction(() => /CRACKED|cracked/.test(document.getElementById('recent')?.textContent ?? ''), undefined, { timeout: 15_000 });
    const clipRow = (): Promise<string> =>
      page.evaluate(() => {
        const rows = (document as unknown as { querySelectorAll(s: string): ArrayLike<{ textContent: string | null }> }).querySelectorAll('#clips tr');
        for (let i = 0; i < rows.length; i++) if (rows[i]?.textContent?.includes('funny/1/clip.mp4')) return rows[i]?.textContent ?? '';
        return '';
      });
    // mode, level, clip, length, 1 round, 100 % cracked, the median time to crack
    const want = /^funny1funny\/1\/clip\.mp425\.0 s1100 %\d+\.\d s/;
    let row = '';
    await waitFor(async () => want.test((row = await clipRow())), { everyMs: 100, what: () => `the clip row (${row})` });
    expect(await clipRow(), JSON.stringify((await booth.daemon.api('GET', '/api/clips', undefined, null)).json)).toMatch(want);

    // start another round and stop it: the banner says so
    await waitText(page, 'phase', /^attract$/, 15_000);
    await page.click('#start');
    await waitText(page, 'phase', /^(countdown|playing)$/, 15_000);
    await page.click('#stop');
    await waitText(page, 'answer', /^stop: 200 OK/, 10_000);
    await waitText(page, 'banner', /^ABORTED: staff$/, 10_000);
    await waitText(page, 'phase', /^attract$/, 10_000);
    expect(await text(page, 'scoreval')).toBe('–');
    expect(errors).toEqual([]);
    await page.close();
  }, 180_000);
});
