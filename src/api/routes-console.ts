// The staff console's routes: the page and its assets (GET /, /console/*), and the reads
// it needs, which scripts may use too (GET /api/system, /api/clips, /api/results.csv).
// The controls use the existing POST routes; nothing here changes state.
import { readFile } from 'node:fs/promises';
import { createRequire } from 'node:module';
import type { Static } from '@sinclair/typebox';
import type { FastifyInstance, onRequestHookHandler } from 'fastify';
import type { FrozenConfig } from '../config/schema.js';
import { PokerfaceError } from '../errors.js';
import type { Clock, Off } from '../types.js';
import { brokerLabel, clipTable, LagWindow, resultsCsv } from './console-data.js';
import * as C from './console-schemas.js';
import { CONSOLE_SCRIPT } from './console-script.js';
import { healthReport } from './health.js';
import { LoopLagSampler, type LoopLag } from './loop-lag.js';
import type { StaffMedia, StaffServices } from './services.js';
import { droppedFrames, safe, type ProcessInfo } from './stats.js';
import { CONSOLE_STYLE, STATUS_PAGE_CSP, statusPageHtml } from './status-page.js';
import { ErrorBody } from './rest-schemas.js';

export interface StaffConsoleOptions {
  config: FrozenConfig;
  services: StaffServices;
  clock: Clock;
  proc: ProcessInfo;
  /** the shared event-loop lag sampler (the metrics read the same one); default: one of its own */
  loopLag?: LoopLag;
  /** loads a vendored file (default: from node_modules); tests hand in their own */
  readAsset?: (specifier: string) => Promise<Buffer>;
}

/** rounds the per-clip figures and the CSV are computed from (the results log's read cap) */
const RESULT_ROWS = 10_000;
const LAG_SAMPLES = 500; // 10 s of the sampler's 20 ms ticks
/** the clip table is recomputed after a round ends, when the library changes, or after this long */
const CLIPS_TTL_MS = 300_000;

const ASSETS: Record<string, { specifier: string; type: string }> = {
  'uplot.js': { specifier: 'uplot/dist/uPlot.iife.min.js', type: 'text/javascript; charset=utf-8' },
  'uplot.css': { specifier: 'uplot/dist/uPlot.min.css', type: 'text/css; charset=utf-8' },
};

const defaultReadAsset = (specifier: string): Promise<Buffer> => readFile(createRequire(import.meta.url).resolve(specifier));

export class StaffConsole {
  private readonly lag = new LagWindow(LAG_SAMPLES);
  private readonly sampler: LoopLag;
  private offLag: Off | null = null;
  private readonly cache = new Map<string, Promise<Buffer>>();
  private clipsCache: { key: string; at: number; body: Static<typeof C.ClipsBody> } | null = null;
  private offResult: Off | null = null;

  constructor(private readonly o: StaffConsoleOptions) {
    this.sampler = o.loopLag ?? new LoopLagSampler();
  }

  start(): void {
    this.offLag ??= this.sampler.onLag((ms) => this.lag.observe(ms));
    // reading the results log costs a scan of its newest rows: do it once per finished
    // round (between rounds), not on every page's poll
    const booth = this.o.services.booth;
    if (booth && !this.offResult) {
      this.offResult = booth.onResult(() => {
        this.clipsCache = null;
      });
    }
  }

  stop(): void {
    if (this.offLag) safe(this.offLag);
    this.offLag = null;
    if (this.offResult) safe(this.offResult);
    this.offResult = null;
    this.clipsCache = null;
  }

  /** `read`: the route options that guard reads of results when api.publicRead is false */
  routes(app: FastifyInstance, read: { onRequest?: onRequestHookHandler } = {}): void {
    const { config } = this.o;
    const page = statusPageHtml(config.boothId);

    app.get('/', { schema: { hide: true } }, async (_req, reply) =>
      reply.header('content-security-policy', STATUS_PAGE_CSP).header('cache-control', 'no-store').type('text/html; charset=utf-8').send(page),
    );

    // the page's own script and style change with the daemon: revalidate; the vendored library may be cached
    app.get('/console/app.js', { schema: { hide: true } }, async (_req, reply) =>
      reply.header('cache-control', 'no-cache').header('x-content-type-options', 'nosniff').type('text/javascript; charset=utf-8').send(CONSOLE_SCRIPT),
    );
    app.get('/console/app.css', { schema: { hide: true } }, async (_req, reply) =>
      reply.header('cache-control', 'no-cache').header('x-content-type-options', 'nosniff').type('text/css; charset=utf-8').send(CONSOLE_STYLE),
    );
    app.get('/console/:file', { schema: { hide: true } }, async (req, reply) => {
      const { file } = req.params as { file: string };
      const a = Object.hasOwn(ASSETS, file) ? ASSETS[file] : undefined;
      if (!a) throw new PokerfaceError('POKERFACE_ERR_API_NOT_FOUND', `no console file ${file.slice(0, 40)}`);
      const body = await this.asset(a.specifier);
      return reply.header('cache-control', 'max-age=3600').header('x-content-type-options', 'nosniff').type(a.type).send(body);
    });

    app.get(
      '/api/system',
      { schema: { summary: 'what the console shows under System: camera, inference, event-loop lag, memory, uptime, MQTT, health components', response: { 200: C.SystemBody } } },
      async () => this.system(),
    );

    app.get(
      '/api/clips',
      {
        ...read,
        schema: {
          summary: 'the media library per mode and level with per-clip figures from the results log, and the clips that fail',
          response: { 200: C.ClipsBody },
        },
      },
      async () => this.clips(),
    );

    app.get(
      '/api/results.csv',
      {
        ...read,
        schema: {
          summary: 'the results log as CSV (newest first, at most 10000 rounds; times in UTC)',
          querystring: C.CsvQuery,
          produces: ['text/csv'],
          response: { 200: { type: 'string', description: 'text/csv' }, 503: ErrorBody },
        },
      },
      async (req, reply) => {
        const results = this.o.services.results;
        if (!results) throw new PokerfaceError('POKERFACE_ERR_API_UNAVAILABLE', 'the results log is not running');
        const q = req.query as { sinceDays?: number };
        const cutoff = q.sinceDays ? this.o.clock.wall() - q.sinceDays * 86_400_000 : -Infinity;
        const rows = results.recent(RESULT_ROWS).filter((r) => r.endedAt >= cutoff);
        return reply
          .type('text/csv; charset=utf-8')
          .header('content-disposition', `attachment; filename="pokerface-${config.boothId.replace(/[^A-Za-z0-9_-]/g, '_')}-results.csv"`)
          .header('cache-control', 'no-store')
          .send(resultsCsv(rows, this.mediaRoot()));
      },
    );
  }

