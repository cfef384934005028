// Messages between the Detector (main thread) and the inference worker.
import type { DetectorInfo, Face, PixelFormat } from '../types.js';
import { ERRORS, PokerfaceError, type ErrorCode } from '../errors.js';
import type { StageTimings } from './pipeline.js';

export type ToWorker =
  | {
      type: 'frame';
      id: number;
      buf: SharedArrayBuffer;
      byteLength: number;
      width: number;
      height: number;
      format: PixelFormat;
      /** the tracked player's box, classified on every frame (see Detector.detect) */
      focus: readonly [number, number, number, number] | null;
    }
  | { type: 'close' }
  /**
   * test seam (fault tests only): block the worker thread for ms (a hang), make the next
   * frame take ms longer inside its run (a slow inference), or throw an uncaught error (a crash)
   */
  | { type: 'debug'; action: 'block' | 'slow' | 'crash'; ms?: number };

/**
 * The worker's run flag (an Int32 in shared memory, index 0). terminate() while the
 * worker is inside onnxruntime's synchronous, native session.run aborts the whole
 * process (the binding throws a C++ exception into the dying environment), so the host
 * may terminate only a worker that is not running a frame: it swaps in RUN_RETIRED; a
 * worker that was RUN_BUSY exits by itself when its frame is done, and one that sees
 * RUN_RETIRED never starts another.
 */
export const RUN_IDLE = 0;
export const RUN_BUSY = 1;
export const RUN_RETIRED = 2;

export type FromWorker =
  | { type: 'ready'; info: DetectorInfo }
  | { type: 'failed'; code: string; message: string }
  | { type: 'result'; id: number; faces: Face[]; timings: StageTimings }
  | { type: 'error'; id: number; code: string; message: string }
  | { type: 'log'; line: string };

/** What the worker gets as workerData. */
export interface WorkerInit {
  config: unknown;
  logLevel: string;
  /** the run flag (see RUN_IDLE); absent for test workers that do not use it */
  runFlag?: SharedArrayBuffer;
  /** free-form settings for test workers */
  test?: unknown;
}

export function errorMessage(e: unknown): { code: string; message: string } {
  if (e instanceof PokerfaceError) return { code: e.code, message: e.message };
  return { code: 'POKERFACE_ERR_INFER_WORKER', message: (e as Error)?.message ?? String(e) };
}

/** Rebuild a PokerfaceError sent over from the worker (without repeating its base message). */
export function reviveError(code: string, message: string): PokerfaceError {
  const c: ErrorCode = code in ERRORS ? (code as ErrorCode) : 'POKERFACE_ERR_INFER_WORKER';
  const base = ERRORS[c].message;
  const detail = message === base ? undefined : message.startsWith(`${base}: `) ? message.slice(base.length + 2) : message;
  return new PokerfaceError(c, detail);
}
