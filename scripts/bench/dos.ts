// DoS bench for the staff interfaces: the built daemon (dist/) as a child process with a
// file camera on a video of a real face, a results log of 200 000 rounds, and 4 parallel
// unauthenticated client loops over every open GET (from 127.0.0.2, a stranger on the LAN)
// while staff (127.0.0.1) plays one round over REST and times GET /api/version.
// Prints, for each run, the event-loop lag p99 (the daemon's own 20 ms timer, from
// /api/metrics), /api/version p50/p95, the camera reconnects ("camera lost") and the
// round's outcome. A benchmark, not a test: it exits 0 whatever the figures.
//
//   npm run build && npm run bench:dos -- [--seconds 30] [--rows 200000] [--runs idle,default,lifted]
//
// Runs: "idle" plays the round with no load at all (the machine's own lag, for comparison);
// "default" uses the shipped per-IP limits (most of the load is answered 429);
// "lifted" raises requestsPerMinute to 1 000 000, so every request is really served and
// the figure shows what the reads themselves cost the booth.
import { rmSync } from 'node:fs';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { DaemonProcess, makeCamera, makeMedia, ports, requireBuilt, sleep, tempDir, writeLoadTargetConfig } from '../../test/e2e/harness.js';
import { hammer, makeResultsLog, timeGet } from '../../test/e2e/load.js';
import { buckets, diffBuckets, parseProm, quantile } from './soak/prom.js';

const { values } = parseArgs({
  options: {
    seconds: { type: 'string', default: '30' },
    rows: { type: 'string', default: '200000' },
    loops: { type: 'string', default: '4' },
    runs: { type: 'string', default: 'idle,default,lifted' },
  },
});
const SECONDS = Number(values.seconds);
const ROWS = Number(values.rows);
const LOOPS = Number(values.loops);

interface RunFigures {
  run: string;
  seconds: number;
  rows: number;
  loops: number;
  requests: number;
  byStatus: Record<string, number>;
  lagP99Ms: number | null;
  /** every lag sample was at most this (a histogram bucket bound) */
  lagMaxBucketMs: number | null;
  versionP50Ms: number | null;
  versionP95Ms: number | null;
  versionSamples: number;
  cameraReconnects: number;
  roundOutcome: string;
}

function pct(xs: number[], q: number): number | null {
  const s = xs.filter(Number.isFinite).sort((a, b) => a - b);
  if (s.length === 0) return null;
  return s[Math.min(s.length - 1, Math.floor(q * s.length))] as number;
}

async function oneRun(run: string, dir: string): Promise<RunFigures> {
  const runDir = join(dir, run);
  const resultsPath = join(runDir, 'results.sqlite');
  const { mkdirSync } = await import('node:fs');
  mkdirSync(runDir, { recursive: true });
  makeResultsLog(resultsPath, ROWS);
  const p = await ports();
  const cfg = writeLoadTargetConfig({
    dir: runDir,
    cameraFile: join(dir, 'neutral.mp4'),
    mediaDir: join(dir, 'media'),
    resultsPath,
    maxRows: 1_000_000,
    ports: p,
    api: run === 'lifted' ? { requestsPerMinute: 1_000_000 } : {},
  });
  const daemon = new DaemonProcess(cfg, p.api);
  daemon.start();
  try {
    await daemon.ready(120_000);
    await sleep(3000);
    const base = `http://127.0.0.1:${p.api}`;
    const metrics = async (): Promise<string> => String((await daemon.api('GET', '/api/metrics', undefined, null)).json);
    const reconnects = async (): Promise<number> => ((await daemon.api('GET', '/api/stats')).json as { camera: { reconnects: number } }).camera.reconnects;
    const m0 = parseProm(await metrics());
    const r0 = await reconnects();
    const until = Date.now() + SECONDS * 1000;
    const load = hammer(base, run === 'idle' ? 0 : LOOPS, until);
    const versions: number[] = [];
    const timing = (async () => {
      while (Date.now() < until) {
        versions.push((await timeGet(base, '/api/version')).ms);
        await sleep(250);
      }
    })();
    await sleep(1000);
    for (const b of ['funny', 'level1', 'start']) {
      await daemon.api('POST', `/api/buttons/${b}`, {});
      await sleep(150);
    }
    const [got] = await Promise.all([load, timing]);
    if (run === 'idle') await sleep(Math.max(0, until - Date.now()));
    // the round may end after the load: wait (bounded) for its result
    let outcome = 'undecided';
    for (let i = 0; i < 60 && outcome === 'undecided'; i++) {
      const recent = (await daemon.api('GET', '/api/results?limit=1', undefined, null)).json as { recent?: Array<{ id: string; outcome: string; reason?: string }> };
      const last = recent.recent?.[0];
      if (last && !last.id.startsWith('load-')) outcome = last.reason ? `${last.outcome} (${last.reason})` : last.outcome;
      else await sleep(500);
    }
    const m1 = parseProm(await metrics());
    // the histogram is in seconds (Prometheus base units); figures are printed in ms
    const toMs = (bs: ReturnType<typeof buckets>): ReturnType<typeof buckets> => bs.map((b) => ({ ...b, le: b.le * 1000 }));
    const lag = diffBuckets(toMs(buckets(m0, 'pokerface_event_loop_lag_seconds')), toMs(buckets(m1, 'pokerface_event_loop_lag_seconds')));
    const q = quantile(lag, 0.99);
    // the smallest bucket bound that holds every sample: the worst stall, to bucket precision
    const total = lag.at(-1)?.count ?? 0;
    const max = lag.find((b) => b.count >= total);
    return {
      run,
      seconds: SECONDS,
      rows: ROWS,
      loops: run === 'idle' ? 0 : LOOPS,
      requests: got.requests,
      byStatus: got.byStatus,
      lagP99Ms: q ? Math.round(q.value * 10) / 10 : null,
      lagMaxBucketMs: max ? max.le : null,
      versionP50Ms: pct(versions, 0.5),
      versionP95Ms: pct(versions, 0.95),
      versionSamples: versions.length,
      cameraReconnects: (await reconnects()) - r0,
      roundOutcome: outcome,
    };
  } finally {
    await daemon.stop();
  }
}

async function main(): Promise<void> {
  requireBuilt();
  const dir = tempDir('dos');
  try {
    await makeMedia(join(dir, 'media'), 8);
    await makeCamera(join(dir, 'neutral.mp4'), 12, 0);
    const out: RunFigures[] = [];
    for (const run of String(values.runs).split(',')) {
      const f = await oneRun(run, dir);
      out.push(f);
      const r = (x: number | null): string => (x === null ? 'n/a' : x.toFixed(1));
      process.stderr.write(
        `dos[${f.run}] ${f.seconds}s, ${f.loops} loops, ${f.rows} rows: ${f.requests} requests ${JSON.stringify(f.byStatus)}; ` +
          `event-loop lag p99 ${r(f.lagP99Ms)} ms (goal < 50); /api/version p50 ${r(f.versionP50Ms)} ms, p95 ${r(f.versionP95Ms)} ms (goal < 100, n=${f.versionSamples}); ` +
          `camera lost ${f.cameraReconnects}; round ${f.roundOutcome}\n`,
      );
    }
    process.stdout.write(`${JSON.stringify(out, null, 2)}\n`);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

await main();
