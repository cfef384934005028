// The one adapter for onnxruntime-node: loading the binding (npm package or a custom
// build named in config), opening sessions provider by provider, tensors in and out.
// Nothing else in the project imports onnxruntime-node.
import { createRequire } from 'node:module';
import { resolve } from 'node:path';
import type { Logger } from '../log.js';
import { PokerfaceError } from '../errors.js';
import { checkEngineCache, executionProvider, providerSettings, type ProviderConfig } from './providers.js';

export interface OrtTensor {
  readonly data: unknown;
  readonly dims: readonly number[];
  readonly type: string;
}

export interface OrtValueMeta {
  name: string;
  isTensor: boolean;
  type?: string;
  shape?: ReadonlyArray<number | string>;
}

export interface OrtSession {
  readonly inputNames: readonly string[];
  readonly outputNames: readonly string[];
  readonly inputMetadata?: readonly OrtValueMeta[];
  readonly outputMetadata?: readonly OrtValueMeta[];
  run(feeds: Record<string, OrtTensor>): Promise<Record<string, OrtTensor>>;
  release(): Promise<void>;
}

export interface SessionOptions {
  executionProviders: Array<Record<string, unknown>>;
  intraOpNumThreads?: number;
  interOpNumThreads?: number;
  graphOptimizationLevel: 'disabled' | 'basic' | 'extended' | 'all';
  logSeverityLevel?: number;
}

/** The slice of the onnxruntime-node API we use; tests hand in fakes. */
export interface OrtBinding {
  InferenceSession: { create(model: string | Uint8Array, opts: SessionOptions): Promise<OrtSession> };
  Tensor: new (type: 'float32', data: Float32Array, dims: readonly number[]) => OrtTensor;
  env?: { logLevel?: string };
}

/** Load onnxruntime-node, or the custom build at `customPath` (a folder holding its package.json). */
export async function loadOrt(customPath = ''): Promise<OrtBinding> {
  let mod: unknown;
  try {
    if (customPath) {
      const req = createRequire(resolve(customPath, 'package.json'));
      mod = req(resolve(customPath));
    } else {
      mod = await import('onnxruntime-node');
    }
  } catch (e) {
    throw new PokerfaceError('POKERFACE_ERR_PROVIDER_UNAVAILABLE', `cannot load onnxruntime${customPath ? ` from ${customPath}` : ''}: ${(e as Error).message}`, { cause: e });
  }
  const m = mod as OrtBinding & { default?: OrtBinding };
  const ort = m.InferenceSession ? m : m.default;
  if (!ort?.InferenceSession) throw new PokerfaceError('POKERFACE_ERR_PROVIDER_UNAVAILABLE', 'module does not look like onnxruntime-node');
  if (ort.env) ort.env.logLevel = 'error';
  return ort;
}

export interface OpenedSession {
  session: OrtSession;
  provider: string;
  fallbacks: Array<{ provider: string; error: string }>;
}

export interface OpenOptions {
  providers: readonly ProviderConfig[];
  intraOpThreads: number;
  graphOptimizationLevel: 'disabled' | 'basic' | 'extended' | 'all';
  log: Logger;
  /** label for logs */
  model: string;
}

/**
 * Try each configured provider alone, in order (onnxruntime given a list would fail as a
 * whole when one provider is missing, rather than falling back); log each failure. A
 * model that loads on no provider is a model problem when the CPU provider was among
 * those tried, otherwise a provider problem.
 */
export async function openSession(ort: OrtBinding, model: string | Uint8Array, o: OpenOptions): Promise<OpenedSession> {
  const fallbacks: Array<{ provider: string; error: string }> = [];
  let lastError: unknown = null;
  let cpuTried = false;
  for (const p of o.providers) {
    const s = providerSettings(p);
    if (s.name === 'tensorrt') checkEngineCache(s);
    const opts: SessionOptions = {
      executionProviders: [executionProvider(s)],
      graphOptimizationLevel: o.graphOptimizationLevel,
      interOpNumThreads: 1,
      logSeverityLevel: 3,
      ...(o.intraOpThreads > 0 ? { intraOpNumThreads: o.intraOpThreads } : {}),
    };
    try {
      const session = await ort.InferenceSession.create(model, opts);
      if (fallbacks.length > 0) o.log.warn({ model: o.model, provider: s.name, fallbacks }, `using execution provider ${s.name} after ${fallbacks.length} failed`);
      else o.log.info({ model: o.model, provider: s.name }, `using execution provider ${s.name}`);
      return { session, provider: s.name, fallbacks };
    } catch (e) {
      lastError = e;
      if (s.name === 'cpu') cpuTried = true;
      const error = (e as Error).message ?? String(e);
      fallbacks.push({ provider: s.name, error });
      o.log.warn({ model: o.model, provider: s.name, err: error }, `execution provider ${s.name} failed; trying the next one`);
    }
  }
  const summary = fallbacks.map((f) => `${f.provider}: ${f.error}`).join('; ');
  throw new PokerfaceError(cpuTried ? 'POKERFACE_ERR_MODEL_LOAD' : 'POKERFACE_ERR_PROVIDER_UNAVAILABLE', `${o.model}: ${summary}`, { cause: lastError });
}

export function float32Tensor(ort: OrtBinding, data: Float32Array, dims: readonly number[]): OrtTensor {
  return new ort.Tensor('float32', data, dims);
}

export function tensorData(t: OrtTensor | undefined, name: string): Float32Array {
  if (!t || !(t.data instanceof Float32Array)) throw new PokerfaceError('POKERFACE_ERR_MODEL_SHAPE', `output ${name} is missing or not float32`);
  return t.data;
}

/** Input/output names and shapes as the session reports them (symbolic dims as -1). */
export function sessionShapes(s: OrtSession): { inputs: Array<{ name: string; shape: number[] }>; outputs: Array<{ name: string; shape: number[] }> } {
  const conv = (names: readonly string[], meta: readonly OrtValueMeta[] | undefined): Array<{ name: string; shape: number[] }> =>
    names.map((name, i) => ({ name, shape: (meta?.[i]?.shape ?? []).map((d) => (typeof d === 'number' && d >= 0 ? d : -1)) }));
  return { inputs: conv(s.inputNames, s.inputMetadata), outputs: conv(s.outputNames, s.outputMetadata) };
}
