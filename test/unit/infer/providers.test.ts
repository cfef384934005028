import { chmodSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { isPokerfaceError } from '../../../src/errors.js';
import { loadOrt, openSession, type OrtBinding, type OrtSession, type SessionOptions } from '../../../src/infer/onnx.js';
import { executionProvider, providerSettings } from '../../../src/infer/providers.js';
import { silentLogger } from '../../../src/log.js';

/** A fake onnxruntime binding: providers in `broken` fail to create a session. */
function fakeOrt(broken: Record<string, string>): { ort: OrtBinding; calls: SessionOptions[] } {
  const calls: SessionOptions[] = [];
  const session: OrtSession = {
    inputNames: ['x'],
    outputNames: ['y'],
    run: async () => ({}),
    release: async () => undefined,
  };
  const ort: OrtBinding = {
    InferenceSession: {
      create: async (_model, opts) => {
        calls.push(opts);
        const name = String(opts.executionProviders[0]?.name);
        if (name in broken) throw new Error(broken[name]);
        return session;
      },
    },
    Tensor: class {
      constructor(
        readonly type: string,
        readonly data: Float32Array,
        readonly dims: readonly number[],
      ) {}
    },
  };
  return { ort, calls };
}

function collectingLog(): { log: typeof silentLogger; lines: Array<{ obj: unknown; msg: string }> } {
  const lines: Array<{ obj: unknown; msg: string }> = [];
  const rec = (obj: unknown, msg: string): void => void lines.push({ obj, msg });
  const log = { ...silentLogger, warn: rec, info: rec, error: rec, debug: rec } as unknown as typeof silentLogger;
  return { log, lines };
}

const tmp = mkdtempSync(join(tmpdir(), 'pokerface-providers-'));
afterAll(() => rmSync(tmp, { recursive: true, force: true }));

describe('provider settings', () => {
  it('fills the documented defaults, and passes TensorRT options on the provider object', () => {
    const s = providerSettings({ name: 'tensorrt', engineCacheDir: '/x/trt' });
    expect(s).toEqual({ name: 'tensorrt', deviceId: 0, fp16: true, engineCacheDir: '/x/trt', timingCacheDir: '/x/trt', maxWorkspaceMb: 1024 });
    expect(executionProvider(s)).toMatchObject({
      name: 'tensorrt',
      deviceId: 0,
      trt_fp16_enable: '1',
      trt_engine_cache_enable: '1',
      trt_engine_cache_path: '/x/trt',
      trt_timing_cache_enable: '1',
      trt_timing_cache_path: '/x/trt',
    });
    expect(providerSettings('cuda')).toEqual({ name: 'cuda', deviceId: 0 });
    expect(executionProvider(providerSettings({ name: 'tensorrt', fp16: false, engineCacheDir: '/a', timingCacheDir: '/b' }))).toMatchObject({ trt_fp16_enable: '0', trt_timing_cache_path: '/b' });
  });
});

describe('openSession provider fallback', () => {
  const base = { intraOpThreads: 2, graphOptimizationLevel: 'extended' as const, model: 'm.onnx' };

  it('tries one provider at a time, logs each failure and reports the one in use', async () => {
    const { ort, calls } = fakeOrt({ tensorrt: 'libnvinfer.so.8: cannot open shared object file', cuda: 'CUDA provider not built' });
    const { log, lines } = collectingLog();
    const r = await openSession(ort, 'm.onnx', { ...base, log, providers: [{ name: 'tensorrt', engineCacheDir: join(tmp, 'trt') }, 'cuda', 'cpu'] });
    expect(r.provider).toBe('cpu');
    expect(r.fallbacks).toEqual([
      { provider: 'tensorrt', error: 'libnvinfer.so.8: cannot open shared object file' },
      { provider: 'cuda', error: 'CUDA provider not built' },
    ]);
    expect(calls.map((c) => c.executionProviders.map((p) => p.name))).toEqual([['tensorrt'], ['cuda'], ['cpu']]);
    expect(calls[2]).toMatchObject({ intraOpNumThreads: 2, graphOptimizationLevel: 'extended' });
    expect(lines.filter((l) => l.msg.includes('failed; trying the next one'))).toHaveLength(2);
    expect(lines.some((l) => l.msg.includes('using execution provider cpu after 2 failed'))).toBe(true);
  });

  it('intraOpThreads 0 leaves the thread count to onnxruntime', async () => {
    const { ort, calls } = fakeOrt({});
    await openSession(ort, 'm.onnx', { ...base, intraOpThreads: 0, log: silentLogger, providers: ['cpu'] });
    expect(calls[0]).not.toHaveProperty('intraOpNumThreads');
  });

  it('no provider works: PROVIDER_UNAVAILABLE without cpu, MODEL_LOAD when even cpu failed', async () => {
    const { ort } = fakeOrt({ cuda: 'no cuda', cpu: 'protobuf parsing failed' });
    await expect(openSession(ort, 'm.onnx', { ...base, log: silentLogger, providers: ['cuda'] })).rejects.toMatchObject({ code: 'POKERFACE_ERR_PROVIDER_UNAVAILABLE' });
    await expect(openSession(ort, 'm.onnx', { ...base, log: silentLogger, providers: ['cuda', 'cpu'] })).rejects.toMatchObject({
      code: 'POKERFACE_ERR_MODEL_LOAD',
      message: expect.stringContaining('cpu: protobuf parsing failed') as unknown,
    });
  });

  it('an unwritable TensorRT engine cache refuses to start with POKERFACE_ERR_ENGINE_CACHE', async () => {
    const { ort } = fakeOrt({});
    const file = join(tmp, 'not-a-dir');
    writeFileSync(file, '');
    const err: unknown = await openSession(ort, 'm.onnx', { ...base, log: silentLogger, providers: [{ name: 'tensorrt', engineCacheDir: join(file, 'trt') }, 'cpu'] }).catch((e: unknown) => e);
    expect(isPokerfaceError(err, 'POKERFACE_ERR_ENGINE_CACHE')).toBe(true);
    if (process.getuid?.() !== 0) {
      const ro = join(tmp, 'ro');
      rmSync(ro, { force: true, recursive: true });
      await import('node:fs').then((fs) => fs.mkdirSync(ro));
      chmodSync(ro, 0o500);
      await expect(openSession(ort, 'm.onnx', { ...base, log: silentLogger, providers: [{ name: 'tensorrt', engineCacheDir: ro }] })).rejects.toMatchObject({ code: 'POKERFACE_ERR_ENGINE_CACHE' });
    }
  });

  it('a custom onnxruntime path that does not load is POKERFACE_ERR_PROVIDER_UNAVAILABLE', async () => {
    await expect(loadOrt(join(tmp, 'no-such-build'))).rejects.toMatchObject({ code: 'POKERFACE_ERR_PROVIDER_UNAVAILABLE' });
  });

  it('a custom onnxruntime path is loaded instead of the npm package', async () => {
    const dir = join(tmp, 'custom-ort');
    await import('node:fs').then((fs) => fs.mkdirSync(dir, { recursive: true }));
    writeFileSync(join(dir, 'package.json'), JSON.stringify({ name: 'onnxruntime-node', main: 'index.cjs' }));
    writeFileSync(join(dir, 'index.cjs'), 'exports.InferenceSession = { create: async () => { throw new Error("custom build") } }; exports.Tensor = class {}; exports.env = {};');
    const ort = await loadOrt(dir);
    await expect(ort.InferenceSession.create('x', { executionProviders: [], graphOptimizationLevel: 'all' })).rejects.toThrow('custom build');
  });
});
