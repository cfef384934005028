import { cpus, loadavg } from 'node:os';
import { performance } from 'node:perf_hooks';
import { parseArgs } from 'node:util';
import { EXIT, PokerfaceError } from '../../errors.js';
import { createLogger } from '../../log.js';
import type { Frame } from '../../types.js';
import { WorkerDetector } from '../../infer/detector.js';
import type { StageCpu } from '../../infer/stage-meter.js';
import type { Command } from '../io.js';
import { loadModelConfig } from './detect.js';

const DEFAULT_PHOTOS = 'node_modules/@vladmandic/face-api/demo/sampleN.jpg';

function pct(values: Float64Array, p: number): number {
  if (values.length === 0) return 0;
  const s = values.slice().sort();
  return Math.round((s[Math.min(s.length - 1, Math.floor(p * s.length))] as number) * 1000) / 1000;
}

const r2 = (v: number): number => Math.round(v * 100) / 100;

/**
 * Frames for the benchmark. Default: a 640x480 frame cut from a face-api demo photo
 * around one face (found by our own detector) that fills 40% of the frame height, as a
 * player at the booth would, checked to show exactly one face. An image source is
 * resized to WxH; a video is decoded at WxH.
 */
async function loadFrames(source: string | undefined, width: number, height: number, max: number, detector: WorkerDetector): Promise<Frame[]> {
  const { decodeImage, resizeFrame, cropFrame } = await import('../../infer/image.js');
  const { isVideoFile, videoFrames } = await import('../../infer/video.js');
  if (source && isVideoFile(source)) {
    const frames: Frame[] = [];
    for await (const f of videoFrames(source, { width, height, maxFrames: max })) frames.push(f);
    if (frames.length === 0) throw new PokerfaceError('POKERFACE_ERR_IMAGE_DECODE', `${source}: no frames`);
    return frames;
  }
  if (source) return [await resizeFrame(await decodeImage(source), width, height)];
  let fallback: Frame | null = null;
  for (const i of [6, 1, 3, 4, 5, 2]) {
    const photo = await decodeImage(DEFAULT_PHOTOS.replace('N', String(i)));
    const faces = [...(await detector.detect(photo))].sort((a, b) => b.box[2] * b.box[3] - a.box[2] * a.box[3]);
    for (const face of faces) {
      const [bx, by, bw, bh] = face.box;
      const h = Math.min(photo.height, bh * 2.5);
      const w = Math.min(photo.width, (h * width) / height);
      const left = Math.round(Math.max(0, Math.min(photo.width - w, bx + bw / 2 - w / 2)));
      const top = Math.round(Math.max(0, Math.min(photo.height - h, by + bh / 2 - h / 2)));
      const frame = await resizeFrame(await cropFrame(photo, left, top, Math.round(w), Math.round(h)), width, height);
      fallback ??= frame;
      if ((await detector.detect(frame)).length === 1) return [frame];
    }
  }
  if (!fallback) throw new PokerfaceError('POKERFACE_ERR_IMAGE_DECODE', 'no face found in the demo photos');
  return [fallback];
}

