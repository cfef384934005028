// GET /api/results: recent rounds and totals from the results log (behind the read token
// with api.publicRead: false).
import type { FastifyPluginAsync } from 'fastify';
import { PokerfaceError } from '../errors.js';
import { relativeClip, type PayloadContext } from './convert.js';
import type { RouteGuard } from './rest-guards.js';
import * as S from './rest-schemas.js';
import type { StaffServices } from './services.js';

/** the window of days /api/results totals cover unless the request says otherwise */
export const DEFAULT_RESULTS_DAYS = 30;

export interface ResultsRoutesOptions {
  services: StaffServices;
  ctx: PayloadContext;
  read: RouteGuard;
  /** a serialized body kept ttlMs, so a flood of costly reads costs one computation */
  cachedBody: (key: string, ttlMs: number, make: () => Promise<string> | string) => Promise<string>;
}

export const resultsRoutes: FastifyPluginAsync<ResultsRoutesOptions> = async (app, o) => {
  app.get(
    '/api/results',
    { ...o.read, schema: { querystring: S.ResultsQuery, response: { 200: S.ResultsBody, ...S.ErrorResponses } } },
    async (req, reply) => {
      const results = o.services.results;
      if (!results) throw new PokerfaceError('POKERFACE_ERR_API_UNAVAILABLE', 'the results log is not running');
      const q = req.query as { limit?: number; sinceDays?: number };
      const limit = q.limit ?? 20;
      const sinceDays = q.sinceDays ?? DEFAULT_RESULTS_DAYS;
      // bounded: a page of at most 500 rounds, totals over a window of days (default 30)
      // read from the summary the store keeps, so no request scans the whole log; the
      // answer is kept a second (a round takes far longer), so a flood costs one read a second
      const body = await o.cachedBody(`results?${limit}&${sinceDays}`, 1000, () =>
        JSON.stringify({ recent: results.recent(limit).map((r) => ({ ...r, clip: relativeClip(r.clip, o.ctx.mediaDir) ?? r.clip })), totals: results.totals({ sinceDays }) }),
      );
      return reply.type('application/json; charset=utf-8').send(body);
    },
  );
};
