// The REST API and status page (fastify). GETs are open; every POST needs the bearer
// token; the camera snapshot needs the token too (bearer, basic or a session cookie).
import type { RestartVerdict } from '../ops/restart-limit.js';
import { readFileSync } from 'node:fs';
import Fastify, { type FastifyError, type FastifyInstance, type FastifyReply, type FastifyRequest } from 'fastify';
import rateLimit from '@fastify/rate-limit';
import swagger from '@fastify/swagger';
import swaggerUi from '@fastify/swagger-ui';
import { Ajv, type ValidateFunction } from 'ajv';
import type { FrozenConfig } from '../config/schema.js';
import { configJsonSchema } from '../config/schema.js';
import { redactConfig } from '../config/load.js';
import { EXIT, PokerfaceError, isPokerfaceError, type ErrorCode } from '../errors.js';
import type { Logger } from '../log.js';
import { BUTTONS, type ButtonName, type Clock, type Lifecycle, type ModuleHealth, type Off } from '../types.js';
import { basicPasswordOf, bearerOf, checkBearer, cookieValue, SESSION_COOKIE, Sessions, tokenMatches } from './auth.js';
import { describeAjv, runCommand, type CommandOutcome } from './commands.js';
import { eventPayload, scorePayload, statePayload } from './convert.js';
import { healthReport } from './health.js';
import { Metrics } from './metrics.js';
import { LatestThrottle } from './queue.js';
import { systemTimers, type Timers } from '../timers.js';
import * as S from './rest-schemas.js';
import type { StaffServices } from './services.js';
import { Snapshotter } from './snapshot.js';
import { SseHub } from './sse.js';
import { nodeProcessInfo, safe, statsPayload, type ProcessInfo } from './stats.js';
import { STATUS_PAGE_CSP, statusPageHtml } from './status-page.js';

export interface RestServerOptions {
  config: FrozenConfig;
  log: Logger;
  clock: Clock;
  services: StaffServices;
  requestExit: (code: number, reason: string) => void;
  /** the restart limit shared with MQTT (absent: no limit) */
  restartLimiter?: { request(): RestartVerdict } | undefined;
  version?: string;
  timers?: Timers;
  proc?: ProcessInfo;
}

const STATUS_OF: Partial<Record<string, number>> = {
  POKERFACE_ERR_API_UNAUTHORIZED: 401,
  POKERFACE_ERR_API_FORBIDDEN: 403,
  POKERFACE_ERR_API_BAD_REQUEST: 400,
  POKERFACE_ERR_API_BAD_JSON: 400,
  POKERFACE_ERR_UNKNOWN_BUTTON: 400,
  POKERFACE_ERR_MQTT_BAD_REQUEST: 400,
  POKERFACE_ERR_API_NOT_FOUND: 404,
  POKERFACE_ERR_SNAPSHOT_DISABLED: 404,
  POKERFACE_ERR_GAME_STATE: 409,
  POKERFACE_ERR_API_BODY_TOO_LARGE: 413,
  POKERFACE_ERR_API_RATE_LIMITED: 429,
  POKERFACE_ERR_RESTART_TOO_SOON: 429,
  POKERFACE_ERR_API_UNAVAILABLE: 503,
  POKERFACE_ERR_SNAPSHOT_NO_FRAME: 503,
  POKERFACE_ERR_MEDIA_EMPTY: 409,
};

const err = (code: ErrorCode, detail?: string): PokerfaceError => new PokerfaceError(code, detail);

export class RestServer implements Lifecycle {
  readonly name = 'api';
  private app: FastifyInstance | null = null;
  private readonly sse: SseHub;
  private readonly sessions: Sessions;
  private readonly snap: Snapshotter;
  private readonly metrics: Metrics;
  private readonly score: LatestThrottle<Parameters<typeof scorePayload>[0]>;
  private readonly timers: Timers;
  private offs: Off[] = [];
  private listening = false;

