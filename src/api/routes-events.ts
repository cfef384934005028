// GET /api/events: the server-sent event stream (state, score, event, result).
import type { FastifyPluginAsync } from 'fastify';
import type { Clock } from '../types.js';
import { statePayload, type PayloadContext } from './convert.js';
import type { StaffServices } from './services.js';
import type { SseHub } from './sse.js';
import { safe } from './stats.js';

export interface EventsRoutesOptions {
  services: StaffServices;
  clock: Clock;
  ctx: PayloadContext;
  sse: SseHub;
}

export const eventsRoutes: FastifyPluginAsync<EventsRoutesOptions> = async (app, o) => {
  app.get('/api/events', { schema: { summary: 'server-sent events: state, score, event, result' } }, async (req, reply) => {
    // HEAD: the headers only; a stream would never send them (no body) and hold a slot
    if (req.method === 'HEAD') return reply.code(200).header('cache-control', 'no-store').type('text/event-stream; charset=utf-8').send();
    const booth = o.services.booth;
    const initial: Array<[string, unknown]> = [];
    const st = booth ? safe(() => booth.state()) : undefined;
    if (st) initial.push(['state', statePayload(st, o.clock, o.ctx)]);
    reply.hijack();
    if (!o.sse.add(reply.raw, initial, req.ip)) {
      reply.raw.writeHead(503, { 'content-type': 'application/json' });
      reply.raw.end(JSON.stringify({ code: 'POKERFACE_ERR_API_UNAVAILABLE', message: 'too many event streams' }));
    }
  });
};
