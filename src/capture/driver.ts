// What a backend (gstreamer child, ffmpeg child, opencv worker, image folder) offers the
// supervisor: open a session that pushes frames into a sink, and close it again. The
// supervisor does everything else (watchdog, restarts, stats, hand-off).
import type { PokerfaceError } from '../errors.js';

export type SessionEnd = { kind: 'ended' } | { kind: 'failed'; error: PokerfaceError };

export interface DriverSink {
  /** a chunk of a raw stream of back-to-back frames of the configured size */
  bytes(chunk: Uint8Array): void;
  /** one whole frame; the sink copies it, so the driver may reuse `data` */
  frame(data: Uint8Array, width: number, height: number): void;
  /** frames the backend dropped itself because the hand-off was behind */
  droppedUpstream(n: number): void;
  /** stderr text of a child process */
  stderr(chunk: Uint8Array | string): void;
  /** the last stderr lines, to explain a failure */
  stderrTail(): string[];
  /** bytes of an incomplete frame left in the stream */
  partialBytes(): number;
  /** frames this session has completed so far */
  sessionFrames(): number;
  /** the session is over; called at most once, never after close() was called */
  end(e: SessionEnd): void;
}

export interface DriverSession {
  /** the child process id, if the session is a child process */
  readonly pid: number | null;
  /** end the session; resolves once nothing of it runs any more (no child, no worker) */
  close(): Promise<void>;
  /** end the backend abruptly, as a crash would (HIL checks and tests); the supervisor restarts it */
  kill?(): void;
}

export interface CaptureDriver {
  /** for logs: 'gstreamer', 'ffmpeg', ... */
  readonly name: string;
  /** a short description of the input (pipeline, file, device) */
  readonly describe: string;
  /** start a session; may throw a PokerfaceError for a failure known at once */
  open(sink: DriverSink): DriverSession;
  /** a hint for the operator after this many failures in a row (e.g. restart nvargus-daemon) */
  failureHint?(consecutiveFailures: number): string | null;
}
