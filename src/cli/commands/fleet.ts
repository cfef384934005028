import { randomBytes } from 'node:crypto';
import { parseArgs } from 'node:util';
import { setTimeout as sleep } from 'node:timers/promises';
import { formatFleet, listBooths, requestBooths, type FleetClient } from '../../api/fleet.js';
import { openMqttClient, redactUrl, type MqttClient } from '../../api/mqtt.js';
import { EXIT } from '../../errors.js';
import type { CliIO, Command } from '../io.js';

const USAGE = [
  'pokerface fleet [--broker URL] [--json] [--wait MS]',
  'pokerface fleet request CMD (--booth ID [--booth ID ...] | --all) [--payload JSON] [--timeout MS] [--broker URL] [--json]',
  '',
  '  lists every booth on the broker from its retained topics (available, state, stats):',
  '  availability, version, health, phase, last result, rounds today, camera fps, inference time;',
  '  `request` sends request/CMD (start, stop, button, restart, reload) to one booth or all',
  '  online booths and prints each response.',
  '',
  '  --broker URL     broker (default: $POKERFACE_MQTT_URL or mqtt://127.0.0.1:1883)',
  '  --username U     broker user (or $POKERFACE_MQTT_USERNAME); password: $POKERFACE_MQTT_PASSWORD',
  '  --wait MS        stop listening once no retained message came for this long (default 200)',
  '  --payload JSON   request fields besides v and transaction, e.g. \'{"mode":"funny","level":2}\'',
  '  --timeout MS     how long to wait for the responses (default 5000)',
  '  --json           print JSON instead of a table',
].join('\n');

async function connect(url: string, io: CliIO, username: string | undefined): Promise<MqttClient> {
  const password = io.env.POKERFACE_MQTT_PASSWORD;
  const client = openMqttClient(url, {
    clientId: `pokerface-fleet-${randomBytes(4).toString('hex')}`,
    protocolVersion: 4,
    clean: true,
    reconnectPeriod: 0,
    connectTimeout: 5000,
    ...(username ? { username } : {}),
    ...(password ? { password } : {}),
  });
  await new Promise<void>((resolve, reject) => {
    client.once('connect', () => resolve());
    client.once('error', reject);
    client.once('close', () => reject(new Error('connection closed')));
  });
  return client;
}

export const command: Command = {
  summary: 'list every booth on an MQTT broker; send a request to one booth or all',
  usage: USAGE,
  async run(args, io) {
    const { values, positionals } = parseArgs({
      args,
      allowPositionals: true,
      options: {
        broker: { type: 'string' },
        username: { type: 'string' },
        json: { type: 'boolean', default: false },
        wait: { type: 'string', default: '200' },
        booth: { type: 'string', multiple: true },
        all: { type: 'boolean', default: false },
        payload: { type: 'string', default: '{}' },
        timeout: { type: 'string', default: '5000' },
      },
    });
    const url = values.broker ?? io.env.POKERFACE_MQTT_URL ?? 'mqtt://127.0.0.1:1883';
    const isRequest = positionals[0] === 'request';
    const cmd = positionals[1];
    if ((positionals.length > 0 && !isRequest) || (isRequest && (!cmd || !/^[a-z][a-z0-9_-]{0,31}$/.test(cmd)))) {
      io.err(USAGE);
      return 64;
    }
    if (isRequest && !values.all && !values.booth?.length) {
      io.err('pokerface fleet request: name the booths (--booth ID) or --all');
      return 64;
    }
    let body: Record<string, unknown>;
    try {
      body = JSON.parse(values.payload) as Record<string, unknown>;
      if (typeof body !== 'object' || body === null || Array.isArray(body)) throw new Error('not an object');
    } catch (e) {
      io.err(`pokerface fleet: --payload: ${(e as Error).message}`);
      return 64;
    }
    let client: MqttClient;
    try {
      client = await connect(url, io, values.username ?? io.env.POKERFACE_MQTT_USERNAME);
    } catch (e) {
      io.err(`pokerface fleet: cannot connect to ${redactUrl(url)}: ${(e as Error).message}`);
      return EXIT.UNAVAILABLE;
    }
    const fc = client as unknown as FleetClient;
    const now = (): number => performance.now();
    const nap = (ms: number): Promise<void> => sleep(ms);
    try {
      const t0 = now();
      const booths = await listBooths(fc, { quietMs: Math.max(50, Number(values.wait) || 200), maxMs: 10_000, now, sleep: nap });
      const listMs = now() - t0;
      if (!isRequest) {
        if (values.json) io.out(JSON.stringify({ booths, listMs: Math.round(listMs) }, null, 2));
        else {
          io.out(formatFleet(booths, Date.now()));
          io.out(`${booths.length} booth(s), ${booths.filter((b) => b.available === 'online').length} online; listed in ${Math.round(listMs)} ms from ${redactUrl(url)}`);
        }
        return EXIT.OK;
      }
      const targets = values.all ? booths.filter((b) => b.available === 'online').map((b) => b.boothId) : (values.booth ?? []);
      if (targets.length === 0) {
        io.err('pokerface fleet request: no booth online');
        return EXIT.UNAVAILABLE;
      }
      const results = await requestBooths(fc, targets, {
        cmd: cmd as string,
        body,
        timeoutMs: Number(values.timeout) || 5000,
        now,
        sleep: nap,
        tag: `fleet-${randomBytes(4).toString('hex')}`,
      });
      if (values.json) io.out(JSON.stringify({ results }, null, 2));
      else {
        for (const r of results) {
          const p = r.response;
          io.out(`${r.boothId}  ${p === null ? 'no answer' : p.ok ? `ok (${Math.round(r.ms ?? 0)} ms)${p.message ? `: ${p.message}` : ''}` : `FAILED ${p.code ?? ''}: ${p.message ?? ''}`}`);
        }
      }
      return results.every((r) => r.response?.ok) ? EXIT.OK : 1;
    } finally {
      await client.endAsync();
    }
  },
};
