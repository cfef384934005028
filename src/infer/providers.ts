// Execution provider settings from config -> the objects onnxruntime takes, with the
// defaults the config schema documents (Ajv fills no defaults inside unions).
import { accessSync, constants, mkdirSync } from 'node:fs';
import { PokerfaceError } from '../errors.js';

export type ProviderConfig =
  | 'tensorrt'
  | 'cuda'
  | 'cpu'
  | { readonly name: 'tensorrt'; readonly deviceId?: number | undefined; readonly fp16?: boolean | undefined; readonly engineCacheDir?: string | undefined; readonly timingCacheDir?: string | undefined; readonly maxWorkspaceMb?: number | undefined }
  | { readonly name: 'cuda'; readonly deviceId?: number | undefined }
  | { readonly name: 'cpu' };

export interface TensorRtSettings {
  name: 'tensorrt';
  deviceId: number;
  fp16: boolean;
  engineCacheDir: string;
  timingCacheDir: string;
  maxWorkspaceMb: number;
}

export type ProviderSettings = TensorRtSettings | { name: 'cuda'; deviceId: number } | { name: 'cpu' };

export const DEFAULT_ENGINE_CACHE = '/var/cache/pokerface/trt';

export function providerSettings(p: ProviderConfig): ProviderSettings {
  const o = typeof p === 'string' ? { name: p } : p;
  if (o.name === 'tensorrt') {
    const t = o as Extract<ProviderConfig, { name: 'tensorrt' }>;
    const engineCacheDir = t.engineCacheDir ?? DEFAULT_ENGINE_CACHE;
    return {
      name: 'tensorrt',
      deviceId: t.deviceId ?? 0,
      fp16: t.fp16 ?? true,
      engineCacheDir,
      timingCacheDir: t.timingCacheDir ?? engineCacheDir,
      maxWorkspaceMb: t.maxWorkspaceMb ?? 1024,
    };
  }
  if (o.name === 'cuda') return { name: 'cuda', deviceId: (o as { deviceId?: number }).deviceId ?? 0 };
  return { name: 'cpu' };
}

/**
 * The provider object handed to InferenceSession.create. For TensorRT the trt_* keys are
 * onnxruntime's own TensorRT option names; the stock Node binding reads only deviceId,
 * the patched Jetson binding (scripts/jetson/) forwards the rest.
 */
export function executionProvider(s: ProviderSettings): Record<string, unknown> {
  if (s.name === 'tensorrt') {
    return {
      name: 'tensorrt',
      deviceId: s.deviceId,
      trt_fp16_enable: s.fp16 ? '1' : '0',
      trt_engine_cache_enable: '1',
      trt_engine_cache_path: s.engineCacheDir,
      trt_timing_cache_enable: '1',
      trt_timing_cache_path: s.timingCacheDir,
      trt_max_workspace_size: String(s.maxWorkspaceMb * 1024 * 1024),
    };
  }
  if (s.name === 'cuda') return { name: 'cuda', deviceId: s.deviceId };
  return { name: 'cpu' };
}

/** Create (if needed) and check the TensorRT cache folders are writable; throws POKERFACE_ERR_ENGINE_CACHE. */
export function checkEngineCache(s: TensorRtSettings): void {
  for (const dir of new Set([s.engineCacheDir, s.timingCacheDir])) {
    try {
      mkdirSync(dir, { recursive: true });
      accessSync(dir, constants.W_OK);
    } catch (e) {
      throw new PokerfaceError('POKERFACE_ERR_ENGINE_CACHE', `${dir}: ${(e as Error).message}; set model.providers[].engineCacheDir to a writable folder`, { cause: e });
    }
  }
}
