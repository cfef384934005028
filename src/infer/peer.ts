// The benchmark peer: @vladmandic/face-api (tiny face detector + expression net) on
// TF.js. Its WASM backend is the fastest that installs here (tfjs-node needs a native
// download); the pure-JS cpu backend is the fallback. Only `pokerface bench --peer`
// loads this file.
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import type { Face, Frame } from '../types.js';

interface Tensor3D {
  dispose(): void;
}
interface FaceApi {
  tf: {
    setBackend(name: string): Promise<boolean>;
    ready(): Promise<void>;
    getBackend(): string;
    tensor3d(data: Uint8Array | Int32Array, shape: [number, number, number], dtype: 'int32'): Tensor3D;
  };
  nets: { tinyFaceDetector: { loadFromDisk(dir: string): Promise<void> }; faceExpressionNet: { loadFromDisk(dir: string): Promise<void> } };
  TinyFaceDetectorOptions: new (o: { inputSize: number; scoreThreshold: number }) => unknown;
  detectAllFaces(input: Tensor3D, opts: unknown): {
    withFaceExpressions(): Promise<Array<{ detection: { box: { x: number; y: number; width: number; height: number }; score: number }; expressions: Record<string, number> }>>;
  };
}

export interface Peer {
  backend: string;
  detect(f: Frame): Promise<Face[]>;
}

export async function loadPeer(opts: { inputSize?: number; scoreThreshold?: number; backend?: 'wasm' | 'cpu' } = {}): Promise<Peer> {
  const require = createRequire(import.meta.url);
  const pkgDir = dirname(require.resolve('@vladmandic/face-api/package.json'));
  const wasm = require('@tensorflow/tfjs-backend-wasm') as { setWasmPaths(prefix: string): void };
  // a plain folder path: emscripten then reads the .wasm with fs (a URL would need fetch)
  wasm.setWasmPaths(`${join(dirname(require.resolve('@tensorflow/tfjs-backend-wasm/package.json')), 'dist')}/`);
  const api = require(join(pkgDir, 'dist/face-api.node-wasm.js')) as FaceApi;
  const ok = await api.tf.setBackend(opts.backend ?? 'wasm').catch(() => false);
  // the pure-JavaScript kernels of @tensorflow/tfjs when WASM cannot start
  if (!ok) await api.tf.setBackend('cpu');
  await api.tf.ready();
  const backend = api.tf.getBackend();
  const modelDir = join(pkgDir, 'model');
  await api.nets.tinyFaceDetector.loadFromDisk(modelDir);
  await api.nets.faceExpressionNet.loadFromDisk(modelDir);
  const options = new api.TinyFaceDetectorOptions({ inputSize: opts.inputSize ?? 224, scoreThreshold: opts.scoreThreshold ?? 0.5 });
  return {
    backend,
    async detect(f: Frame): Promise<Face[]> {
      const t = api.tf.tensor3d(f.data, [f.height, f.width, 3], 'int32');
      try {
        const r = await api.detectAllFaces(t, options).withFaceExpressions();
        return r.map((d) => ({ box: [d.detection.box.x, d.detection.box.y, d.detection.box.width, d.detection.box.height], score: d.detection.score, emotions: { ...d.expressions } }));
      } finally {
        t.dispose();
      }
    },
  };
}
