// The POSTs that move the booth, each behind the bearer token and audited with the
// client IP: restart, game start and stop, virtual button presses.
import type { FastifyPluginAsync, FastifyReply, FastifyRequest } from 'fastify';
import { EXIT, PokerfaceError, type ErrorCode } from '../errors.js';
import type { Logger } from '../log.js';
import type { RestartVerdict } from '../ops/restart-limit.js';
import { BUTTONS, type ButtonName } from '../types.js';
import { audit } from './audit.js';
import { runCommand, type CommandOutcome } from './commands.js';
import type { RouteGuard } from './rest-guards.js';
import * as S from './rest-schemas.js';
import type { StaffServices } from './services.js';

export interface ControlRoutesOptions {
  services: StaffServices;
  log: Logger;
  post: RouteGuard;
  requestExit: (code: number, reason: string) => void;
  /** the restart limit shared with MQTT (absent: no limit) */
  restartLimiter?: { request(): RestartVerdict } | undefined;
}

export const controlRoutes: FastifyPluginAsync<ControlRoutesOptions> = async (app, o) => {
  const { services: svc, log, post } = o;

  app.post(
    '/api/restart',
    { ...post, schema: { summary: 'stop cleanly and exit 75 so systemd restarts the daemon', ...S.Secured, response: { 202: S.OkBody, ...S.ErrorResponses } } },
    async (req, reply) => {
      const verdict = o.restartLimiter?.request() ?? { ok: true as const };
      if (!verdict.ok) {
        log.warn({ ip: req.ip, code: verdict.error.code }, `restart refused: ${verdict.error.message}`);
        audit(log, { action: 'restart', via: 'rest', who: req.ip, ok: false, code: verdict.error.code });
        void reply.header('retry-after', String(verdict.retryAfterS));
        throw verdict.error;
      }
      audit(log, { action: 'restart', via: 'rest', who: req.ip, ok: true });
      void reply.then(
        () => o.requestExit(EXIT.TEMPFAIL, 'restart requested via REST'),
        () => o.requestExit(EXIT.TEMPFAIL, 'restart requested via REST'),
      );
      return reply.code(202).send({ ok: true as const, message: 'restarting' });
    },
  );

  const command = (req: FastifyRequest, action: string, reply: FastifyReply, out: CommandOutcome): FastifyReply => {
    const r = out.response;
    audit(log, { action, via: 'rest', who: req.ip, ok: r.ok, code: r.ok ? undefined : r.code });
    if (!r.ok) throw new PokerfaceError((r.code ?? 'POKERFACE_ERR_API_INTERNAL') as ErrorCode, r.message);
    return reply.code(200).send({ ok: true as const });
  };
  const limiter = o.restartLimiter;
  const deps = { booth: () => svc.booth, requestExit: o.requestExit, ...(limiter ? { restart: () => limiter.request() } : {}) };

  app.post(
    '/api/game/start',
    {
      ...post,
      preValidation: async (req: FastifyRequest) => {
        req.body ??= {};
      },
      schema: { summary: 'start a round (optionally choosing mode and level)', ...S.Secured, body: S.StartBody, response: { 200: S.OkBody, ...S.ErrorResponses } },
    },
    async (req, reply) => command(req, 'start', reply, runCommand('start', req.body ?? {}, deps)),
  );

  app.post(
    '/api/game/stop',
    { ...post, schema: { summary: 'back to attract (a running round is aborted)', ...S.Secured, response: { 200: S.OkBody, ...S.ErrorResponses } } },
    async (req, reply) => command(req, 'stop', reply, runCommand('stop', {}, deps)),
  );

  app.post(
    '/api/buttons/:name',
    { ...post, schema: { summary: `a virtual press of ${BUTTONS.join(', ')}`, ...S.Secured, params: S.ButtonParams, response: { 200: S.OkBody, ...S.ErrorResponses } } },
    async (req, reply) => {
      const { name } = req.params as { name: string };
      if (!(BUTTONS as readonly string[]).includes(name)) throw new PokerfaceError('POKERFACE_ERR_UNKNOWN_BUTTON', `"${name.slice(0, 32)}"; known: ${BUTTONS.join(', ')}`);
      return command(req, `button:${name}`, reply, runCommand('button', { name: name as ButtonName }, deps));
    },
  );
};
