// Staff restart requests share one limit across REST and MQTT: refused within
// systemd.restartMinIntervalS of the start, one accepted per run, with a stable code.
import { afterEach, describe, expect, it } from 'vitest';
import { ManualClock } from '../../../src/clock.js';
import { parseConfig } from '../../../src/config/load.js';
import { runCommand } from '../../../src/api/commands.js';
import { RestServer } from '../../../src/api/rest.js';
import { staffServices } from '../../../src/api/services.js';
import { silentLogger } from '../../../src/log.js';
import type { Services } from '../../../src/wiring.js';
import { RestartLimiter, restartLimitModule } from '../../../src/ops/restart-limit.js';

const servers: RestServer[] = [];
afterEach(async () => {
  for (const s of servers.splice(0)) await s.stop();
});

describe('restart rate limit', () => {
  it('refuses within the interval after the start, then accepts exactly one', () => {
    const clock = new ManualClock(5000);
    const l = new RestartLimiter(clock, clock.now(), 60_000);
    const early = l.request();
    expect(early.ok).toBe(false);
    if (!early.ok) {
      expect(early.error.code).toBe('POKERFACE_ERR_RESTART_TOO_SOON');
      expect(early.retryAfterS).toBe(60);
      expect(early.error.message).toContain('systemd.restartMinIntervalS');
    }
    clock.advance(59_500);
    expect(l.request()).toMatchObject({ ok: false, retryAfterS: 1 });
    clock.advance(500);
    expect(l.request()).toEqual({ ok: true });
    // the daemon is on its way out: a second request is refused too
    const again = l.request();
    expect(again.ok).toBe(false);
    if (!again.ok) expect(again.error.message).toContain('already under way');
  });

  it('0 means no limit (one accepted per run still)', () => {
    const clock = new ManualClock();
    const l = new RestartLimiter(clock, clock.now(), 0);
    expect(l.request()).toEqual({ ok: true });
    expect(l.request().ok).toBe(false);
  });

  it('REST and MQTT share the one limiter from services', async () => {
    const clock = new ManualClock();
    const config = parseConfig('boothId: r1\napi:\n  host: 127.0.0.1\n  port: 0\n  token: tok-0123456789abcdef0123456789\nsystemd:\n  restartMinIntervalS: 30\n', 'test');
    const made = await restartLimitModule().create({ config, log: silentLogger, clock, services: {}, requestExit: () => undefined });
    // one service the REST API and MQTT both need, so both get this one limiter
    const offered: Services = made?.services ?? {};
    const limiter = offered.restartLimiter;
    if (!limiter) throw new Error('no services.restartLimiter');
    expect(made?.lifecycle).toBeNull();
    const services = {};
    const exits: Array<[number, string]> = [];
    const server = new RestServer({ config, log: silentLogger, clock, services: staffServices(services), requestExit: (c, r) => void exits.push([c, r]), restartLimiter: limiter });
    servers.push(server);
    const app = await server.build();
    const auth = { authorization: 'Bearer tok-0123456789abcdef0123456789' };

    const mqttDeps = { booth: () => undefined, requestExit: (c: number, r: string) => void exits.push([c, r]), restart: () => limiter.request() };
    // too soon, by MQTT and by REST
    expect(runCommand('restart', { transaction: 't1' }, mqttDeps).response).toMatchObject({ ok: false, code: 'POKERFACE_ERR_RESTART_TOO_SOON', transaction: 't1' });
    const r1 = await app.inject({ method: 'POST', url: '/api/restart', headers: auth });
    expect(r1.statusCode).toBe(429);
    expect(r1.headers['retry-after']).toBe('30');
    expect(r1.json()).toMatchObject({ code: 'POKERFACE_ERR_RESTART_TOO_SOON' });
    clock.advance(30_000);
    // MQTT takes the one restart of this run ...
    const ok = runCommand('restart', { transaction: 't2' }, mqttDeps);
    expect(ok.response).toMatchObject({ ok: true });
    ok.after?.();
    // ... so REST is refused after it
    const r2 = await app.inject({ method: 'POST', url: '/api/restart', headers: auth });
    expect(r2.statusCode).toBe(429);
    expect(exits).toEqual([[75, 'restart requested']]);
  });
});