  constructor(private readonly o: RestServerOptions) {
    this.timers = o.timers ?? systemTimers;
    this.sse = new SseHub(32, this.timers);
    this.sessions = new Sessions(o.config.api.sessionTtlS * 1000, () => o.clock.now());
    this.snap = new Snapshotter(this.timers);
    this.metrics = new Metrics(o.services, o.proc ?? nodeProcessInfo);
    this.score = new LatestThrottle(1000 / o.config.api.scoreHz, () => o.clock.now(), this.timers, (s) =>
      this.sse.send('score', scorePayload(s, o.clock)),
    );
  }

  /** Build the app and its routes without listening (tests use inject()). */
  async build(): Promise<FastifyInstance> {
    if (this.app) return this.app;
    const { config } = this.o;
    const app = Fastify({
      logger: false,
      bodyLimit: config.api.bodyLimit,
      forceCloseConnections: true,
      return503OnClosing: true,
      routerOptions: { ignoreTrailingSlash: true },
    });
    this.app = app;
    this.installValidation(app);
    this.installErrors(app);
    await app.register(rateLimit, {
      global: false,
      errorResponseBuilder: (_req, ctx) => ({ statusCode: 429, code: 'POKERFACE_ERR_API_RATE_LIMITED', message: `too many requests; retry in ${ctx.after}` }),
    });
    await app.register(swagger, {
      openapi: {
        info: { title: 'pokerface staff API', version: this.version() },
        components: { securitySchemes: { bearer: { type: 'http', scheme: 'bearer' } } },
      },
    });
    await app.register(swaggerUi, { routePrefix: '/api/docs' });
    this.routes(app);
    this.attach();
    await app.ready();
    return app;
  }

  async start(): Promise<void> {
    const app = await this.build();
    const { host, port } = this.o.config.api;
    try {
      await app.listen({ host, port });
    } catch (e) {
      await this.stop();
      throw new PokerfaceError('POKERFACE_ERR_API_LISTEN', `${host}:${port}: ${(e as Error).message}`, { cause: e });
    }
    this.listening = true;
    this.o.log.info({ url: this.url() }, 'REST API listening');
    if (!tokenSet(this.o.config)) this.o.log.warn('api.token is empty: POST routes answer 403 (set POKERFACE_API_TOKEN)');
  }

  async stop(): Promise<void> {
    for (const off of this.offs.splice(0)) safe(off);
    this.score.cancel();
    this.snap.detach();
    this.metrics.stop();
    this.sse.closeAll();
    const app = this.app;
    this.app = null;
    this.listening = false;
    if (app) await app.close();
  }

  health(): ModuleHealth {
    return { name: this.name, healthy: this.listening, reasons: this.listening ? [] : ['REST API is not listening'] };
  }

  /** http://host:port of the listening server */
  url(): string {
    const a = this.app?.server.address();
    if (!a || typeof a === 'string') return '';
    const host = a.family === 'IPv6' ? `[${a.address}]` : a.address;
    return `http://${host}:${a.port}`;
  }

  // ------------------------------------------------------------------ wiring

  private attach(): void {
    const { services: svc, clock } = this.o;
    const booth = svc.booth;
    if (booth) {
      this.offs.push(
        booth.onState((s) => this.sse.send('state', statePayload(s, clock))),
        booth.onScore((s) => this.score.push(s)),
        booth.onEvent((e) => this.sse.send('event', eventPayload(e, clock))),
        booth.onResult((r) => this.sse.send('result', r)),
      );
    }
    const fs = svc.frameSource;
    if (this.o.config.api.snapshot && fs) this.snap.attach(fs);
    this.metrics.start();
  }

  private version(): string {
    return this.o.version ?? packageVersion();
  }

  private installValidation(app: FastifyInstance): void {
    // Bodies are checked strictly (no coercion, unknown fields rejected); query strings and
    // path parameters arrive as text, so those are coerced.
    const strict = new Ajv({ allErrors: false, strict: false, coerceTypes: false, useDefaults: true, removeAdditional: false });
    const lenient = new Ajv({ allErrors: false, strict: false, coerceTypes: true, useDefaults: true, removeAdditional: false });
    app.setValidatorCompiler<ValidateFunction>(({ schema, httpPart }) => (httpPart === 'body' ? strict : lenient).compile(schema));
    app.setSchemaErrorFormatter((errors, dataVar) => err('POKERFACE_ERR_API_BAD_REQUEST', describeAjv(errors as never, dataVar)));
  }

