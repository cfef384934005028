import { mkdirSync } from 'node:fs';
import { basename, extname, join } from 'node:path';
import { parseArgs } from 'node:util';
import { loadConfigFile, parseConfig } from '../../config/load.js';
import type { FrozenConfig } from '../../config/schema.js';
import { EXIT, PokerfaceError, isPokerfaceError } from '../../errors.js';
import { createLogger } from '../../log.js';
import type { Face, Frame } from '../../types.js';
import { WorkerDetector } from '../../infer/detector.js';
import type { Command, CliIO } from '../io.js';

const round = (v: number, d = 4): number => Math.round(v * 10 ** d) / 10 ** d;

export function faceJson(f: Face): { box: number[]; score: number; emotions: Record<string, number> } {
  const emotions: Record<string, number> = {};
  for (const [k, v] of Object.entries(f.emotions)) if (v !== undefined) emotions[k] = round(v);
  return { box: f.box.map((v) => round(v, 1)), score: round(f.score), emotions };
}

function human(file: string, frame: number | null, faces: Face[]): string {
  const head = `${file}${frame === null ? '' : ` frame ${frame}`}: ${faces.length} face${faces.length === 1 ? '' : 's'}`;
  const lines = faces.map((f, i) => {
    const em = Object.entries(f.emotions)
      .filter((e): e is [string, number] => e[1] !== undefined)
      .sort((a, b) => b[1] - a[1])
      .map(([k, v]) => `${k} ${v.toFixed(3)}`)
      .join(', ');
    return `  #${i + 1} box [${f.box.map((v) => Math.round(v)).join(', ')}] score ${f.score.toFixed(3)}  ${em}`;
  });
  return [head, ...lines].join('\n');
}

export const command: Command = {
  summary: 'detect faces and emotions in images or videos',
  usage: [
    'pokerface detect FILE... [--json] [--draw DIR] [--config FILE] [--variant front|back] [--max-frames N]',
    '',
    '  FILE          JPEG/PNG images or video files (decoded with ffmpeg)',
    '  --json        one JSON line per image or video frame',
    '  --draw DIR    write copies with boxes and the top emotion into DIR',
    '  --config FILE configuration (default: $POKERFACE_CONFIG or config/default.yaml when present)',
    '  --variant     BlazeFace variant: front (close-up) or back (smaller faces)',
    '  --max-frames  stop each video after N frames',
  ].join('\n'),
  async run(args, io) {
    const { values, positionals } = parseArgs({
      args,
      allowPositionals: true,
      options: {
        json: { type: 'boolean', default: false },
        draw: { type: 'string' },
        config: { type: 'string', short: 'c' },
        variant: { type: 'string' },
        'max-frames': { type: 'string' },
      },
    });
    if (positionals.length === 0) throw new PokerfaceError('POKERFACE_ERR_USAGE', 'no input files');
    const config = loadModelConfig(values.config, io, values.variant);
    const log = createLogger({ level: io.env.POKERFACE_LOG_LEVEL ?? 'warn', pretty: false, destination: { write: (s: string) => io.err(s) } });
    const { decodeImage, drawFaces } = await import('../../infer/image.js');
    const { isVideoFile, videoFrames } = await import('../../infer/video.js');
    // every image stands alone: classify every face, not only the main one
    // every face of every image is detected and classified (no boxes kept from the last one)
    const exact = { ...config, detector: { ...config.detector, redetectEvery: 1 }, classifier: { ...config.classifier, otherFacesEvery: 1 } };
    const detector = new WorkerDetector({ config: exact, log, logLevel: 'warn' });
    await detector.start();
    if (values.draw) mkdirSync(values.draw, { recursive: true });
    const maxFrames = values['max-frames'] ? Number(values['max-frames']) : undefined;
    let failures = 0;
    const emit = async (file: string, frameNo: number | null, frame: Frame, faces: Face[]): Promise<void> => {
      if (values.json) io.out(JSON.stringify({ file, ...(frameNo === null ? {} : { frame: frameNo }), faces: faces.map(faceJson) }));
      else io.out(human(file, frameNo, faces));
      if (values.draw) {
        const stem = basename(file, extname(file));
        const name = frameNo === null ? `${stem}.jpg` : `${stem}-${String(frameNo).padStart(5, '0')}.jpg`;
        await drawFaces(frame, faces, join(values.draw, name));
      }
    };
    try {
      for (const file of positionals) {
        try {
          if (isVideoFile(file)) {
            for await (const frame of videoFrames(file, maxFrames ? { maxFrames } : {})) {
              await emit(file, frame.seq, frame, await detector.detect(frame));
            }
          } else {
            const frame = await decodeImage(file);
            await emit(file, null, frame, await detector.detect(frame));
          }
        } catch (e) {
          if (!isPokerfaceError(e) || e.code === 'POKERFACE_ERR_INFER_CLOSED') throw e;
          failures++;
          if (values.json) io.out(JSON.stringify({ file, error: { code: e.code, message: e.message } }));
          io.err(`${e.code}: ${e.message}`);
        }
      }
    } finally {
      await detector.close();
    }
    return failures > 0 ? EXIT.DATAERR : EXIT.OK;
  },
};

/** The model section from --config / $POKERFACE_CONFIG, else the built-in defaults (CPU). */
export function loadModelConfig(file: string | undefined, io: CliIO, variant?: string): FrozenConfig['model'] {
  if (variant !== undefined && variant !== 'front' && variant !== 'back') throw new PokerfaceError('POKERFACE_ERR_USAGE', '--variant must be front or back');
  const path = file ?? io.env.POKERFACE_CONFIG;
  const model = (path ? loadConfigFile(path, { env: io.env }) : parseConfig('{}', 'defaults', io.env)).model;
  if (!variant) return model;
  return { ...model, detector: { ...model.detector, variant } };
}