export const command: Command = {
  summary: 'benchmark detection + classification (one JSON object); --peer also runs face-api',
  usage: [
    'pokerface bench [--source FILE] [--frames N] [--peer] [--peer-frames N] [--config FILE] [--size WxH] [--variant front|back] [--profile]',
    '',
    '  --source FILE     image or video to run on (default: a 640x480 one-face cut of a face-api demo photo)',
    '  --frames N        frames to time (default 500), after 30 warm-up frames',
    '  --peer            also run @vladmandic/face-api (tiny face detector + expressions) on the same frames',
    '  --peer-frames N   frames for the peer (default 60; it is much slower)',
    '  --size WxH        frame size (default 640x480)',
    '  --variant V       BlazeFace variant: front (default) or back',
    '  --config FILE     configuration for the model section (default: built-in defaults, CPU)',
    '  --profile         also print where the CPU time goes: per stage in the worker thread, the main',
    '                    thread, and the rest of the process, in CPU ms per frame (`cpuProfile`)',
  ].join('\n'),
  async run(args, io) {
    const { values } = parseArgs({
      args,
      options: {
        source: { type: 'string' },
        frames: { type: 'string', default: '500' },
        peer: { type: 'boolean', default: false },
        'peer-frames': { type: 'string', default: '60' },
        size: { type: 'string', default: '640x480' },
        config: { type: 'string', short: 'c' },
        variant: { type: 'string' },
        profile: { type: 'boolean', default: false },
      },
    });
    const n = Number(values.frames);
    const peerN = Number(values['peer-frames']);
    const size = /^(\d+)x(\d+)$/.exec(values.size);
    if (!(n > 0) || !(peerN > 0) || !size) throw new PokerfaceError('POKERFACE_ERR_USAGE', '--frames/--peer-frames must be positive, --size WxH');
    const width = Number(size[1]);
    const height = Number(size[2]);
    const config = loadModelConfig(values.config, io, values.variant);
    const log = createLogger({ level: io.env.POKERFACE_LOG_LEVEL ?? 'warn', pretty: false, destination: { write: (s: string) => io.err(s) } });
    const detector = new WorkerDetector({ config, log, logLevel: 'warn' });
    await detector.start();
    try {
      const frames = await loadFrames(values.source, width, height, n, detector);
      const at = (i: number): Frame => {
        const f = frames[i % frames.length] as Frame;
        return { ...f, seq: i };
      };
      for (let i = 0; i < 30; i++) await detector.detect(at(i));
      // the timed loop allocates nothing per frame of its own, so it measures the pipeline:
      // the series are filled in place and the frames are reused (the detector copies the
      // pixels and reads the rest before detectTimed() returns)
      const timed = frames.map((f) => ({ ...f }));
      const stages: Record<keyof StageCpu, Float64Array> = { preprocess: new Float64Array(n), detect: new Float64Array(n), classify: new Float64Array(n) };
      const stageCpu: StageCpu = { preprocess: 0, detect: 0, classify: 0 };
      let detected = 0;
      let classified = 0;
      const latency = new Float64Array(n);
      let faces = 0;
      const main0 = process.threadCpuUsage();
      const cpu0 = process.cpuUsage();
      const t0 = performance.now();
      for (let i = 0; i < n; i++) {
        const f = timed[i % timed.length] as Frame;
        f.seq = i;
        const s = performance.now();
        const r = await detector.detectTimed(f);
        latency[i] = performance.now() - s;
        faces += r.faces.length;
        stages.preprocess[i] = r.timings.preprocess;
        stages.detect[i] = r.timings.detect;
        stages.classify[i] = r.timings.classify;
        const c = r.timings.cpu;
        if (c) {
          stageCpu.preprocess += c.preprocess;
          stageCpu.detect += c.detect;
          stageCpu.classify += c.classify;
        }
        if (r.timings.detect > 0) detected++;
        if ((r.timings.classified ?? 1) > 0) classified++;
      }
      const seconds = (performance.now() - t0) / 1000;
      const cpu = process.cpuUsage(cpu0);
      const mainCpu = process.threadCpuUsage(main0);
      const fps = n / seconds;
      const stat = (v: Float64Array): { p50: number; p95: number } => ({ p50: pct(v, 0.5), p95: pct(v, 0.95) });
      const out: Record<string, unknown> = {
        frames: n,
        width: (frames[0] as Frame).width,
        height: (frames[0] as Frame).height,
        fps: r2(fps),
        facesPerFrame: r2(faces / n),
        ms: { preprocess: stat(stages.preprocess), detect: stat(stages.detect), classify: stat(stages.classify), endToEnd: stat(latency) },
        provider: detector.info().provider,
        kind: detector.info().kind,
        variant: config.kind === 'two-stage' ? config.detector.variant : undefined,
        intraOpThreads: config.intraOpThreads,
        // CPU time of all threads per frame: what the pipeline costs, whatever else runs
        cpuMsPerFrame: r2((cpu.user + cpu.system) / 1000 / n),
        rssMb: Math.round(process.memoryUsage().rss / 1048576),
        // other processes competing for the CPUs make every figure here slower
        loadAvg1: Math.round(loadavg()[0]! * 100) / 100,
        cpus: cpus().length,
      };
      if (values.profile) {
        const perFrame = (us: number): number => Math.round((us / 1000 / n) * 1000) / 1000;
        const worker = stageCpu.preprocess + stageCpu.detect + stageCpu.classify;
        const main = (mainCpu.user + mainCpu.system) / 1000;
        const all = (cpu.user + cpu.system) / 1000;
        out.cpuProfile = {
          // CPU ms per frame; the stages as the worker measures them (src/infer/stage-meter.ts)
          preprocess: perFrame(stageCpu.preprocess * 1000),
          detect: perFrame(stageCpu.detect * 1000),
          classify: perFrame(stageCpu.classify * 1000),
          // the benchmark loop, copying frames to the worker, results coming back (this
          // thread's clock lags by up to a scheduler tick; over the run that evens out)
          mainThread: perFrame(main * 1000),
          // everything else: the worker outside its stages, onnxruntime and GC threads
          other: perFrame((all - worker - main) * 1000),
          total: perFrame(all * 1000),
          detectedFrames: detected,
          // frames on which the classifier ran (classifier.playerEvery repeats a still player)
          classifiedFrames: classified,
        };
      }
      if (values.peer) {
        const { loadPeer } = await import('../../infer/peer.js');
        const peer = await loadPeer();
        for (let i = 0; i < 3; i++) await peer.detect(at(i));
        let peerFaces = 0;
        const pc0 = process.cpuUsage();
        const p0 = performance.now();
        for (let i = 0; i < peerN; i++) peerFaces += (await peer.detect(at(i))).length;
        const peerFps = peerN / ((performance.now() - p0) / 1000);
        const pc = process.cpuUsage(pc0);
        const peerCpuMsPerFrame = (pc.user + pc.system) / 1000 / peerN;
        Object.assign(out, { peer: '@vladmandic/face-api tinyFaceDetector(224)+faceExpressionNet', peerBackend: peer.backend, peerFrames: peerN, peerFacesPerFrame: r2(peerFaces / peerN), peerFps: r2(peerFps), ratio: r2(fps / peerFps), peerCpuMsPerFrame: r2(peerCpuMsPerFrame), cpuRatio: r2(peerCpuMsPerFrame / ((cpu.user + cpu.system) / 1000 / n)) });
        out.rssMb = Math.round(process.memoryUsage().rss / 1048576);
      }
      io.out(JSON.stringify(out));
    } finally {
      await detector.close();
    }
    return EXIT.OK;
  },
};
