// Capture benchmark (a command that prints figures, not a timed test).
//   npx tsx scripts/bench/capture.ts [seconds=10] [--json] [--backends ffmpeg,gstreamer,file,opencv]
// For each backend: a 640x480@30 test video (made here with ffmpeg testsrc, in a temp
// dir) is captured for `seconds` by a consumer that keeps up. Prints frames delivered
// vs expected, the CPU time this (the daemon's) process spent per frame, event-loop
// utilisation, and how long frames take to flow again after the capture child is
// SIGKILLed (3 kills). Targets: >= 99 % delivered, <= 3 ms/frame, resume <= 2 s.
import { execFileSync } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { performance } from 'node:perf_hooks';
import { systemClock } from '../../src/clock.js';
import { createFrameSource } from '../../src/capture/factory.js';
import { opencvInstalled } from '../../src/capture/opencv.js';
import { parseConfig } from '../../src/config/load.js';
import { silentLogger } from '../../src/log.js';

const argv = process.argv.slice(2);
const json = argv.includes('--json');
const bi = argv.indexOf('--backends');
const wanted = bi >= 0 ? (argv[bi + 1] ?? '').split(',') : ['ffmpeg', 'gstreamer', 'file', 'opencv'];
const seconds = Number(argv.find((a) => /^\d+(\.\d+)?$/.test(a)) ?? 10);
const W = 640;
const H = 480;
const FPS = 30;

const dir = mkdtempSync(join(tmpdir(), 'pokerface-bench-capture-'));
const video = join(dir, 'testsrc-640x480-30.mp4');
execFileSync('ffmpeg', ['-hide_banner', '-loglevel', 'error', '-y', '-f', 'lavfi', '-i', `testsrc=size=${W}x${H}:rate=${FPS}`, '-t', String(seconds + 8), '-pix_fmt', 'yuv420p', '-c:v', 'libx264', '-preset', 'ultrafast', video]);

const cameras: Record<string, Record<string, unknown>> = {
  ffmpeg: { backend: 'ffmpeg', ffmpeg: { input: video, loop: true, realtime: true } },
  gstreamer: { backend: 'gstreamer', gstreamer: { preset: 'custom', pipeline: `filesrc location=${video} ! decodebin`, sync: true } },
  file: { backend: 'file', file: { path: video, loop: true, pace: 'realtime' } },
  opencv: { backend: 'opencv', opencv: { pipeline: `filesrc location=${video} ! decodebin ! videoconvert ! video/x-raw,format=BGR ! appsink sync=true max-buffers=1 drop=true` } },
};

interface Row {
  backend: string;
  firstFrameMs: number;
  windowS: number;
  expected: number;
  delivered: number;
  deliveredPct: number;
  dropped: number;
  cpuMsPerFrame: number;
  eventLoopUtilisation: number;
  resumeMs: number[];
}

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

async function bench(name: string): Promise<Row> {
  const cam = parseConfig(JSON.stringify({ camera: { width: W, height: H, fps: FPS, ...cameras[name] } }), 'bench').camera;
  const src = createFrameSource(cam, { clock: systemClock, log: silentLogger });
  const stamps: number[] = [];
  let sum = 0;
  // a consumer that keeps up and touches the pixels (as a copy into an inference buffer would)
  const keep = new Uint8Array(W * H * 3);
  src.onFrame((f) => {
    stamps.push(f.ts);
    keep.set(f.data);
    sum += keep[0] ?? 0;
  });
  const t0 = performance.now();
  await src.start();
  while (stamps.length === 0) {
    if (performance.now() - t0 > 20_000) throw new Error(`${name}: no frame in 20 s: ${JSON.stringify(src.stats())}`);
    await sleep(5);
  }
  const first = stamps[0] as number;
  // measurement window: starts one second in, so start-up is not counted
  await sleep(Math.max(0, first + 1000 - performance.now()));
  const w0 = performance.now();
  const cpu0 = process.cpuUsage();
  const elu0 = performance.eventLoopUtilization();
  const d0 = src.stats().dropped;
  await sleep(seconds * 1000);
  const w1 = performance.now();
  const cpu = process.cpuUsage(cpu0);
  const elu = performance.eventLoopUtilization(elu0);
  const inWindow = stamps.filter((t) => t >= w0 && t < w1).length;
  const expected = Math.round(((w1 - w0) / 1000) * FPS);
  const dropped = src.stats().dropped - d0;

  const resumeMs: number[] = [];
  for (let k = 0; k < 3; k++) {
    await sleep(1200);
    const before = src.stats().reconnects;
    const tk = performance.now();
    src.killBackend();
    while (!(src.stats().reconnects > before && (stamps.at(-1) ?? 0) > tk)) {
      if (performance.now() - tk > 20_000) break;
      await sleep(2);
    }
    // the first frame captured after the restart
    const next = stamps.find((t) => t > tk && src.stats().reconnects > before);
    resumeMs.push(Math.round((next ?? performance.now()) - tk));
  }
  await src.stop();
  void sum;
  return {
    backend: name,
    firstFrameMs: Math.round(first - t0),
    windowS: Math.round(w1 - w0) / 1000,
    expected,
    delivered: inWindow,
    deliveredPct: Math.round((inWindow / expected) * 1000) / 10,
    dropped,
    cpuMsPerFrame: Math.round(((cpu.user + cpu.system) / 1000 / Math.max(1, inWindow)) * 1000) / 1000,
    eventLoopUtilisation: Math.round(elu.utilization * 1000) / 1000,
    resumeMs,
  };
}

const rows: Row[] = [];
try {
  for (const name of wanted) {
    if (!cameras[name]) continue;
    if (name === 'opencv' && !opencvInstalled()) {
      if (!json) console.log('opencv: @u4/opencv4nodejs not installed, skipped');
      continue;
    }
    rows.push(await bench(name));
  }
} finally {
  rmSync(dir, { recursive: true, force: true });
}
if (json) console.log(JSON.stringify({ width: W, height: H, fps: FPS, seconds, node: process.version, rows }));
else {
  console.log(`capture benchmark: ${W}x${H} @ ${FPS} fps from a file, ${seconds} s window, node ${process.version}`);
  console.log('backend    first-frame  delivered/expected        dropped  cpu ms/frame  ELU    resume after kill (ms)');
  for (const r of rows) {
    console.log(
      `${r.backend.padEnd(10)} ${String(r.firstFrameMs).padStart(8)} ms  ${`${r.delivered}/${r.expected} (${r.deliveredPct} %)`.padEnd(24)}  ${String(r.dropped).padStart(7)}  ${r.cpuMsPerFrame.toFixed(3).padStart(12)}  ${r.eventLoopUtilisation.toFixed(3)}  ${r.resumeMs.join(', ')}`,
    );
  }
}
