// `pokerface capture`: runs the configured camera for a few seconds and prints what it
// delivered (a hardware-in-the-loop check, and the capture benchmark). Frames are
// written to disk only with --save, where the operator asks for them.
import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import pino from 'pino';
import { systemClock } from '../../clock.js';
import { EXIT, PokerfaceError } from '../../errors.js';
import { createLogger } from '../../log.js';
import type { Frame } from '../../types.js';
import type { Command } from '../io.js';
import { configPath, loadCliConfig } from '../config-arg.js';

export const command: Command = {
  summary: 'run the camera for a few seconds and print fps, frames, dropped and reconnects',
  usage: [
    'pokerface capture [--config FILE] [--seconds N] [--save DIR] [--frames K] [--json]',
    '',
    '  --config FILE  configuration file (default: $POKERFACE_CONFIG or config/default.yaml)',
    '  --seconds N    how long to capture (default 5)',
    '  --save DIR     save a few frames there as PNG (camera check; frames are otherwise never written)',
    '  --frames K     how many frames --save writes, spread over the run (default 5)',
    '  --json         print one JSON object',
    '',
    'exit 0 when frames arrived; 69 when none did (the error code is printed)',
  ].join('\n'),
  async run(args, io) {
    const { values } = parseArgs({
      args,
      options: {
        config: { type: 'string', short: 'c' },
        seconds: { type: 'string', default: '5' },
        save: { type: 'string' },
        frames: { type: 'string', default: '5' },
        json: { type: 'boolean', default: false },
      },
    });
    const seconds = Number(values.seconds);
    const saveCount = Number(values.frames);
    if (!Number.isFinite(seconds) || seconds <= 0 || seconds > 86_400) throw new PokerfaceError('POKERFACE_ERR_USAGE', '--seconds must be a number > 0');
    if (!Number.isInteger(saveCount) || saveCount < 0 || saveCount > 1000) throw new PokerfaceError('POKERFACE_ERR_USAGE', '--frames must be an integer 0..1000');
    const file = configPath(values.config, io);
    const config = loadCliConfig(values.config, io);
    if (!config) return EXIT.CONFIG;
    // logs on stderr, so stdout carries only the result
    const log = createLogger({ level: io.env.POKERFACE_LOG_LEVEL ?? 'warn', destination: pino.destination({ dest: 2, sync: true }) });
    const { createFrameSource } = await import('../../capture/factory.js');
    const { describeSource } = await import('../../capture/describe.js');
    const source = createFrameSource(config.camera, { clock: systemClock, log });

    const saveDir = values.save;
    if (saveDir) mkdirSync(saveDir, { recursive: true });
    const saved: string[] = [];
    const saving: Promise<void>[] = [];
    const saveEveryMs = saveCount > 0 ? (seconds * 1000) / saveCount : Infinity;
    let nextSaveAt = 0;
    let firstFrameAt: number | null = null;
    let t0 = 0;
    source.onFrame((f: Frame) => {
      firstFrameAt ??= f.ts;
      if (!saveDir || saved.length >= saveCount || f.ts - t0 < nextSaveAt) return;
      nextSaveAt += saveEveryMs;
      const copy: Frame = { ...f, data: f.data.slice() };
      const out = join(saveDir, `frame-${String(f.seq).padStart(6, '0')}.png`);
      saved.push(out);
      saving.push(
        import('../../capture/images.js')
          .then((m) => m.saveFrame(copy, out))
          .catch((e: unknown) => log.error({ err: e, file: out }, 'could not save frame')),
      );
    });

    const cpu0 = process.cpuUsage();
    t0 = systemClock.now();
    await source.start();
    const deadline = t0 + seconds * 1000;
    while (systemClock.now() < deadline) {
      await new Promise((r) => setTimeout(r, Math.min(100, Math.max(1, deadline - systemClock.now()))));
      const st = source.stats();
      if (st.state === 'stopped') break; // a file played once has ended
    }
    const elapsedMs = systemClock.now() - t0;
    const cpu = process.cpuUsage(cpu0);
    const stats = source.stats();
    await source.stop();
    await Promise.all(saving);

    const cpuMs = (cpu.user + cpu.system) / 1000;
    const result = {
      config: file,
      ...describeSource(config.camera),
      seconds: Math.round(elapsedMs) / 1000,
      firstFrameMs: firstFrameAt === null ? null : Math.round(firstFrameAt - t0),
      expectedFrames: Math.round((config.camera.fps * elapsedMs) / 1000),
      ...stats,
      cpuMsPerFrame: stats.captured > 0 ? Math.round((cpuMs / stats.captured) * 1000) / 1000 : null,
      saved,
    };
    if (values.json) io.out(JSON.stringify(result));
    else {
      io.out(
        [
          `camera: ${result.backend} ${result.input}`,
          `frames: ${stats.captured} in ${result.seconds} s (${stats.fps} fps now; ${result.expectedFrames} expected at ${config.camera.fps} fps)`,
          `delivered: ${stats.delivered}  dropped: ${stats.dropped}  reconnects: ${stats.reconnects}  stalls: ${stats.stalls}  state: ${stats.state}`,
          `cpu in this process: ${result.cpuMsPerFrame ?? '-'} ms/frame`,
          ...(stats.lastError ? [`last error: ${stats.lastError.code}: ${stats.lastError.message}`] : []),
          ...(saved.length ? [`saved: ${saved.join(', ')}`] : []),
        ].join('\n'),
      );
    }
    if (stats.captured === 0) {
      if (!values.json) io.err(stats.lastError ? `${stats.lastError.code}: ${stats.lastError.message}` : 'no frames');
      return EXIT.UNAVAILABLE;
    }
    return EXIT.OK;
  },
};
