// The sharp adapter for capture: decodes a folder of images into BGR frames (the `file`
// backend with a folder), and writes frames the operator asked to save
// (`pokerface capture --save`). No other capture file imports sharp.
import { readdirSync } from 'node:fs';
import { join } from 'node:path';
import sharp from 'sharp';
import { PokerfaceError } from '../errors.js';
import type { Logger } from '../log.js';
import type { Clock, Frame } from '../types.js';
import type { CaptureDriver, DriverSession, DriverSink } from './driver.js';
import type { TimerHandle, Timers } from '../timers.js';

const IMAGE_EXT = /\.(jpe?g|png|webp|tiff?|gif|avif)$/i;

export function listImages(dir: string): string[] {
  return readdirSync(dir)
    .filter((f) => IMAGE_EXT.test(f))
    .sort()
    .map((f) => join(dir, f));
}

/** Decode one image to BGR of exactly width x height, into `out`. */
export async function decodeBgr(file: string, width: number, height: number, out: Uint8Array): Promise<void> {
  const { data, info } = await sharp(file)
    .resize(width, height, { fit: 'fill' })
    .removeAlpha()
    .toColourspace('srgb')
    .raw()
    .toBuffer({ resolveWithObject: true });
  if (info.channels !== 3 || data.byteLength !== width * height * 3) {
    throw new PokerfaceError('POKERFACE_ERR_CAMERA_NOT_VIDEO', `${file}: decoded to ${info.width}x${info.height}x${info.channels}`);
  }
  for (let i = 0; i < data.byteLength; i += 3) {
    out[i] = data[i + 2] as number;
    out[i + 1] = data[i + 1] as number;
    out[i + 2] = data[i] as number;
  }
}

export interface ImageFolderOptions {
  dir: string;
  width: number;
  height: number;
  fps: number;
  loop: boolean;
  pace: 'realtime' | 'fast';
  clock: Clock;
  timers: Timers;
  log: Logger;
}

export function imageFolderDriver(o: ImageFolderOptions): CaptureDriver {
  return { name: 'file', describe: `${o.dir}/ (images)`, open: (sink) => openFolder(o, sink) };
}

function openFolder(o: ImageFolderOptions, sink: DriverSink): DriverSession {
  let files: string[];
  try {
    files = listImages(o.dir);
  } catch (e) {
    throw new PokerfaceError('POKERFACE_ERR_CAMERA_NOT_FOUND', `${o.dir}: ${(e as Error).message}`);
  }
  if (files.length === 0) throw new PokerfaceError('POKERFACE_ERR_CAMERA_NOT_VIDEO', `${o.dir}: no images (.jpg, .png, .webp, ...)`);
  const buf = new Uint8Array(o.width * o.height * 3);
  const bad = new Set<string>();
  const period = 1000 / o.fps;
  let closed = false;
  let timer: TimerHandle | null = null;
  let i = 0;
  let goodThisPass = 0;
  let next = o.clock.now();
  let running: Promise<void> = Promise.resolve();

  const step = async (): Promise<void> => {
    timer = null;
    if (closed) return;
    if (i >= files.length) {
      if (goodThisPass === 0) {
        sink.end({ kind: 'failed', error: new PokerfaceError('POKERFACE_ERR_CAMERA_NOT_VIDEO', `${o.dir}: no image could be decoded`) });
        return;
      }
      if (!o.loop) {
        sink.end({ kind: 'ended' });
        return;
      }
      i = 0;
      goodThisPass = 0;
    }
    const file = files[i++] as string;
    try {
      await decodeBgr(file, o.width, o.height, buf);
      goodThisPass++;
    } catch (e) {
      if (!bad.has(file)) o.log.warn({ file, err: (e as Error).message }, 'image skipped: not decodable');
      bad.add(file);
      schedule(0);
      return;
    }
    if (closed) return;
    sink.frame(buf, o.width, o.height);
    if (o.pace === 'fast') {
      schedule(0);
      return;
    }
    next += period;
    const now = o.clock.now();
    // after a long hiccup, resume the cadence from now rather than bursting
    if (next < now - period) next = now;
    schedule(Math.max(0, next - now));
  };
  const schedule = (ms: number): void => {
    timer = o.timers.setTimeout(() => {
      running = step();
    }, ms);
  };
  schedule(0);
  return {
    pid: null,
    async close() {
      closed = true;
      if (timer !== null) o.timers.clearTimeout(timer);
      await running.catch(() => {});
    },
  };
}

/** Write a frame as an image (format from the extension: .png, .jpg, .webp). */
export async function saveFrame(frame: Frame, file: string): Promise<void> {
  const channels = frame.format === 'gray8' ? 1 : 3;
  const rgb = Buffer.allocUnsafe(frame.data.byteLength);
  if (frame.format === 'bgr24') {
    for (let i = 0; i < rgb.length; i += 3) {
      rgb[i] = frame.data[i + 2] as number;
      rgb[i + 1] = frame.data[i + 1] as number;
      rgb[i + 2] = frame.data[i] as number;
    }
  } else rgb.set(frame.data);
  await sharp(rgb, { raw: { width: frame.width, height: frame.height, channels } }).toFile(file);
}
