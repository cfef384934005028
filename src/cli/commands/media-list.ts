import { parseArgs } from 'node:util';
import { ConfigError, defaultConfig, loadConfigFile } from '../../config/load.js';
import { EXIT } from '../../errors.js';
import { createLogger } from '../../log.js';
import { FsMediaLibrary } from '../../player/media.js';
import { ffprobe } from '../../player/probe.js';
import type { Command } from '../io.js';

export const command: Command = {
  summary: 'list the clips per mode and level that the booth would play, and the files it skips',
  usage: [
    'pokerface media list [--config FILE] [--dir DIR] [--json]',
    '',
    '  --config FILE  configuration (default: $POKERFACE_CONFIG or config/default.yaml if present)',
    '  --dir DIR      media folder (default: player.mediaDir)',
    '  --json         print the summary as JSON',
    '',
    'Exit 0 when every mode/level folder and attract/ has a playable clip, 1 otherwise.',
  ].join('\n'),
  async run(args, io) {
    const { values } = parseArgs({ args, options: { config: { type: 'string', short: 'c' }, dir: { type: 'string' }, json: { type: 'boolean', default: false } } });
    let config;
    try {
      const file = values.config ?? io.env.POKERFACE_CONFIG;
      config = file ? loadConfigFile(file, { env: io.env }) : defaultConfig();
    } catch (e) {
      if (e instanceof ConfigError) {
        io.err(e.format());
        return e.exitCode;
      }
      throw e;
    }
    const lib = new FsMediaLibrary({
      dir: values.dir ?? config.player.mediaDir,
      modes: Object.fromEntries(Object.entries(config.game.modes).map(([n, m]) => [n, m.media])),
      levels: config.game.levels.length,
      noRepeat: config.player.noRepeat,
      watch: false,
      log: createLogger({ level: 'silent' }),
      probe: ffprobe({ ffprobePath: config.player.ffprobePath }),
    });
    await lib.start();
    await lib.stop();
    const s = lib.summary();
    if (values.json) io.out(JSON.stringify(s, null, 2));
    else {
      io.out(`media folder ${s.dir}: ${s.total} clips, ${s.attract} attract`);
      for (const f of s.folders) io.out(`  ${f.folder.padEnd(16)} ${String(f.clips).padStart(3)} clips  ${(f.durationMs / 1000).toFixed(1)} s`);
      for (const f of s.empty) io.out(`  EMPTY    ${f}`);
      for (const k of s.skipped) io.out(`  SKIPPED  ${k.file}: ${k.reason}`);
    }
    return s.empty.length === 0 ? EXIT.OK : EXIT.FAILURE;
  },
};