  private asset(specifier: string): Promise<Buffer> {
    let p = this.cache.get(specifier);
    if (!p) {
      p = (this.o.readAsset ?? defaultReadAsset)(specifier).catch((e: unknown) => {
        this.cache.delete(specifier);
        throw new PokerfaceError('POKERFACE_ERR_API_UNAVAILABLE', `${specifier} is missing (npm install): ${(e as Error).message}`);
      });
      this.cache.set(specifier, p);
    }
    return p;
  }

  private mediaRoot(): string {
    return safe(() => this.o.services.media?.root) ?? this.o.config.player.mediaDir;
  }

  system(): Static<typeof C.SystemBody> {
    const { services: svc, config, proc } = this.o;
    const cam = safe(() => svc.frameSource?.stats());
    const inf = safe(() => svc.detector?.stats());
    const m = config.mqtt.enabled ? safe(() => svc.mqtt?.status()) : undefined;
    const h = healthReport(svc, config);
    const r1 = (x: number): number => Math.round(x * 10) / 10;
    return {
      v: 1 as const,
      time: this.o.clock.wall(),
      uptimeS: Math.round(proc.uptimeS()),
      rssMb: r1(proc.rssBytes() / 1048576),
      loopLagMs: this.lag.summary(),
      camera: cam ? { state: cam.state, fps: r1(cam.fps), dropped: droppedFrames(svc, cam.dropped), reconnects: cam.reconnects } : null,
      infer: inf ? { provider: inf.provider, msP50: r1(inf.msP50), msP95: r1(inf.msP95), frames: inf.frames } : null,
      mqtt: config.mqtt.enabled
        ? {
            broker: brokerLabel(config.mqtt.url, config.mqtt.embeddedHost, config.mqtt.embeddedPort),
            connected: m?.connected ?? false,
            queued: m?.queued ?? 0,
            dropped: m?.dropped ?? 0,
            reconnects: m?.reconnects ?? 0,
          }
        : null,
      healthy: h.healthy,
      components: h.components,
    };
  }

  clips(): Static<typeof C.ClipsBody> {
    const { services: svc, clock } = this.o;
    const media = svc.media;
    const summary = media ? safe(() => media.summary()) : undefined;
    const key = `${media !== undefined}/${svc.results !== undefined}/${summary?.total}/${summary?.skipped.length}/${summary?.empty.join(',')}`;
    const c = this.clipsCache;
    if (c && c.key === key && clock.now() - c.at < CLIPS_TTL_MS) return c.body;
    const body = this.computeClips(summary);
    this.clipsCache = { key, at: clock.now(), body };
    return body;
  }

  private computeClips(summary: ReturnType<StaffMedia['summary']> | undefined): Static<typeof C.ClipsBody> {
    const { services: svc, config } = this.o;
    const media = svc.media;
    const results = svc.results;
    const modes = Object.fromEntries(Object.entries(config.game.modes).map(([name, m]) => [name, m.media]));
    const rows = (results ? safe(() => results.recent(RESULT_ROWS)) : undefined) ?? [];
    const table = clipTable({
      root: this.mediaRoot(),
      modes,
      clips: (media ? safe(() => media.clips()) : undefined) ?? [],
      skipped: summary?.skipped ?? [],
      results: rows,
    });
    return {
      modes: Object.entries(config.game.modes).map(([name, m]) => ({ name, folder: m.media, targets: [...m.targets] })),
      levels: config.game.levels.map((l, i) => ({ level: i + 1, threshold: l.threshold, holdMs: l.holdMs })),
      media: media !== undefined,
      results: results !== undefined,
      roundsCounted: rows.length,
      empty: summary?.empty ?? [],
      ...table,
    };
  }
}
