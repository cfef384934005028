import { parseArgs } from 'node:util';
import { ConfigError, defaultConfig, loadConfigFile } from '../../config/load.js';
import { EXIT, PokerfaceError } from '../../errors.js';
import { makeDemoMedia } from '../../player/demo-media.js';
import { ffmpegRunner } from '../../player/ffmpeg-run.js';
import type { Command } from '../io.js';

export const command: Command = {
  summary: 'make demo clips for every mode and level, an attract loop and the demo camera video (ffmpeg)',
  usage: [
    'pokerface media make-demo [--dir DIR] [--force] [--config FILE] [--seconds N]',
    '',
    '  --dir DIR      media folder (default: player.mediaDir of --config, else "media")',
    '  --force        remake files that already exist (default: keep them)',
    '  --config FILE  take the modes, levels and media folder from this configuration',
    '  --seconds N    length of each mode/level clip (default 6)',
    '',
    'Writes DIR/<mode>/<level>/demo-<mode>-<level>.mp4, DIR/attract/demo-attract.mp4 and',
    'DIR/demo-camera.mp4 (a person with a straight face, then smiling; config/demo.yaml uses it).',
    'PF_FFMPEG_TIMEOUT_MS (default 120000) limits each ffmpeg run (raise it under emulation).',
  ].join('\n'),
  async run(args, io) {
    const { values } = parseArgs({
      args,
      options: {
        dir: { type: 'string' },
        force: { type: 'boolean', default: false },
        config: { type: 'string', short: 'c' },
        seconds: { type: 'string' },
      },
    });
    let config;
    try {
      config = values.config ? loadConfigFile(values.config, { env: io.env }) : defaultConfig();
    } catch (e) {
      if (e instanceof ConfigError) {
        io.err(e.format());
        return e.exitCode;
      }
      throw e;
    }
    const seconds = values.seconds === undefined ? 6 : Number(values.seconds);
    if (!Number.isFinite(seconds) || seconds < 1 || seconds > 600) throw new PokerfaceError('POKERFACE_ERR_USAGE', '--seconds must be between 1 and 600');
    const timeoutMs = io.env.PF_FFMPEG_TIMEOUT_MS === undefined ? undefined : Number(io.env.PF_FFMPEG_TIMEOUT_MS);
    if (timeoutMs !== undefined && !(Number.isInteger(timeoutMs) && timeoutMs > 0)) throw new PokerfaceError('POKERFACE_ERR_USAGE', 'PF_FFMPEG_TIMEOUT_MS must be a positive whole number of milliseconds');
    const dir = values.dir ?? (values.config ? config.player.mediaDir : 'media');
    const modes = [...new Set(Object.values(config.game.modes).map((m) => m.media))];
    const t0 = performance.now();
    const res = await makeDemoMedia({
      dir,
      modes,
      levels: config.game.levels.length,
      force: values.force,
      clipSeconds: seconds,
      ffmpeg: ffmpegRunner({ timeoutMs }),
      progress: (m) => io.out(m),
    });
    io.out(`demo media in ${dir}: ${res.made.length} made, ${res.kept.length} kept (use --force to remake) in ${((performance.now() - t0) / 1000).toFixed(1)} s`);
    return EXIT.OK;
  },
};
