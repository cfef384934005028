// Per-stage time of one frame in the pipeline: wall-clock ms and CPU ms. `pokerface
// bench --profile` prints the CPU figures, which other load on the machine does not
// inflate the way it inflates wall-clock time. The CPU clock is the process's
// (getrusage RUSAGE_SELF), not the thread's: Linux brings the calling thread's figure
// up to date for RUSAGE_SELF but not for RUSAGE_THREAD (process.threadCpuUsage), which
// lags by up to a scheduler tick and so charges a 2 ms stage to whatever runs next.
// With intraOpThreads 1 onnxruntime runs the models on this (the worker's) thread, and
// in the benchmark the main thread waits meanwhile, so the figure is the stage's own.
import { performance } from 'node:perf_hooks';

export type Stage = 'preprocess' | 'detect' | 'classify';

export interface StageCpu {
  preprocess: number;
  detect: number;
  classify: number;
}

function cpuMs(): number {
  const u = process.cpuUsage();
  return (u.user + u.system) / 1000;
}

export class StageMeter {
  private wall0 = 0;
  private cpu0 = 0;
  readonly wall: StageCpu = { preprocess: 0, detect: 0, classify: 0 };
  readonly cpu: StageCpu = { preprocess: 0, detect: 0, classify: 0 };

  /** Zero every stage and start timing a frame. */
  start(): void {
    this.wall.preprocess = this.wall.detect = this.wall.classify = 0;
    this.cpu.preprocess = this.cpu.detect = this.cpu.classify = 0;
    this.wall0 = performance.now();
    this.cpu0 = cpuMs();
  }

  /** Charge the time since the last start() or lap() to `stage`. */
  lap(stage: Stage): void {
    const w = performance.now();
    const c = cpuMs();
    this.wall[stage] += w - this.wall0;
    this.cpu[stage] += c - this.cpu0;
    this.wall0 = w;
    this.cpu0 = c;
  }

  /** The frame's timings, as the pipeline result carries them. */
  timings(): { preprocess: number; detect: number; classify: number; cpu: StageCpu } {
    return { ...this.wall, cpu: { ...this.cpu } };
  }
}
