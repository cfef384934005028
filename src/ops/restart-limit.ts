// One limit for staff restart requests, shared by REST and MQTT: a restart is refused
// within systemd.restartMinIntervalS of this process's start, and only one is accepted
// per process (the daemon is on its way out after it). Since every restart starts a new
// process, this caps restarts at one per interval however they are asked for, so a
// stream of requests can never hold the booth down.
import { PokerfaceError } from '../errors.js';
import { defineModule, type ModuleSpec } from '../wiring.js';
import type { Clock } from '../types.js';

export type RestartVerdict = { ok: true } | { ok: false; error: PokerfaceError; retryAfterS: number };

export class RestartLimiter {
  private accepted = false;

  constructor(
    private readonly clock: Clock,
    /** monotonic ms this process started (module creation is close enough) */
    private readonly startedAt: number,
    private readonly minIntervalMs: number,
  ) {}

  /** Accept (and remember) a restart, or say why not and when to ask again. */
  request(): RestartVerdict {
    if (this.accepted) return { ok: false, error: new PokerfaceError('POKERFACE_ERR_RESTART_TOO_SOON', 'a restart is already under way'), retryAfterS: 1 };
    const wait = this.startedAt + this.minIntervalMs - this.clock.now();
    if (wait > 0) {
      const s = Math.ceil(wait / 1000);
      return {
        ok: false,
        error: new PokerfaceError('POKERFACE_ERR_RESTART_TOO_SOON', `the daemon started less than ${this.minIntervalMs / 1000} s ago (systemd.restartMinIntervalS); try again in ${s} s`),
        retryAfterS: s,
      };
    }
    this.accepted = true;
    return { ok: true };
  }
}

/** services.restartLimiter: the one limit the REST API and MQTT both need. */
export function restartLimitModule(): ModuleSpec {
  return defineModule({
    name: 'restart-limit',
    needs: [],
    provides: ['restartLimiter'],
    create(ctx) {
      const limiter = new RestartLimiter(ctx.clock, ctx.clock.now(), ctx.config.systemd.restartMinIntervalS * 1000);
      return { lifecycle: null, services: { restartLimiter: limiter } };
    },
  });
}
