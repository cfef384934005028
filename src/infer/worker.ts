// Inference worker entry: onnxruntime's session.run blocks the thread it runs on, so the
// whole pipeline lives here and the main thread only copies frames into shared memory.
import { parentPort, workerData } from 'node:worker_threads';
import pino from 'pino';
import { loadOrt } from './onnx.js';
import { createPipeline, type ModelConfig, type Pipeline } from './pipeline.js';
import { errorMessage, type FromWorker, type ToWorker, type WorkerInit } from './protocol.js';

const port = parentPort;
if (!port) throw new Error('worker.ts must run as a worker thread');
const init = workerData as WorkerInit;
const post = (m: FromWorker): void => port.postMessage(m);
const log = pino({ level: init.logLevel, base: null, timestamp: false }, { write: (line: string) => post({ type: 'log', line }) });

let pipeline: Pipeline | null = null;
const views = new WeakMap<SharedArrayBuffer, Uint8Array>();

async function main(): Promise<void> {
  try {
    const cfg = init.config as ModelConfig;
    const ort = await loadOrt(cfg.onnxruntimePath);
    pipeline = await createPipeline(cfg, { ort, log });
    post({ type: 'ready', info: pipeline.info() });
  } catch (e) {
    post({ type: 'failed', ...errorMessage(e) });
    return;
  }
  port!.on('message', (m: ToWorker) => {
    if (m.type === 'close') {
      const p = pipeline;
      pipeline = null;
      void (p ? p.close() : Promise.resolve()).finally(() => port!.close());
      return;
    }
    if (m.type === 'frame' && pipeline) void runFrame(pipeline, m);
  });
}

async function runFrame(p: Pipeline, m: Extract<ToWorker, { type: 'frame' }>): Promise<void> {
  let view = views.get(m.buf);
  if (!view) {
    view = new Uint8Array(m.buf);
    views.set(m.buf, view);
  }
  try {
    const data = view.subarray(0, m.byteLength);
    const r = await p.run({ width: m.width, height: m.height, format: m.format, data });
    post({ type: 'result', id: m.id, faces: r.faces, timings: r.timings });
  } catch (e) {
    post({ type: 'error', id: m.id, ...errorMessage(e) });
  }
}

void main();
