// Inference worker entry: onnxruntime's session.run blocks the thread it runs on, so the
// whole pipeline lives here and the main thread only copies frames into shared memory.
import { parentPort, workerData } from 'node:worker_threads';
import pino from 'pino';
import { loadOrt } from './onnx.js';
import { createPipeline, type ModelConfig, type Pipeline } from './pipeline.js';
import { RUN_BUSY, RUN_IDLE, errorMessage, type FromWorker, type ToWorker, type WorkerInit } from './protocol.js';

const port = parentPort;
if (!port) throw new Error('worker.ts must run as a worker thread');
const init = workerData as WorkerInit;
const runFlag = init.runFlag ? new Int32Array(init.runFlag) : null;
const post = (m: FromWorker): void => port.postMessage(m);
const log = pino({ level: init.logLevel, base: null, timestamp: false }, { write: (line: string) => post({ type: 'log', line }) });

let pipeline: Pipeline | null = null;
/** test seam: extra time the next frame spends inside its run (see debugFault) */
let slowNextFrameMs = 0;
/** test seam: a JavaScript hang asked for mid-frame, started once the frame is done */
let blockAfterFrameMs = 0;

/** Enter native work (model load, a frame); false when the host retired us first. */
function enter(): boolean {
  return !runFlag || Atomics.compareExchange(runFlag, 0, RUN_IDLE, RUN_BUSY) === RUN_IDLE;
}

/** Leave native work; retired meanwhile, the host left it to us to go now. */
function leave(): void {
  if (runFlag && Atomics.compareExchange(runFlag, 0, RUN_BUSY, RUN_IDLE) !== RUN_BUSY) process.exit(0);
}

async function main(): Promise<void> {
  if (!enter()) process.exit(0);
  try {
    const cfg = init.config as ModelConfig;
    const ort = await loadOrt(cfg.onnxruntimePath);
    pipeline = await createPipeline(cfg, { ort, log });
    post({ type: 'ready', info: pipeline.info() });
  } catch (e) {
    post({ type: 'failed', ...errorMessage(e) });
    return;
  } finally {
    leave();
  }
  port!.on('message', (m: ToWorker) => {
    if (m.type === 'close') {
      const p = pipeline;
      pipeline = null;
      // releasing the sessions is native work too (see enter())
      const entered = enter();
      void (p ? p.close() : Promise.resolve()).finally(() => {
        if (entered) leave();
        port!.close();
      });
      return;
    }
    if (m.type === 'frame' && pipeline) void runFrame(pipeline, m);
    // test seam: only fault tests send this, through WorkerDetector.debugWorker()
    else if (m.type === 'debug') debugFault(m);
  });
}

async function runFrame(p: Pipeline, m: Extract<ToWorker, { type: 'frame' }>): Promise<void> {
  // retired: the host terminates us, which is safe only while we are not in a run
  if (!enter()) return;
  try {
    if (slowNextFrameMs > 0) sleepSync(slowNextFrameMs);
    slowNextFrameMs = 0;
    await answerFrame(p, m);
  } finally {
    leave();
  }
  if (blockAfterFrameMs > 0) {
    const ms = blockAfterFrameMs;
    blockAfterFrameMs = 0;
    sleepSync(ms);
  }
}

function debugFault(m: Extract<ToWorker, { type: 'debug' }>): void {
  // onnxruntime-node yields to the event loop between the runs of one frame, so this
  // message can land mid-frame; a hang there would be one inside a run (abandoned, not
  // terminated), so the fault waits for the frame to end: "hung in JavaScript" it stays
  if (m.action === 'block') {
    if (runFlag && Atomics.load(runFlag, 0) === RUN_BUSY) blockAfterFrameMs = m.ms ?? 60_000;
    else sleepSync(m.ms ?? 60_000);
  }
  else if (m.action === 'slow') slowNextFrameMs = m.ms ?? 2000;
  else throw new Error('inference worker crash requested by a fault test');
}

function sleepSync(ms: number): void {
  Atomics.wait(new Int32Array(new SharedArrayBuffer(4)), 0, 0, ms);
}

async function answerFrame(p: Pipeline, m: Extract<ToWorker, { type: 'frame' }>): Promise<void> {
  try {
    // one view per frame: every message brings a new SharedArrayBuffer object (over the
    // same memory), so a cache keyed by it never hits
    const data = new Uint8Array(m.buf, 0, Math.min(m.byteLength, m.buf.byteLength));
    const r = await p.run({ width: m.width, height: m.height, format: m.format, data }, m.focus);
    post({ type: 'result', id: m.id, faces: r.faces, timings: r.timings });
  } catch (e) {
    post({ type: 'error', id: m.id, ...errorMessage(e) });
  }
}

void main();