  private installErrors(app: FastifyInstance): void {
    app.setErrorHandler((e: FastifyError | PokerfaceError | { statusCode?: number; code?: string; message?: string }, req, reply) => {
      const code = (e as { code?: string }).code ?? '';
      let status = 500;
      let out: { code: string; message: string };
      if (isPokerfaceError(e)) {
        status = STATUS_OF[e.code] ?? 500;
        out = { code: e.code, message: e.message };
      } else if (code === 'FST_ERR_CTP_BODY_TOO_LARGE') {
        status = 413;
        out = { code: 'POKERFACE_ERR_API_BODY_TOO_LARGE', message: `request body is larger than ${this.o.config.api.bodyLimit} bytes` };
      } else if (code === 'FST_ERR_CTP_INVALID_JSON_BODY' || code === 'FST_ERR_CTP_EMPTY_JSON_BODY') {
        status = 400;
        out = { code: 'POKERFACE_ERR_API_BAD_JSON', message: `request body is not valid JSON: ${(e as Error).message}` };
      } else if (code === 'FST_ERR_CTP_INVALID_MEDIA_TYPE') {
        status = 415;
        out = { code: 'POKERFACE_ERR_API_BAD_REQUEST', message: 'send JSON (content-type: application/json) or no body' };
      } else if (code.startsWith('POKERFACE_ERR_')) {
        status = (e as { statusCode?: number }).statusCode ?? STATUS_OF[code] ?? 500;
        out = { code, message: (e as { message?: string }).message ?? code };
      } else if (typeof (e as { statusCode?: number }).statusCode === 'number' && ((e as { statusCode: number }).statusCode) < 500) {
        status = (e as { statusCode: number }).statusCode;
        out = { code: 'POKERFACE_ERR_API_BAD_REQUEST', message: (e as Error).message };
      } else {
        this.o.log.error({ err: e, url: req.url }, 'REST handler failed');
        out = { code: 'POKERFACE_ERR_API_INTERNAL', message: 'internal error' };
      }
      if (status === 401 && !reply.hasHeader('www-authenticate')) void reply.header('www-authenticate', 'Bearer realm="pokerface"');
      void reply.code(status).type('application/json; charset=utf-8').send(out);
    });
    app.setNotFoundHandler((req, reply) => {
      void reply.code(404).send({ code: 'POKERFACE_ERR_API_NOT_FOUND', message: `no route ${req.method} ${req.url.split('?')[0]}` });
    });
  }

  // ------------------------------------------------------------------ auth

  /** onRequest hook of every POST */
  private readonly requireToken = async (req: FastifyRequest): Promise<void> => {
    const r = checkBearer(req.headers.authorization, this.o.config.api.token);
    if (r === 'disabled') throw err('POKERFACE_ERR_API_FORBIDDEN');
    if (r === 'missing') throw err('POKERFACE_ERR_API_UNAUTHORIZED', 'send Authorization: Bearer <token>');
    if (r === 'wrong') throw err('POKERFACE_ERR_API_UNAUTHORIZED');
  };

  /** bearer, basic (password = token) or the session cookie */
  private snapshotAuthorized(req: FastifyRequest): boolean {
    const token = this.o.config.api.token;
    if (token === '') return false;
    const h = req.headers.authorization;
    const given = bearerOf(h) ?? basicPasswordOf(h);
    if (given !== null) return tokenMatches(given, token);
    return this.sessions.valid(cookieValue(req.headers.cookie, SESSION_COOKIE));
  }

  // ------------------------------------------------------------------ routes

