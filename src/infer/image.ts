// The one place inference code touches sharp: decoding images into frames (detect,
// bench, tests) and drawing boxes for `pokerface detect --draw`.
import sharp from 'sharp';
import { PokerfaceError } from '../errors.js';
import type { Face, Frame } from '../types.js';

/** Decode a JPEG/PNG/... file or buffer into an rgb24 frame (EXIF orientation applied). */
export async function decodeImage(input: string | Uint8Array, opts: { rotate?: number; seq?: number } = {}): Promise<Frame> {
  try {
    let img = sharp(input).rotate(); // EXIF orientation
    if (opts.rotate) img = sharp(await img.toBuffer()).rotate(opts.rotate, { background: { r: 0, g: 0, b: 0 } });
    const { data, info } = await img.removeAlpha().toColourspace('srgb').raw().toBuffer({ resolveWithObject: true });
    if (info.channels !== 3) throw new Error(`${info.channels} channels after conversion`);
    return { seq: opts.seq ?? 0, ts: 0, width: info.width, height: info.height, format: 'rgb24', data: new Uint8Array(data.buffer, data.byteOffset, data.byteLength) };
  } catch (e) {
    const name = typeof input === 'string' ? input : 'image buffer';
    throw new PokerfaceError('POKERFACE_ERR_IMAGE_DECODE', `${name}: ${(e as Error).message}`, { cause: e });
  }
}

/** Resize an rgb24 frame (bench: camera-sized frames from a photo). */
export async function resizeFrame(f: Frame, width: number, height: number): Promise<Frame> {
  const { data, info } = await sharp(f.data, { raw: { width: f.width, height: f.height, channels: 3 } })
    .resize(width, height, { fit: 'cover' })
    .raw()
    .toBuffer({ resolveWithObject: true });
  return { ...f, width: info.width, height: info.height, data: new Uint8Array(data.buffer, data.byteOffset, data.byteLength) };
}

function topEmotion(f: Face): [string, number] | null {
  let best: [string, number] | null = null;
  for (const [k, v] of Object.entries(f.emotions)) if (v !== undefined && (!best || v > best[1])) best = [k, v];
  return best;
}

const esc = (s: string): string => s.replace(/[<>&"]/g, (c) => `&#${c.charCodeAt(0)};`);

/** Write the frame as an image file (format from the extension) with boxes and top emotions. */
export async function drawFaces(f: Frame, faces: readonly Face[], outPath: string): Promise<void> {
  const stroke = Math.max(2, Math.round(Math.min(f.width, f.height) / 200));
  const font = Math.max(12, Math.round(Math.min(f.width, f.height) / 30));
  const parts = faces.map((face) => {
    const [x, y, w, h] = face.box;
    const top = topEmotion(face);
    const label = top ? `${top[0]} ${(top[1] * 100).toFixed(0)}%` : `face ${(face.score * 100).toFixed(0)}%`;
    const ty = y > font + 4 ? y - 4 : y + h + font;
    const dots = (face.keypoints ?? []).map(([px, py]) => `<circle cx="${px}" cy="${py}" r="${stroke}" fill="#ff0"/>`).join('');
    return `<rect x="${x}" y="${y}" width="${w}" height="${h}" fill="none" stroke="#0f0" stroke-width="${stroke}"/>${dots}<text x="${x}" y="${ty}" font-family="sans-serif" font-size="${font}" fill="#0f0" stroke="#000" stroke-width="1">${esc(label)}</text>`;
  });
  const svg = `<svg xmlns="http://www.w3.org/2000/svg" width="${f.width}" height="${f.height}">${parts.join('')}</svg>`;
  const channels = f.format === 'gray8' ? 1 : 3;
  let data = f.data;
  if (f.format === 'bgr24') {
    data = new Uint8Array(f.data.length);
    for (let i = 0; i < data.length; i += 3) {
      data[i] = f.data[i + 2] as number;
      data[i + 1] = f.data[i + 1] as number;
      data[i + 2] = f.data[i] as number;
    }
  }
  await sharp(data, { raw: { width: f.width, height: f.height, channels } })
    .composite([{ input: Buffer.from(svg), top: 0, left: 0 }])
    .toFile(outPath);
}

/** Cut a region out of an rgb24 frame. */
export async function cropFrame(f: Frame, left: number, top: number, width: number, height: number): Promise<Frame> {
  const { data, info } = await sharp(f.data, { raw: { width: f.width, height: f.height, channels: 3 } })
    .extract({ left, top, width, height })
    .raw()
    .toBuffer({ resolveWithObject: true });
  return { ...f, width: info.width, height: info.height, data: new Uint8Array(data.buffer, data.byteOffset, data.byteLength) };
}
