// mqtt.requestToken: requests must carry the token (constant-time compare), failures are
// answered, logged and audited; the token itself never reaches the log.
import { Writable } from 'node:stream';
import mqttLib from 'mqtt';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { parseConfig } from '../../../src/config/load.js';
import { systemClock } from '../../../src/clock.js';
import { createLogger, silentLogger } from '../../../src/log.js';
import { EmbeddedBroker } from '../../../src/api/broker.js';
import { MqttService } from '../../../src/api/mqtt.js';
import { staffServices } from '../../../src/api/services.js';
import { FakeBooth } from '../../unit/api/fakes.js';
import { until } from '../api/brokers.js';

const TOKEN = 'request-token-0123456789abcdef';

describe('MQTT request token', () => {
  const broker = new EmbeddedBroker({ host: '127.0.0.1', port: 0, log: silentLogger });
  const booth = new FakeBooth();
  const lines: Array<Record<string, unknown>> = [];
  let text = '';
  const sink = new Writable({
    write(chunk: Buffer, _enc, cb) {
      text += chunk.toString();
      for (const l of chunk.toString().split('\n')) if (l.trim()) lines.push(JSON.parse(l) as Record<string, unknown>);
      cb();
    },
  });
  let svc: MqttService;
  let staff: mqttLib.MqttClient;
  const answers: Array<Record<string, unknown>> = [];

  beforeAll(async () => {
    await broker.start();
    svc = new MqttService({
      config: parseConfig('boothId: tok\nmqtt:\n  url: embedded\n  protocolVersion: 4\n', 'test', { POKERFACE_MQTT_REQUESTTOKEN: TOKEN }),
      log: createLogger({ level: 'info', destination: sink }),
      clock: systemClock,
      services: staffServices({ booth }),
      requestExit: () => undefined,
      url: () => broker.url(),
      protocolVersion: 4,
      whoSent: (t, p) => broker.whoSent(t, p),
    });
    await svc.start();
    await until(() => svc.status().connected, 10_000, 'connected');
    staff = mqttLib.connect(broker.url(), { protocolVersion: 4, clientId: 'console-7', reconnectPeriod: 0 });
    staff.on('message', (_t, p) => answers.push(JSON.parse(p.toString()) as Record<string, unknown>));
    await staff.subscribeAsync('pokerface/tok/response/+', { qos: 1 });
  }, 30_000);

  afterAll(async () => {
    await staff?.endAsync(true);
    await svc?.stop();
    await broker.stop();
  });

  it('refuses requests without the token or with a wrong one, and runs those with it', async () => {
    const send = (transaction: string, extra: Record<string, unknown>): Promise<unknown> =>
      staff.publishAsync('pokerface/tok/request/stop', JSON.stringify({ transaction, ...extra }), { qos: 1 });
    await send('none', {});
    await send('wrong', { token: `${TOKEN.slice(0, -1)}x` });
    await send('right', { token: TOKEN });
    await until(() => answers.length >= 3, 5000, 'three answers');
    const by = (t: string): Record<string, unknown> | undefined => answers.find((a) => a.transaction === t);
    expect(by('none')).toMatchObject({ ok: false, code: 'POKERFACE_ERR_MQTT_UNAUTHORIZED' });
    expect(by('wrong')).toMatchObject({ ok: false, code: 'POKERFACE_ERR_MQTT_UNAUTHORIZED' });
    expect(by('right')).toMatchObject({ ok: true });
    expect(booth.calls).toEqual(['stop']);
    // audited with the sender's client id; one warning for the burst; the token never logged
    const audits = lines.filter((l) => l.audit === true);
    expect(audits.map((a) => [a.transaction, a.ok, a.who])).toEqual([
      ['none', false, 'console-7'],
      ['wrong', false, 'console-7'],
      ['right', true, 'console-7'],
    ]);
    expect(lines.filter((l) => String(l.msg).startsWith('MQTT request refused: token')).length).toBe(1);
    expect(text).not.toContain(TOKEN);
    expect(text).not.toContain(TOKEN.slice(0, -1));
  });
});
