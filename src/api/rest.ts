// The REST API and status page (fastify). GETs are open; every POST needs the bearer
// token; the camera snapshot needs the token too (bearer, basic or a session cookie).
import type { RestartVerdict } from '../ops/restart-limit.js';
import { readFileSync } from 'node:fs';
import { createServer as createHttpServer, type RequestListener, type Server, type ServerOptions } from 'node:http';
import { createServer as createHttpsServer } from 'node:https';
import Fastify, { type FastifyError, type FastifyInstance } from 'fastify';
import swagger from '@fastify/swagger';
import swaggerUi from '@fastify/swagger-ui';
import { Ajv, type ValidateFunction } from 'ajv';
import type { FrozenConfig } from '../config/schema.js';
import { ERRORS, PokerfaceError, httpStatusOf, isPokerfaceError } from '../errors.js';
import type { Logger } from '../log.js';
import type { Clock, Lifecycle, ModuleHealth, Off } from '../types.js';
import { configWarnings } from '../config/policy.js';
import { osHosts, type HostSource } from './hosts.js';
import { redact } from '../redact.js';
import { describeAjv } from './commands.js';
import { eventPayload, relativeClip, scorePayload, statePayload, type PayloadContext } from './convert.js';
import { LoopLagSampler } from './loop-lag.js';
import { Metrics } from './metrics.js';
import { LatestThrottle } from './queue.js';
import { systemTimers, type Timers } from '../timers.js';
import { RestGuards } from './rest-guards.js';
import type { StaffServices } from './services.js';
import { Snapshotter } from './snapshot.js';
import { SseHub } from './sse.js';
import { nodeProcessInfo, safe, type ProcessInfo } from './stats.js';
import { StaffConsole } from './routes-console.js';
import { configRoutes } from './routes-config.js';
import { controlRoutes } from './routes-control.js';
import { eventsRoutes } from './routes-events.js';
import { resultsRoutes } from './routes-results.js';
import { snapshotRoutes } from './routes-snapshot.js';
import { statusRoutes } from './routes-status.js';

/** content types of the console's own static files, never passed through redact() */
const STATIC_CODE = /^(text\/html|text\/css|text\/javascript|application\/javascript)\b/;

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

export class RestServer implements Lifecycle {
  readonly name = 'api';
  private app: FastifyInstance | null = null;
  private readonly sse: SseHub;
  private readonly snap: Snapshotter;
  private readonly metrics: Metrics;
  private readonly score: LatestThrottle<Parameters<typeof scorePayload>[0]>;
  /** every payload names the booth, and clips relative to the media folder (as on MQTT) */
  private readonly ctx: PayloadContext;
  private readonly timers: Timers;
  private readonly console: StaffConsole;
  private offs: Off[] = [];
  private listening = false;
  private readonly guards: RestGuards;
  /** serialized bodies of the costlier open reads, so a flood of them costs one computation a second */
  private readonly bodies = new Map<string, { until: number; body: string }>();

  constructor(private readonly o: RestServerOptions) {
    this.timers = o.timers ?? systemTimers;
    this.ctx = { boothId: o.config.boothId, mediaDir: o.config.player.mediaDir };
    const a = o.config.api;
    this.sse = new SseHub({ max: a.sseMax, perIp: a.ssePerIp, maxAgeMs: a.sseMaxAgeS * 1000 }, this.timers);
    this.guards = new RestGuards({ config: o.config, log: o.log, clock: o.clock, timers: this.timers, hosts: o.hosts ?? osHosts });
    this.snap = new Snapshotter(this.timers);
    // one 20 ms lag timer for both readers, so /api/metrics and the console show the same ticks
    const loopLag = new LoopLagSampler({ log: o.log });
    this.metrics = new Metrics(o.services, { version: o.version ?? packageVersion(), boothId: o.config.boothId, loopLag });
    this.console = new StaffConsole({ config: o.config, services: o.services, clock: o.clock, proc: o.proc ?? nodeProcessInfo, loopLag });
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
    app.addHook('onRequest', this.guards.gate);
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
    app.setSchemaErrorFormatter((errors, dataVar) => new PokerfaceError('POKERFACE_ERR_API_BAD_REQUEST', describeAjv(errors as never, dataVar)));
  }

  private installErrors(app: FastifyInstance): void {
    app.setErrorHandler((e: FastifyError | PokerfaceError | { statusCode?: number; code?: string; message?: string }, req, reply) => {
      const code = (e as { code?: string }).code ?? '';
      let status = 500;
      let out: { code: string; message: string };
      if (isPokerfaceError(e)) {
        status = httpStatusOf(e.code);
        out = { code: e.code, message: e.message };
      } else if (code === 'FST_ERR_CTP_BODY_TOO_LARGE') {
        status = ERRORS.POKERFACE_ERR_API_BODY_TOO_LARGE.status;
        out = { code: 'POKERFACE_ERR_API_BODY_TOO_LARGE', message: `request body is larger than ${this.o.config.api.bodyLimit} bytes` };
      } else if (code === 'FST_ERR_CTP_INVALID_JSON_BODY' || code === 'FST_ERR_CTP_EMPTY_JSON_BODY') {
        status = ERRORS.POKERFACE_ERR_API_BAD_JSON.status;
        out = { code: 'POKERFACE_ERR_API_BAD_JSON', message: `request body is not valid JSON: ${(e as Error).message}` };
      } else if (code === 'FST_ERR_CTP_INVALID_MEDIA_TYPE') {
        status = 415;
        out = { code: 'POKERFACE_ERR_API_BAD_REQUEST', message: 'send JSON (content-type: application/json) or no body' };
      } else if (code.startsWith('POKERFACE_ERR_')) {
        status = (e as { statusCode?: number }).statusCode ?? httpStatusOf(code);
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
      void reply.code(ERRORS.POKERFACE_ERR_API_NOT_FOUND.status).send({ code: 'POKERFACE_ERR_API_NOT_FOUND', message: `no route ${req.method} ${req.url.split('?')[0]}` });
    });
  }

  // ------------------------------------------------------------------ routes

  /** the route plugins, in the order their routes appear in the OpenAPI document */
  private routes(app: FastifyInstance): void {
    const { config, services, clock, log } = this.o;
    const read = this.guards.read;
    const cachedBody = this.cachedBody.bind(this);
    // GET / (the staff console), its assets, /api/system; /api/clips and /api/results.csv read results like /api/results
    this.console.routes(app, read);
    void app.register(statusRoutes, { config, services, clock, ctx: this.ctx, version: this.version(), proc: this.o.proc ?? nodeProcessInfo, metrics: this.metrics, read, cachedBody });
    void app.register(configRoutes, { config, version: this.version(), read });
    void app.register(resultsRoutes, { services, ctx: this.ctx, read, cachedBody });
    void app.register(eventsRoutes, { services, clock, ctx: this.ctx, sse: this.sse });
    void app.register(snapshotRoutes, { config, services, log, guards: this.guards, snap: this.snap });
    void app.register(controlRoutes, { services, log, post: this.guards.post, requestExit: this.o.requestExit, restartLimiter: this.o.restartLimiter });
  }

  /** A serialized body kept ttlMs: a flood of the costlier open reads costs one computation a second. */
  private async cachedBody(key: string, ttlMs: number, make: () => Promise<string> | string): Promise<string> {
    const t = this.o.clock.now();
    const hit = this.bodies.get(key);
    if (hit && hit.until > t) return hit.body;
    const body = await make();
    if (this.bodies.size >= 64) this.bodies.clear();
    this.bodies.set(key, { until: t + ttlMs, body });
    return body;
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
