import { parseConfig } from '../../../src/config/load.js';
import type { CameraConfig } from '../../../src/capture/pipelines.js';

/** A full, validated camera section from a partial one (defaults filled in by the schema). */
export function cameraConfig(camera: Record<string, unknown>): CameraConfig {
  return parseConfig(JSON.stringify({ camera }), 'test').camera;
}
