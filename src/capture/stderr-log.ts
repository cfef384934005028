// A capture child's stderr, cut into lines and logged under a rate limit: a driver that
// floods its stderr must not fill the journal or the disk. The last few lines are kept
// regardless of the limit, to explain a failure.
import type { Logger } from '../log.js';
import type { Clock } from '../types.js';

const MAX_LINE = 400;
const TAIL_LINES = 12;
const WINDOW_MS = 60_000;

export class StderrLog {
  private partial = '';
  private windowStart = 0;
  private inWindow = 0;
  private suppressed = 0;
  private readonly tailLines: string[] = [];

  constructor(
    private readonly log: Logger,
    private readonly clock: Clock,
    private readonly linesPerMinute: number,
    private readonly what: string,
  ) {}

  /** Feed a chunk of stderr (any size; lines may span chunks). */
  write(chunk: Uint8Array | string): void {
    const text = this.partial + (typeof chunk === 'string' ? chunk : Buffer.from(chunk.buffer, chunk.byteOffset, chunk.byteLength).toString('utf8'));
    const lines = text.split(/\r?\n/);
    this.partial = lines.pop() ?? '';
    // an endless line without a newline must not grow without bound
    if (this.partial.length > 4 * MAX_LINE) {
      lines.push(this.partial);
      this.partial = '';
    }
    for (const l of lines) this.line(l);
  }

  /** Flush a trailing partial line (child exited). */
  end(): void {
    if (this.partial) this.line(this.partial);
    this.partial = '';
  }

  /** The last lines seen, newest last, for error classification. */
  tail(): string[] {
    return [...this.tailLines];
  }

  clearTail(): void {
    this.tailLines.length = 0;
  }

  get suppressedTotal(): number {
    return this.suppressed;
  }

  private line(raw: string): void {
    const line = raw.trim().slice(0, MAX_LINE);
    if (!line) return;
    this.tailLines.push(line);
    if (this.tailLines.length > TAIL_LINES) this.tailLines.shift();
    const now = this.clock.now();
    if (now - this.windowStart >= WINDOW_MS) {
      if (this.inWindow > this.linesPerMinute) {
        this.log.warn({ suppressed: this.inWindow - this.linesPerMinute, source: this.what }, 'capture stderr lines suppressed (rate limit)');
      }
      this.windowStart = now;
      this.inWindow = 0;
    }
    this.inWindow++;
    if (this.inWindow <= this.linesPerMinute) this.log.warn({ source: this.what }, line);
    else this.suppressed++;
  }
}
