// What stands before the REST handlers: the Host check and per-IP request count of every
// route, the POST token, the read token (api.publicRead: false), the snapshot's token
// (bearer, basic or session cookie), and the limit on failed authentication.
import type { FastifyReply, FastifyRequest } from 'fastify';
import type { FrozenConfig } from '../config/schema.js';
import { PokerfaceError, type ErrorCode } from '../errors.js';
import type { Logger } from '../log.js';
import type { Clock } from '../types.js';
import type { Timers } from '../timers.js';
import { basicPasswordOf, bearerOf, checkBearer, cookieValue, SESSION_COOKIE, Sessions, tokenMatches } from './auth.js';
import { HostCheck, type HostSource } from './hosts.js';
import { IpLimiter } from './limits.js';

/** route options that guard a route (spread into its options): an onRequest hook, or none */
export type RouteGuard = { onRequest?: (req: FastifyRequest, reply: FastifyReply) => Promise<void> };

/** longest a client over a limit waits for its 429 */
const TARPIT_MS = 1000;

const err = (code: ErrorCode, detail?: string): PokerfaceError => new PokerfaceError(code, detail);

export interface RestGuardsOptions {
  config: FrozenConfig;
  log: Logger;
  clock: Clock;
  timers: Timers;
  hosts: HostSource;
}

export class RestGuards {
  readonly sessions: Sessions;
  private readonly requests: IpLimiter;
  private readonly posts: IpLimiter;
  private readonly authFailures: IpLimiter;
  /** one log line per client IP and minute about failed authentication */
  private readonly failureLog: IpLimiter;
  private readonly hostCheck: HostCheck;

  constructor(private readonly o: RestGuardsOptions) {
    const a = o.config.api;
    const now = (): number => o.clock.now();
    this.requests = new IpLimiter(a.requestsPerMinute, 60_000, now);
    this.posts = new IpLimiter(a.rateLimitPerMinute, 60_000, now);
    this.authFailures = new IpLimiter(a.authFailuresPerMinute, 60_000, now);
    this.failureLog = new IpLimiter(1, 60_000, now);
    this.hostCheck = new HostCheck(a.allowedHosts, now, o.hosts);
    this.sessions = new Sessions(a.sessionTtlS * 1000, now);
  }

  /** every POST: auth runs first (onRequest), so an unauthenticated body is never parsed or validated */
  get post(): RouteGuard {
    return { onRequest: this.requireToken };
  }

  /** config, results and metrics: open by default, behind a token with api.publicRead: false */
  get read(): RouteGuard {
    return this.o.config.api.publicRead ? {} : { onRequest: this.requireRead };
  }

  /**
   * A client over a limit waits up to a second for its 429 (a tarpit): a loop that waits
   * for each answer, as scripts and curl do, then sends a few requests a second instead of
   * thousands. maxConnections bounds how many can wait at once; each costs one timer.
   */
  private tarpit(retryAfterMs: number): Promise<void> {
    return new Promise((resolve) => void this.o.timers.setTimeout(resolve, Math.min(TARPIT_MS, Math.max(0, retryAfterMs))));
  }

  /** first onRequest hook of every route: Host check, then the per-IP request count */
  readonly gate = async (req: FastifyRequest, reply: FastifyReply): Promise<void> => {
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
  readonly requireToken = async (req: FastifyRequest, reply: FastifyReply): Promise<void> => {
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
  readonly requireRead = async (req: FastifyRequest, reply: FastifyReply): Promise<void> => {
    const { token, readToken } = this.o.config.api;
    await this.refuseGuesser(req, reply);
    const given = bearerOf(req.headers.authorization);
    if (given === null) throw err('POKERFACE_ERR_API_UNAUTHORIZED', 'api.publicRead is false: send Authorization: Bearer <token>');
    if (tokenMatches(given, token) || tokenMatches(given, readToken)) return;
    this.authFailed(req, 'read');
    throw err('POKERFACE_ERR_API_UNAUTHORIZED');
  };

  /** bearer, basic (password = token) or the session cookie */
  async snapshotAuthorized(req: FastifyRequest, reply: FastifyReply): Promise<boolean> {
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
}
