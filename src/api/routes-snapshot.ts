// The camera snapshot (GET /api/snapshot.jpg, api.snapshot, token required) and the
// session cookie a browser can trade the token for to show it (POST /api/session).
import type { FastifyPluginAsync } from 'fastify';
import type { FrozenConfig } from '../config/schema.js';
import { PokerfaceError } from '../errors.js';
import type { Logger } from '../log.js';
import { SESSION_COOKIE } from './auth.js';
import { audit } from './audit.js';
import type { RestGuards } from './rest-guards.js';
import * as S from './rest-schemas.js';
import type { StaffServices } from './services.js';
import type { Snapshotter } from './snapshot.js';
import { safe } from './stats.js';

export interface SnapshotRoutesOptions {
  config: FrozenConfig;
  services: StaffServices;
  log: Logger;
  guards: RestGuards;
  snap: Snapshotter;
}

export const snapshotRoutes: FastifyPluginAsync<SnapshotRoutesOptions> = async (app, o) => {
  const { config, services: svc, guards } = o;

  app.get('/api/snapshot.jpg', { schema: { summary: 'camera frame with face boxes (api.snapshot, token required)', ...S.Secured } }, async (req, reply) => {
    if (!config.api.snapshot) throw new PokerfaceError('POKERFACE_ERR_SNAPSHOT_DISABLED');
    if (config.api.token === '') throw new PokerfaceError('POKERFACE_ERR_API_FORBIDDEN');
    if (!(await guards.snapshotAuthorized(req, reply))) {
      // a person opening the URL gets the browser's login prompt; the status page (which
      // asks for the token itself) must not, or the browser would hold its fetch on a dialog
      if (req.headers['x-pokerface-page'] === undefined) void reply.header('www-authenticate', 'Basic realm="pokerface", charset="UTF-8"');
      throw new PokerfaceError('POKERFACE_ERR_API_UNAUTHORIZED', 'send the token as bearer, as the basic-auth password, or get a session (POST /api/session)');
    }
    if (!svc.frameSource) throw new PokerfaceError('POKERFACE_ERR_API_UNAVAILABLE', 'capture is not running');
    const faces = safe(() => svc.booth?.lastFaces()) ?? null;
    const jpeg = await o.snap.jpeg(faces);
    return reply.type('image/jpeg').header('cache-control', 'no-store').send(jpeg);
  });

  app.post(
    '/api/session',
    { ...guards.post, schema: { summary: 'exchange the token for a session cookie (for the snapshot in a browser)', ...S.Secured, response: { 200: S.OkBody, ...S.ErrorResponses } } },
    async (req, reply) => {
      audit(o.log, { action: 'session', via: 'rest', who: req.ip, ok: true });
      const id = guards.sessions.create();
      void reply.header('set-cookie', `${SESSION_COOKIE}=${id}; Path=/api; HttpOnly; SameSite=Strict; Max-Age=${config.api.sessionTtlS}`);
      return { ok: true as const };
    },
  );
};