  private routes(app: FastifyInstance): void {
    const { config, services: svc, clock } = this.o;
    const errors = { 400: S.ErrorBody, 401: S.ErrorBody, 403: S.ErrorBody, 404: S.ErrorBody, 409: S.ErrorBody, 413: S.ErrorBody, 429: S.ErrorBody, 503: S.ErrorBody };
    // auth runs first (onRequest), so an unauthenticated body is never parsed or validated
    const post = {
      onRequest: this.requireToken,
      config: { rateLimit: { max: config.api.rateLimitPerMinute, timeWindow: 60_000 } },
    };
    const secured = { security: [{ bearer: [] }] };

    app.get('/', { schema: { hide: true } }, async (_req, reply) => {
      return reply
        .header('content-security-policy', STATUS_PAGE_CSP)
        .header('cache-control', 'no-store')
        .type('text/html; charset=utf-8')
        .send(statusPageHtml(config.boothId));
    });

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
        version: this.version(),
        state: state ? statePayload(state, clock) : null,
        score: score ? scorePayload(score, clock) : null,
        levels: config.game.levels.map((l) => ({ threshold: l.threshold, holdMs: l.holdMs })),
        provider: safe(() => svc.detector?.stats().provider) ?? null,
        healthy: h.healthy,
        reasons: h.reasons,
        snapshot: config.api.snapshot,
        mqtt: m ? { connected: m.connected, queued: m.queued, dropped: m.dropped } : null,
      };
    });

    app.get('/api/stats', { schema: { response: { 200: S.StatsBody } } }, async () => statsPayload(svc, this.o.proc ?? nodeProcessInfo));

    app.get('/api/metrics', { schema: { summary: 'Prometheus text format' } }, async (_req, reply) => {
      const text = await this.metrics.text();
      return reply.type(this.metrics.contentType).send(text);
    });

    app.get('/api/config', { schema: { summary: 'the running configuration, secrets redacted', response: { 200: S.AnyObject } } }, async () => redactConfig(config));

    app.get('/api/config/schema.json', { schema: { summary: 'JSON Schema of the configuration', response: { 200: S.AnyObject } } }, async () => configJsonSchema());

    app.get('/api/version', { schema: { response: { 200: S.VersionBody } } }, async () => ({
      name: 'pokerface',
      version: this.version(),
      node: process.version,
      payloadVersion: 1 as const,
    }));

    app.get(
      '/api/results',
      { schema: { querystring: S.ResultsQuery, response: { 200: S.ResultsBody, ...errors } } },
      async (req) => {
        const results = svc.results;
        if (!results) throw err('POKERFACE_ERR_API_UNAVAILABLE', 'the results log is not running');
        const q = req.query as { limit?: number; sinceDays?: number };
        return { recent: results.recent(q.limit ?? 20), totals: results.totals(q.sinceDays ? { sinceDays: q.sinceDays } : {}) };
      },
    );

    app.get('/api/events', { schema: { summary: 'server-sent events: state, score, event, result' } }, async (req, reply) => {
      // HEAD: the headers only; a stream would never send them (no body) and hold a slot
      if (req.method === 'HEAD') return reply.code(200).header('cache-control', 'no-store').type('text/event-stream; charset=utf-8').send();
      const booth = svc.booth;
      const initial: Array<[string, unknown]> = [];
      const st = booth ? safe(() => booth.state()) : undefined;
      if (st) initial.push(['state', statePayload(st, clock)]);
      reply.hijack();
      if (!this.sse.add(reply.raw, initial)) {
        reply.raw.writeHead(503, { 'content-type': 'application/json' });
        reply.raw.end(JSON.stringify({ code: 'POKERFACE_ERR_API_UNAVAILABLE', message: 'too many event streams' }));
      }
    });

    app.get('/api/snapshot.jpg', { schema: { summary: 'camera frame with face boxes (api.snapshot, token required)', ...secured } }, async (req, reply) => {
      if (!config.api.snapshot) throw err('POKERFACE_ERR_SNAPSHOT_DISABLED');
      if (config.api.token === '') throw err('POKERFACE_ERR_API_FORBIDDEN');
      if (!this.snapshotAuthorized(req)) {
        // a person opening the URL gets the browser's login prompt; the status page (which
        // asks for the token itself) must not, or the browser would hold its fetch on a dialog
        if (req.headers['x-pokerface-page'] === undefined) void reply.header('www-authenticate', 'Basic realm="pokerface", charset="UTF-8"');
        throw err('POKERFACE_ERR_API_UNAUTHORIZED', 'send the token as bearer, as the basic-auth password, or get a session (POST /api/session)');
      }
      if (!svc.frameSource) throw err('POKERFACE_ERR_API_UNAVAILABLE', 'capture is not running');
      const faces = safe(() => svc.booth?.lastFaces()) ?? null;
      const jpeg = await this.snap.jpeg(faces);
      return reply.type('image/jpeg').header('cache-control', 'no-store').send(jpeg);
    });

    app.post(
      '/api/session',
      { ...post, schema: { summary: 'exchange the token for a session cookie (for the snapshot in a browser)', ...secured, response: { 200: S.OkBody, ...errors } } },
      async (_req, reply) => {
        const id = this.sessions.create();
        void reply.header('set-cookie', `${SESSION_COOKIE}=${id}; Path=/api; HttpOnly; SameSite=Strict; Max-Age=${config.api.sessionTtlS}`);
        return { ok: true as const };
      },
    );

    app.post(
      '/api/restart',
      { ...post, schema: { summary: 'stop cleanly and exit 75 so systemd restarts the daemon', ...secured, response: { 202: S.OkBody, ...errors } } },
      async (req, reply) => {
        const verdict = this.o.restartLimiter?.request() ?? { ok: true as const };
        if (!verdict.ok) {
          this.o.log.warn({ ip: req.ip, code: verdict.error.code }, `restart refused: ${verdict.error.message}`);
          void reply.header('retry-after', String(verdict.retryAfterS));
          throw verdict.error;
        }
        this.o.log.warn({ ip: req.ip }, 'restart requested via REST');
        void reply.then(
          () => this.o.requestExit(EXIT.TEMPFAIL, 'restart requested via REST'),
          () => this.o.requestExit(EXIT.TEMPFAIL, 'restart requested via REST'),
        );
        return reply.code(202).send({ ok: true as const, message: 'restarting' });
      },
    );

    const command = (reply: FastifyReply, out: CommandOutcome): FastifyReply => {
      const r = out.response;
      if (!r.ok) throw new PokerfaceError((r.code ?? 'POKERFACE_ERR_API_INTERNAL') as ErrorCode, r.message);
      return reply.code(200).send({ ok: true as const });
    };
    const limiter = this.o.restartLimiter;
    const deps = { booth: () => svc.booth, requestExit: this.o.requestExit, ...(limiter ? { restart: () => limiter.request() } : {}) };

    app.post(
      '/api/game/start',
      {
        ...post,
        preValidation: async (req: FastifyRequest) => {
          req.body ??= {};
        },
        schema: { summary: 'start a round (optionally choosing mode and level)', ...secured, body: S.StartBody, response: { 200: S.OkBody, ...errors } },
      },
      async (req, reply) => command(reply, runCommand('start', req.body ?? {}, deps)),
    );

    app.post(
      '/api/game/stop',
      { ...post, schema: { summary: 'back to attract (a running round is aborted)', ...secured, response: { 200: S.OkBody, ...errors } } },
      async (_req, reply) => command(reply, runCommand('stop', {}, deps)),
    );

    app.post(
      '/api/buttons/:name',
      { ...post, schema: { summary: `a virtual press of ${BUTTONS.join(', ')}`, ...secured, params: S.ButtonParams, response: { 200: S.OkBody, ...errors } } },
      async (req, reply) => {
        const { name } = req.params as { name: string };
        if (!(BUTTONS as readonly string[]).includes(name)) throw err('POKERFACE_ERR_UNKNOWN_BUTTON', `"${name.slice(0, 32)}"; known: ${BUTTONS.join(', ')}`);
        return command(reply, runCommand('button', { name: name as ButtonName }, deps));
      },
    );
  }
}

function tokenSet(c: FrozenConfig): boolean {
  return c.api.token !== '';
}

let cachedVersion: string | null = null;
export function packageVersion(): string {
  if (cachedVersion === null) {
    try {
      cachedVersion = (JSON.parse(readFileSync(new URL('../../package.json', import.meta.url), 'utf8')) as { version: string }).version;
    } catch {
      cachedVersion = '0.0.0';
    }
  }
  return cachedVersion;
}
