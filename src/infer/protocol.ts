// Messages between the Detector (main thread) and the inference worker.
import type { DetectorInfo, Face, PixelFormat } from '../types.js';
import { ERRORS, PokerfaceError, type ErrorCode } from '../errors.js';
import type { StageTimings } from './pipeline.js';

export type ToWorker =
  | { type: 'frame'; id: number; buf: SharedArrayBuffer; byteLength: number; width: number; height: number; format: PixelFormat }
  | { type: 'close' };

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
