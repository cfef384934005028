// Regenerates the staff console screenshots in docs/images/ (desktop and phone, idle and
// mid-round) from a real daemon set up like the demo config, in headless Chromium.
//   npm run build && npx tsx scripts/screenshots-console.ts
import { join } from 'node:path';
import sharp from 'sharp';
import type { Page } from 'playwright-core';
import { launchChromium } from '../test/integration/api/chromium.js';
import { startConsoleBooth, TOKEN } from '../test/e2e/console-booth.js';
import { ROOT } from '../test/e2e/harness.js';

interface El {
  textContent: string | null;
  getAttribute(name: string): string | null;
}
declare const document: { getElementById(id: string): El | null };

const OUT = join(ROOT, 'docs', 'images');
const DESKTOP = { width: 1280, height: 860 };
const PHONE = { width: 390, height: 844 };

async function shot(page: Page, name: string, fullPage = false): Promise<void> {
  const png = await page.screenshot({ type: 'png', fullPage });
  // a palette PNG: a tenth of the size, still sharp for flat UI colours
  const info = await sharp(png).png({ palette: true, quality: 90, compressionLevel: 9, effort: 10 }).toFile(join(OUT, name));
  console.log(`${name}: ${info.width}x${info.height}, ${Math.round(info.size / 1024)} KiB`);
}

async function login(page: Page): Promise<void> {
  await page.fill('#token', TOKEN);
  await page.click('#login button');
  await page.waitForFunction(() => document.getElementById('answer')?.getAttribute('data-status') === '200', undefined, { timeout: 10_000 });
}

const wait = (page: Page, f: () => boolean, timeout: number): Promise<unknown> => page.waitForFunction(f, undefined, { timeout });

async function main(): Promise<void> {
  const [booth, browser] = await Promise.all([startConsoleBooth(), launchChromium(DESKTOP)]);
  try {
    const desk = await browser.context.newPage();
    const phone = await browser.context.newPage();
    await phone.setViewportSize(PHONE);
    for (const p of [desk, phone]) {
      await p.goto(booth.url);
      await wait(p, () => document.getElementById('live')?.textContent === 'live', 15_000);
      await login(p);
    }
    // one round first, so the idle view has a result, a clip figure and a banner
    for (let round = 0; round < 2; round++) {
      await desk.selectOption('#modesel', 'funny');
      await desk.selectOption('#levelsel', '1');
      await desk.click('#start');
      await wait(desk, () => document.getElementById('phase')?.textContent === 'playing' && /^\d/.test(document.getElementById('timeleft')?.textContent ?? ''), 30_000);
      if (round === 1) {
        // mid-round: a few seconds in and the score rising, the round not yet decided
        await wait(desk, () => Number(document.getElementById('chart')?.getAttribute('data-points')) >= 40, 30_000);
        await wait(desk, () => Number(document.getElementById('meter')?.getAttribute('data-value')) > 0.3 || document.getElementById('phase')?.textContent !== 'playing', 40_000);
        await Promise.all([shot(desk, 'console-desktop-round.png'), shot(phone, 'console-phone-round.png')]);
      }
      await wait(desk, () => document.getElementById('phase')?.textContent === 'attract', 60_000);
    }
    await phone.reload();
    await wait(phone, () => document.getElementById('live')?.textContent === 'live', 15_000);
    await desk.waitForTimeout(2500); // system figures and tables refresh
    await Promise.all([shot(desk, 'console-desktop-idle.png', true), shot(phone, 'console-phone-idle.png', true)]);
  } finally {
    await browser.close();
    await booth.dispose();
  }
}

await main();
