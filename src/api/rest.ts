// The REST API and status page (fastify). GETs are open; every POST needs the bearer
// token; the camera snapshot needs the token too (bearer, basic or a session cookie).
import type { RestartVerdict } from '../ops/restart-limit.js';
import { readFileSync } from 'node:fs';
import { createServer as createHttpServer, type RequestListener, type Server, type ServerOptions } from 'node:http';
import { createServer as createHttpsServer } from 'node:https';
import Fastify, { type FastifyError, type FastifyInstance, type FastifyReply, type FastifyRequest } from 'fastify';
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
import { audit } from './audit.js';
import { configWarnings } from '../config/policy.js';
import { HostCheck, osHosts, type HostSource } from './hosts.js';
import { IpLimiter } from './limits.js';
import { redact } from '../redact.js';

/** content types of the console's own static files, never passed through redact() */
const STATIC_CODE = /^(text\/html|text\/css|text\/javascript|application\/javascript)\b/;
import { describeAjv, runCommand, type CommandOutcome } from './commands.js';
import { eventPayload, relativeClip, scorePayload, statePayload, type PayloadContext } from './convert.js';
import { healthReport } from './health.js';
import { Metrics } from './metrics.js';
import { LatestThrottle } from './queue.js';
import { systemTimers, type Timers } from '../timers.js';
import * as S from './rest-schemas.js';
import type { StaffServices } from './services.js';
import { Snapshotter } from './snapshot.js';
import { SseHub } from './sse.js';
import { nodeProcessInfo, safe, statsPayload, type ProcessInfo } from './stats.js';
import { StaffConsole } from './routes-console.js';

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
  /** the machine's hostname and addresses, for the Host check (tests hand in fixed ones) */
  hosts?: HostSource;
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
  POKERFACE_ERR_API_BAD_HOST: 421,
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
  /** every payload names the booth, and clips relative to the media folder (as on MQTT) */
  private readonly ctx: PayloadContext;
  private readonly timers: Timers;
  private readonly console: StaffConsole;
  private offs: Off[] = [];
  private listening = false;
  private readonly requests: IpLimiter;
  private readonly posts: IpLimiter;
  private readonly authFailures: IpLimiter;
  /** one log line per client IP and minute about failed authentication */
  private readonly failureLog: IpLimiter;
  private readonly hostCheck: HostCheck;
  /** serialized bodies of the costlier open reads, so a flood of them costs one computation a second */
  private readonly bodies = new Map<string, { until: number; body: string }>();

  constructor(private readonly o: RestServerOptions) {
    this.timers = o.timers ?? systemTimers;
    this.ctx = { boothId: o.config.boothId, mediaDir: o.config.player.mediaDir };
    const a = o.config.api;
    this.sse = new SseHub({ max: a.sseMax, perIp: a.ssePerIp, maxAgeMs: a.sseMaxAgeS * 1000 }, this.timers);
    const now = (): number => o.clock.now();
    this.requests = new IpLimiter(a.requestsPerMinute, 60_000, now);
    this.posts = new IpLimiter(a.rateLimitPerMinute, 60_000, now);
    this.authFailures = new IpLimiter(a.authFailuresPerMinute, 60_000, now);
    this.failureLog = new IpLimiter(1, 60_000, now);
    this.hostCheck = new HostCheck(a.allowedHosts, now, o.hosts ?? osHosts);
    this.sessions = new Sessions(o.config.api.sessionTtlS * 1000, () => o.clock.now());
    this.snap = new Snapshotter(this.timers);
    this.metrics = new Metrics(o.services, { version: o.version ?? packageVersion(), boothId: o.config.boothId });
    this.console = new StaffConsole({ config: o.config, services: o.services, clock: o.clock, proc: o.proc ?? nodeProcessInfo });
    this.score = new LatestThrottle(1000 / o.config.api.scoreHz, () => o.clock.now(), this.timers, (s) =>
      this.sse.send('score', scorePayload(s, o.clock, this.ctx)),
    );
  }

  /** Build the app and its routes without listening (tests use inject()). */
  async build(): Promise<FastifyInstance> {
    if (this.app) return this.app;
    const { config } = this.o;
    const serverFactory = this.serverFactory();
    const app = Fastify({
      logger: false,
      bodyLimit: config.api.bodyLimit,
      forceCloseConnections: true,
      return503OnClosing: true,
      routerOptions: { ignoreTrailingSlash: true },
      serverFactory: serverFactory,
      // behind a reverse proxy, req.ip is the client the proxy names, so per-IP limits stay per client
      ...(config.api.trustProxy.length > 0 ? { trustProxy: [...config.api.trustProxy] } : {}),
    }) as unknown as FastifyInstance;
    this.app = app;
    this.installValidation(app);
    this.installErrors(app);
    // the very first hook: a flood or a rebinding page costs one map lookup and a 429/421,
    // before routing, authentication, parsing or any handler runs
    app.addHook('onRequest', this.gate);
    // the net under every body: whatever a handler quotes (an error message holding a camera
    // URL, a clip name) leaves through the one redaction function. The console's HTML,
    // script and style are static code (their data comes from these JSON routes) and must
    // not be rewritten: `token = ...` in a script is code, not a secret.
    app.addHook('onSend', async (_req, reply, payload) => {
      if (typeof payload !== 'string') return payload;
      const type = reply.getHeader('content-type');
      return typeof type === 'string' && STATIC_CODE.test(type) ? payload : redact(payload);
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

  /**
   * The HTTP(S) server with every timeout set: a client dribbling a body or headers, or
   * holding idle connections, is cut off instead of holding a slot for ever.
   * connectionsCheckingInterval makes Node enforce requestTimeout within a second, not 30 s.
   */
  private serverFactory(): (handler: RequestListener) => Server {
    const a = this.o.config.api;
    const opts: ServerOptions = {
      requestTimeout: a.requestTimeoutMs,
      headersTimeout: Math.min(a.headersTimeoutMs, a.requestTimeoutMs),
      keepAliveTimeout: a.keepAliveTimeoutMs,
      connectionsCheckingInterval: 1000,
    };
    let tls: { cert: Buffer; key: Buffer } | null = null;
    if (a.tls.cert !== '' && a.tls.key !== '') {
      try {
        tls = { cert: readFileSync(a.tls.cert), key: readFileSync(a.tls.key) };
      } catch (e) {
        throw new PokerfaceError('POKERFACE_ERR_API_TLS', (e as Error).message, { cause: e });
      }
    }
    return (handler) => {
      const server: Server = tls ? (createHttpsServer({ ...opts, ...tls }, handler)) : createHttpServer(opts, handler);
      server.timeout = a.connectionTimeoutMs;
      server.maxConnections = a.maxConnections;
      return server;
    };
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
    for (const w of configWarnings(this.o.config)) this.o.log.warn(w);
  }

  async stop(): Promise<void> {
    for (const off of this.offs.splice(0)) safe(off);
    this.score.cancel();
    this.snap.detach();
    this.metrics.stop();
    this.console.stop();
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
    return `${this.o.config.api.tls.cert !== '' ? 'https' : 'http'}://${host}:${a.port}`;
  }

  // ------------------------------------------------------------------ wiring

  private attach(): void {
    const { services: svc, clock } = this.o;
    const booth = svc.booth;
    if (booth) {
      this.offs.push(
        booth.onState((s) => this.sse.send('state', statePayload(s, clock, this.ctx))),
        booth.onScore((s) => this.score.push(s)),
        booth.onEvent((e) => this.sse.send('event', eventPayload(e, clock, this.ctx))),
        booth.onResult((r) => {
          this.bodies.clear(); // a new round: cached results are stale
          this.sse.send('result', { ...r, clip: relativeClip(r.clip, this.ctx.mediaDir) ?? r.clip });
        }),
      );
    }
    const fs = svc.frameSource;
    if (this.o.config.api.snapshot && fs) this.snap.attach(fs);
    this.metrics.start();
    this.console.start();
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

  /**
   * A client over a limit waits up to a second for its 429 (a tarpit): a loop that waits
   * for each answer, as scripts and curl do, then sends a few requests a second instead of
   * thousands. maxConnections bounds how many can wait at once; each costs one timer.
   */
  private tarpit(retryAfterMs: number): Promise<void> {
    return new Promise((resolve) => void this.timers.setTimeout(resolve, Math.min(TARPIT_MS, Math.max(0, retryAfterMs))));
  }

  private async cachedBody(key: string, ttlMs: number, make: () => Promise<string> | string): Promise<string> {
    const t = this.o.clock.now();
    const hit = this.bodies.get(key);
    if (hit && hit.until > t) return hit.body;
    const body = await make();
    if (this.bodies.size >= 64) this.bodies.clear();
    this.bodies.set(key, { until: t + ttlMs, body });
    return body;
  }

  /** first onRequest hook of every route: Host check, then the per-IP request count */
  private readonly gate = async (req: FastifyRequest, reply: FastifyReply): Promise<void> => {
    const v = this.requests.hit(req.ip);
    if (!v.ok) {
      void reply.header('retry-after', String(Math.ceil(v.retryAfterMs / 1000)));
      await this.tarpit(v.retryAfterMs);
      throw err('POKERFACE_ERR_API_RATE_LIMITED', `more than ${this.o.config.api.requestsPerMinute} requests a minute from ${req.ip}`);
    }
    if (!this.hostCheck.allows(req.headers.host)) throw err('POKERFACE_ERR_API_BAD_HOST', `"${String(req.headers.host).slice(0, 64)}"; see api.allowedHosts`);
  };

  /** Before a credential is even looked at: a client that failed too often waits. */
  private async refuseGuesser(req: FastifyRequest, reply: FastifyReply): Promise<void> {
    const v = this.authFailures.over(req.ip);
    if (v.ok) return;
    void reply.header('retry-after', String(Math.ceil(v.retryAfterMs / 1000)));
    await this.tarpit(v.retryAfterMs);
    throw err('POKERFACE_ERR_API_RATE_LIMITED', `too many failed authentications from ${req.ip}`);
  }

  /** Count a presented-but-wrong credential; logged once a minute per client IP. */
  private authFailed(req: FastifyRequest, kind: 'bearer' | 'basic' | 'session' | 'read'): void {
    const v = this.authFailures.hit(req.ip);
    if (this.failureLog.hit(req.ip).ok) {
      this.o.log.warn({ ip: req.ip, kind, route: `${req.method} ${req.url.split('?')[0] ?? ''}`, failuresThisMinute: v.count }, 'REST authentication failed (further failures from this IP this minute are not logged)');
    }
  }

  /** onRequest hook of every POST: POST count, guess limit, then the token */
  private readonly requireToken = async (req: FastifyRequest, reply: FastifyReply): Promise<void> => {
    const p = this.posts.hit(req.ip);
    if (!p.ok) {
      void reply.header('retry-after', String(Math.ceil(p.retryAfterMs / 1000)));
      throw err('POKERFACE_ERR_API_RATE_LIMITED', `more than ${this.o.config.api.rateLimitPerMinute} POSTs a minute from ${req.ip}`);
    }
    await this.refuseGuesser(req, reply);
    const r = checkBearer(req.headers.authorization, this.o.config.api.token);
    if (r === 'disabled') throw err('POKERFACE_ERR_API_FORBIDDEN');
    if (r === 'missing') throw err('POKERFACE_ERR_API_UNAUTHORIZED', 'send Authorization: Bearer <token>');
    if (r === 'wrong') {
      this.authFailed(req, 'bearer');
      throw err('POKERFACE_ERR_API_UNAUTHORIZED');
    }
  };

  /** onRequest hook of the reads api.publicRead: false guards: the staff token or the read token */
  private readonly requireRead = async (req: FastifyRequest, reply: FastifyReply): Promise<void> => {
    const { token, readToken } = this.o.config.api;
    await this.refuseGuesser(req, reply);
    const given = bearerOf(req.headers.authorization);
    if (given === null) throw err('POKERFACE_ERR_API_UNAUTHORIZED', 'api.publicRead is false: send Authorization: Bearer <token>');
    if (tokenMatches(given, token) || tokenMatches(given, readToken)) return;
    this.authFailed(req, 'read');
    throw err('POKERFACE_ERR_API_UNAUTHORIZED');
  };

  /** bearer, basic (password = token) or the session cookie */
  private async snapshotAuthorized(req: FastifyRequest, reply: FastifyReply): Promise<boolean> {
    const token = this.o.config.api.token;
    if (token === '') return false;
    await this.refuseGuesser(req, reply);
    const h = req.headers.authorization;
    const bearer = bearerOf(h);
    const given = bearer ?? basicPasswordOf(h);
    if (given !== null) {
      if (tokenMatches(given, token)) return true;
      this.authFailed(req, bearer !== null ? 'bearer' : 'basic');
      return false;
    }
    const cookie = cookieValue(req.headers.cookie, SESSION_COOKIE);
    if (cookie === null) return false;
    if (this.sessions.valid(cookie)) return true;
    this.authFailed(req, 'session');
    return false;
  }

  // ------------------------------------------------------------------ routes

  private routes(app: FastifyInstance): void {
    const { config, services: svc, clock } = this.o;
    const errors = { 400: S.ErrorBody, 401: S.ErrorBody, 403: S.ErrorBody, 404: S.ErrorBody, 409: S.ErrorBody, 413: S.ErrorBody, 429: S.ErrorBody, 503: S.ErrorBody };
    // auth runs first (onRequest), so an unauthenticated body is never parsed or validated
    const post = { onRequest: this.requireToken };
    // config, results and metrics: open by default, behind a token with api.publicRead: false
    const read = config.api.publicRead ? {} : { onRequest: this.requireRead };
    const secured = { security: [{ bearer: [] }] };

    // GET / (the staff console), its assets, /api/system; /api/clips and /api/results.csv read results like /api/results
    this.console.routes(app, read);

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
        state: state ? statePayload(state, clock, this.ctx) : null,
        score: score ? scorePayload(score, clock, this.ctx) : null,
        levels: config.game.levels.map((l) => ({ threshold: l.threshold, holdMs: l.holdMs })),
        provider: safe(() => svc.detector?.stats().provider) ?? null,
        healthy: h.healthy,
        reasons: h.reasons,
        snapshot: config.api.snapshot,
        mqtt: m ? { connected: m.connected, queued: m.queued, dropped: m.dropped } : null,
      };
    });

    app.get('/api/stats', { schema: { response: { 200: S.StatsBody } } }, async () => statsPayload(svc, this.o.proc ?? nodeProcessInfo));

    app.get('/api/metrics', { ...read, schema: { summary: 'Prometheus text format' } }, async (_req, reply) => {
      // collected at most once a second, however often it is asked (scrapers ask every 15 s)
      const text = await this.cachedBody('metrics', 1000, () => this.metrics.text());
      return reply.type(this.metrics.contentType).send(text);
    });

    // the running config never changes: redacted once
    const publicConfig = redactConfig(config);
    app.get('/api/config', { ...read, schema: { summary: 'the running configuration, secrets redacted', response: { 200: S.AnyObject } } }, async () => publicConfig);

    const schemaText = JSON.stringify(configJsonSchema());
    app.get('/api/config/schema.json', { schema: { summary: 'JSON Schema of the configuration', response: { 200: S.AnyObject } } }, async (_req, reply) =>
      reply.type('application/json; charset=utf-8').send(schemaText),
    );

    app.get('/api/version', { schema: { response: { 200: S.VersionBody } } }, async () => ({
      name: 'pokerface',
      version: this.version(),
      node: process.version,
      payloadVersion: 1 as const,
    }));

    app.get(
      '/api/results',
      { ...read, schema: { querystring: S.ResultsQuery, response: { 200: S.ResultsBody, ...errors } } },
      async (req, reply) => {
        const results = svc.results;
        if (!results) throw err('POKERFACE_ERR_API_UNAVAILABLE', 'the results log is not running');
        const q = req.query as { limit?: number; sinceDays?: number };
        const limit = q.limit ?? 20;
        const sinceDays = q.sinceDays ?? DEFAULT_RESULTS_DAYS;
        // bounded: a page of at most 500 rounds, totals over a window of days (default 30)
        // read from the summary the store keeps, so no request scans the whole log; the
        // answer is kept a second (a round takes far longer), so a flood costs one read a second
        const body = await this.cachedBody(`results?${limit}&${sinceDays}`, 1000, () =>
          JSON.stringify({ recent: results.recent(limit).map((r) => ({ ...r, clip: relativeClip(r.clip, this.ctx.mediaDir) ?? r.clip })), totals: results.totals({ sinceDays }) }),
        );
        return reply.type('application/json; charset=utf-8').send(body);
      },
    );

    app.get('/api/events', { schema: { summary: 'server-sent events: state, score, event, result' } }, async (req, reply) => {
      // HEAD: the headers only; a stream would never send them (no body) and hold a slot
      if (req.method === 'HEAD') return reply.code(200).header('cache-control', 'no-store').type('text/event-stream; charset=utf-8').send();
      const booth = svc.booth;
      const initial: Array<[string, unknown]> = [];
      const st = booth ? safe(() => booth.state()) : undefined;
      if (st) initial.push(['state', statePayload(st, clock, this.ctx)]);
      reply.hijack();
      if (!this.sse.add(reply.raw, initial, req.ip)) {
        reply.raw.writeHead(503, { 'content-type': 'application/json' });
        reply.raw.end(JSON.stringify({ code: 'POKERFACE_ERR_API_UNAVAILABLE', message: 'too many event streams' }));
      }
    });

    app.get('/api/snapshot.jpg', { schema: { summary: 'camera frame with face boxes (api.snapshot, token required)', ...secured } }, async (req, reply) => {
      if (!config.api.snapshot) throw err('POKERFACE_ERR_SNAPSHOT_DISABLED');
      if (config.api.token === '') throw err('POKERFACE_ERR_API_FORBIDDEN');
      if (!(await this.snapshotAuthorized(req, reply))) {
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
      async (req, reply) => {
        audit(this.o.log, { action: 'session', via: 'rest', who: req.ip, ok: true });
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
          audit(this.o.log, { action: 'restart', via: 'rest', who: req.ip, ok: false, code: verdict.error.code });
          void reply.header('retry-after', String(verdict.retryAfterS));
          throw verdict.error;
        }
        audit(this.o.log, { action: 'restart', via: 'rest', who: req.ip, ok: true });
        void reply.then(
          () => this.o.requestExit(EXIT.TEMPFAIL, 'restart requested via REST'),
          () => this.o.requestExit(EXIT.TEMPFAIL, 'restart requested via REST'),
        );
        return reply.code(202).send({ ok: true as const, message: 'restarting' });
      },
    );

    const command = (req: FastifyRequest, action: string, reply: FastifyReply, out: CommandOutcome): FastifyReply => {
      const r = out.response;
      audit(this.o.log, { action, via: 'rest', who: req.ip, ok: r.ok, code: r.ok ? undefined : r.code });
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
      async (req, reply) => command(req, 'start', reply, runCommand('start', req.body ?? {}, deps)),
    );

    app.post(
      '/api/game/stop',
      { ...post, schema: { summary: 'back to attract (a running round is aborted)', ...secured, response: { 200: S.OkBody, ...errors } } },
      async (req, reply) => command(req, 'stop', reply, runCommand('stop', {}, deps)),
    );

    app.post(
      '/api/buttons/:name',
      { ...post, schema: { summary: `a virtual press of ${BUTTONS.join(', ')}`, ...secured, params: S.ButtonParams, response: { 200: S.OkBody, ...errors } } },
      async (req, reply) => {
        const { name } = req.params as { name: string };
        if (!(BUTTONS as readonly string[]).includes(name)) throw err('POKERFACE_ERR_UNKNOWN_BUTTON', `"${name.slice(0, 32)}"; known: ${BUTTONS.join(', ')}`);
        return command(req, `button:${name}`, reply, runCommand('button', { name: name as ButtonName }, deps));
      },
    );
  }
}

/** the window of days /api/results totals cover unless the request says otherwise */
export const DEFAULT_RESULTS_DAYS = 30;
/** longest a client over a limit waits for its 429 */
const TARPIT_MS = 1000;

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
