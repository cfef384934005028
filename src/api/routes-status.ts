// The reads of how the booth is: GET /api/health, /api/status, /api/stats (open), and
// /api/metrics (Prometheus; behind the read token with api.publicRead: false).
import type { FastifyPluginAsync } from 'fastify';
import type { FrozenConfig } from '../config/schema.js';
import type { Clock } from '../types.js';
import { scorePayload, statePayload, type PayloadContext } from './convert.js';
import { healthReport } from './health.js';
import type { Metrics } from './metrics.js';
import type { RouteGuard } from './rest-guards.js';
import * as S from './rest-schemas.js';
import type { StaffServices } from './services.js';
import { safe, statsPayload, type ProcessInfo } from './stats.js';

export interface StatusRoutesOptions {
  config: FrozenConfig;
  services: StaffServices;
  clock: Clock;
  ctx: PayloadContext;
  version: string;
  proc: ProcessInfo;
  metrics: Metrics;
  read: RouteGuard;
  /** a serialized body kept ttlMs, so a flood of costly reads costs one computation */
  cachedBody: (key: string, ttlMs: number, make: () => Promise<string> | string) => Promise<string>;
}

export const statusRoutes: FastifyPluginAsync<StatusRoutesOptions> = async (app, o) => {
  const { config, services: svc, clock, ctx } = o;

  app.get('/favicon.ico', { schema: { hide: true } }, async (_req, reply) => reply.code(204).header('cache-control', 'max-age=86400').send());

  app.get('/api/health', { schema: { summary: 'healthy only when capture, inference, player and MQTT are', response: { 200: S.HealthBody, 503: S.HealthBody } } }, async (_req, reply) => {
    const h = healthReport(svc, config);
    return reply.code(h.healthy ? 200 : 503).send(h);
  });

  app.get('/api/status', { schema: { response: { 200: S.StatusBody } } }, async () => {
    const booth = svc.booth;
    const state = booth ? safe(() => booth.state()) : undefined;
    const score = booth ? safe(() => booth.lastScore()) : undefined;
    const h = healthReport(svc, config);
    const m = safe(() => svc.mqtt?.status());
    return {
      boothId: config.boothId,
      version: o.version,
      state: state ? statePayload(state, clock, ctx) : null,
      score: score ? scorePayload(score, clock, ctx) : null,
      levels: config.game.levels.map((l) => ({ threshold: l.threshold, holdMs: l.holdMs })),
      provider: safe(() => svc.detector?.stats().provider) ?? null,
      healthy: h.healthy,
      reasons: h.reasons,
      snapshot: config.api.snapshot,
      mqtt: m ? { connected: m.connected, queued: m.queued, dropped: m.dropped } : null,
    };
  });

  app.get('/api/stats', { schema: { response: { 200: S.StatsBody } } }, async () => statsPayload(svc, o.proc));

  app.get('/api/metrics', { ...o.read, schema: { summary: 'Prometheus text format' } }, async (_req, reply) => {
    // collected at most once a second, however often it is asked (scrapers ask every 15 s)
    const text = await o.cachedBody('metrics', 1000, () => o.metrics.text());
    return reply.type(o.metrics.contentType).send(text);
  });
};
