// The camera snapshot for staff (api.snapshot): the next frame, JPEG-encoded in memory
// with the face boxes drawn on. Frames are never written to disk. Only this file of the
// staff interfaces uses sharp.
import sharp from 'sharp';
import { PokerfaceError } from '../errors.js';
import type { Face, Frame, FrameSource } from '../types.js';
import { systemTimers, type Timers } from '../timers.js';

interface Grab {
  width: number;
  height: number;
  channels: 1 | 3;
  data: Buffer;
}

export interface FacesAt {
  width: number;
  height: number;
  faces: Face[];
}

export class Snapshotter {
  private waiters: Array<(g: Grab) => void> = [];
  private attached: Pick<FrameSource, 'onFrame'> | null = null;
  private active = false;

  constructor(private readonly timers: Timers = systemTimers) {}

  /** FrameSource has no unsubscribe, so the callback stays and does nothing while inactive or unasked. */
  attach(source: Pick<FrameSource, 'onFrame'>): void {
    this.active = true;
    if (this.attached === source) return;
    this.attached = source;
    source.onFrame(this.onFrame);
  }

  detach(): void {
    this.active = false;
    this.waiters = [];
  }

  // Copies only when someone asked, so frames cost nothing here otherwise.
  private readonly onFrame = (f: Frame): void => {
    if (!this.active || this.waiters.length === 0) return;
    const g = copyFrame(f);
    if (!g) return;
    for (const w of this.waiters.splice(0)) w(g);
  };

  async jpeg(faces: FacesAt | null, timeoutMs = 1500, quality = 80): Promise<Buffer> {
    if (!this.active) throw new PokerfaceError('POKERFACE_ERR_API_UNAVAILABLE', 'capture is not running');
    const g = await new Promise<Grab>((resolve, reject) => {
      const timer = this.timers.setTimeout(() => {
        this.waiters = this.waiters.filter((w) => w !== got);
        reject(new PokerfaceError('POKERFACE_ERR_SNAPSHOT_NO_FRAME', `${timeoutMs} ms`));
      }, timeoutMs);
      const got = (x: Grab): void => {
        this.timers.clearTimeout(timer);
        resolve(x);
      };
      this.waiters.push(got);
    });
    return encodeJpeg(g, faces, quality);
  }
}

function copyFrame(f: Frame): Grab | null {
  const px = f.width * f.height;
  if (f.format === 'gray8') {
    if (f.data.length < px) return null;
    return { width: f.width, height: f.height, channels: 1, data: Buffer.from(f.data.subarray(0, px)) };
  }
  if (f.data.length < px * 3) return null;
  const out = Buffer.allocUnsafe(px * 3);
  if (f.format === 'rgb24') {
    out.set(f.data.subarray(0, px * 3));
  } else {
    const d = f.data;
    for (let i = 0; i < px * 3; i += 3) {
      out[i] = d[i + 2] as number;
      out[i + 1] = d[i + 1] as number;
      out[i + 2] = d[i] as number;
    }
  }
  return { width: f.width, height: f.height, channels: 3, data: out };
}

export function facesSvg(width: number, height: number, faces: FacesAt | null): string | null {
  if (!faces || faces.faces.length === 0 || faces.width <= 0 || faces.height <= 0) return null;
  const sx = width / faces.width;
  const sy = height / faces.height;
  const stroke = Math.max(2, Math.round(width / 240));
  const rects = faces.faces
    .map((f) => {
      const [x, y, w, h] = f.box;
      const [rx, ry, rw, rh] = [x * sx, y * sy, w * sx, h * sy].map((v) => (Number.isFinite(v) ? v.toFixed(1) : '0'));
      return `<rect x="${rx}" y="${ry}" width="${rw}" height="${rh}" fill="none" stroke="#00e676" stroke-width="${stroke}"/>`;
    })
    .join('');
  return `<svg xmlns="http://www.w3.org/2000/svg" width="${width}" height="${height}">${rects}</svg>`;
}

async function encodeJpeg(g: Grab, faces: FacesAt | null, quality: number): Promise<Buffer> {
  let img = sharp(g.data, { raw: { width: g.width, height: g.height, channels: g.channels } });
  const svg = facesSvg(g.width, g.height, faces);
  if (svg) img = img.composite([{ input: Buffer.from(svg), top: 0, left: 0 }]);
  return img.jpeg({ quality }).toBuffer();
}
