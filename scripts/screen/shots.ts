// Screenshots of the player's screen for docs/screen/: the real daemon draws with mpv
// into Xvfb and one demo round is played (test/e2e/screen-harness.ts). Each shot is
// scaled to 640x360 PNG. Needs Xvfb, ffmpeg, mpv, mosquitto and a build (npm run build).
//   npx tsx scripts/screen/shots.ts [--out docs/screen]
import { mkdirSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import sharp from 'sharp';
import { tempDir } from '../../test/e2e/harness.js';
import { playScreenRound, type ShotName } from '../../test/e2e/screen-harness.js';

const { values } = parseArgs({ options: { out: { type: 'string', default: 'docs/screen' } } });
const out = values.out ?? 'docs/screen';
const dir = tempDir('shots');
try {
  const shots = await playScreenRound({ dir, log: (l) => process.stdout.write(`${l}\n`) });
  mkdirSync(out, { recursive: true });
  for (const [name, png] of Object.entries(shots) as Array<[ShotName, Buffer]>) {
    const file = join(out, `${name}.png`);
    await sharp(png).resize(640, 360).png({ compressionLevel: 9, palette: true, quality: 80 }).toFile(file);
    process.stdout.write(`wrote ${file}\n`);
  }
} finally {
  rmSync(dir, { recursive: true, force: true });
}
