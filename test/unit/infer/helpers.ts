// Shared bits for the inference tests.
import { parseConfig } from '../../../src/config/load.js';
import type { ModelConfig } from '../../../src/infer/pipeline.js';
import type { Frame } from '../../../src/types.js';

/** The model section with defaults, plus overrides as YAML-shaped objects. */
export function modelConfig(model: Record<string, unknown> = {}): ModelConfig {
  return parseConfig(JSON.stringify({ model }), 'test').model;
}

export function solidFrame(width: number, height: number, rgb: [number, number, number], format: Frame['format'] = 'rgb24'): Frame {
  const ch = format === 'gray8' ? 1 : 3;
  const data = new Uint8Array(width * height * ch);
  for (let i = 0; i < width * height; i++) {
    if (format === 'gray8') data[i] = rgb[0];
    else if (format === 'bgr24') data.set([rgb[2], rgb[1], rgb[0]], i * 3);
    else data.set(rgb, i * 3);
  }
  return { seq: 0, ts: 0, width, height, format, data };
}
