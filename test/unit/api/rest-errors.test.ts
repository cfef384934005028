// The REST error answers take their HTTP status from the one error table (src/errors.ts):
// a booth refusal passed on by a command route, and the API's own codes.
import type { InjectOptions } from 'fastify';
import { afterEach, describe, expect, it } from 'vitest';
import { parseConfig } from '../../../src/config/load.js';
import { systemClock } from '../../../src/clock.js';
import { ERRORS, type ErrorCode } from '../../../src/errors.js';
import { silentLogger } from '../../../src/log.js';
import { RestServer } from '../../../src/api/rest.js';
import { staffServices } from '../../../src/api/services.js';
import { FakeBooth } from './fakes.js';

const TOKEN = 'rest-errors-token-0123456789';
const servers: RestServer[] = [];
afterEach(async () => {
  for (const s of servers.splice(0)) await s.stop();
});

async function setup(yaml = ''): Promise<{ server: RestServer; booth: FakeBooth }> {
  const booth = new FakeBooth();
  const server = new RestServer({
    config: parseConfig(`boothId: r1\napi:\n  host: 127.0.0.1\n  port: 0\n  token: ${TOKEN}\n  rateLimitPerMinute: 100000\n  requestsPerMinute: 100000\n${yaml}`, 'test'),
    log: silentLogger,
    clock: systemClock,
    services: staffServices({ booth }),
    requestExit: () => undefined,
    version: '9.9.9',
  });
  servers.push(server);
  return { server, booth };
}

const auth = { authorization: `Bearer ${TOKEN}` };

describe('REST error statuses', () => {
  it('answers a booth refusal with the status the error table gives its code', async () => {
    const { server, booth } = await setup();
    const app = await server.build();
    const withStatus = (Object.keys(ERRORS) as ErrorCode[]).filter((c) => (ERRORS[c] as { status?: number }).status !== undefined);
    expect(withStatus.length).toBeGreaterThan(15);
    for (const code of withStatus) {
      booth.nextResult = { ok: false, code, message: 'refused' };
      const r = await app.inject({ method: 'POST', url: '/api/game/stop', headers: auth });
      expect(r.statusCode, code).toBe((ERRORS[code] as { status: number }).status);
      expect(r.json(), code).toMatchObject({ code });
    }
    // the booth not running is the service being unavailable, not an internal error
    booth.nextResult = { ok: false, code: 'POKERFACE_ERR_BOOTH_NOT_READY', message: 'booth is not running' };
    expect((await app.inject({ method: 'POST', url: '/api/buttons/start', headers: auth })).statusCode).toBe(503);
    // a code the table gives no status: 500
    booth.nextResult = { ok: false, code: 'POKERFACE_ERR_PLAYER_IPC', message: 'refused' };
    expect((await app.inject({ method: 'POST', url: '/api/game/stop', headers: auth })).statusCode).toBe(500);
  });

  it("answers the API's own refusals with the table's statuses", async () => {
    const { server } = await setup('  allowedHosts: [booth.example]\n');
    const app = await server.build();
    const status = (code: ErrorCode): number | undefined => (ERRORS[code] as { status?: number }).status;
    const cases: Array<[InjectOptions, ErrorCode]> = [
      [{ url: '/api/nothing-here', headers: { host: 'booth.example' } }, 'POKERFACE_ERR_API_NOT_FOUND'],
      [{ url: '/api/status', headers: { host: 'evil.example' } }, 'POKERFACE_ERR_API_BAD_HOST'],
      [{ method: 'POST', url: '/api/game/stop', headers: { host: 'booth.example' } }, 'POKERFACE_ERR_API_UNAUTHORIZED'],
      [{ method: 'POST', url: '/api/buttons/nope', headers: { ...auth, host: 'booth.example' } }, 'POKERFACE_ERR_UNKNOWN_BUTTON'],
      [{ url: '/api/snapshot.jpg', headers: { host: 'booth.example' } }, 'POKERFACE_ERR_SNAPSHOT_DISABLED'],
      [{ url: '/api/results', headers: { host: 'booth.example' } }, 'POKERFACE_ERR_API_UNAVAILABLE'],
      [{ method: 'POST', url: '/api/game/start', payload: '{"level":', headers: { ...auth, host: 'booth.example', 'content-type': 'application/json' } }, 'POKERFACE_ERR_API_BAD_JSON'],
      [{ method: 'POST', url: '/api/game/start', payload: { level: 'x' }, headers: { ...auth, host: 'booth.example' } }, 'POKERFACE_ERR_API_BAD_REQUEST'],
    ];
    for (const [req, code] of cases) {
      const r = await app.inject(req);
      expect(r.json(), code).toMatchObject({ code });
      expect(r.statusCode, code).toBe(status(code));
    }
  });
});
