// What a retained request does with the embedded broker (MQTT 3.1.1), as docs/api.md
// "Retained requests" states: it runs once when sent (aedes forwards it live without the
// retain flag), and the stored copy is refused, never run, at each reconnect of the daemon.
import mqttLib from 'mqtt';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { parseConfig } from '../../../src/config/load.js';
import { systemClock } from '../../../src/clock.js';
import { silentLogger } from '../../../src/log.js';
import { EmbeddedBroker } from '../../../src/api/broker.js';
import { MqttService } from '../../../src/api/mqtt.js';
import { staffServices } from '../../../src/api/services.js';
import { FakeBooth } from '../../unit/api/fakes.js';
import { until } from '../api/brokers.js';

describe('retained requests on the embedded broker', () => {
  const broker = new EmbeddedBroker({ host: '127.0.0.1', port: 0, log: silentLogger });
  const booth = new FakeBooth();
  const answers: Array<Record<string, unknown>> = [];
  let staff: mqttLib.MqttClient;
  const service = (): MqttService =>
    new MqttService({
      config: parseConfig('boothId: ret\nmqtt:\n  url: embedded\n', 'test'),
      log: silentLogger,
      clock: systemClock,
      services: staffServices({ booth }),
      requestExit: () => undefined,
      url: () => broker.url(),
      protocolVersion: 4,
    });

  beforeAll(async () => {
    await broker.start();
    staff = mqttLib.connect(broker.url(), { protocolVersion: 4, reconnectPeriod: 0 });
    staff.on('message', (_t, p) => answers.push(JSON.parse(p.toString()) as Record<string, unknown>));
    await staff.subscribeAsync('pokerface/ret/response/+', { qos: 1 });
  });
  afterAll(async () => {
    await staff?.endAsync(true);
    await broker.stop();
  });

  it('runs once when sent live, then is refused at every reconnect until cleared', async () => {
    const first = service();
    await first.start();
    await until(() => first.status().connected, 5000, 'connected');
    await staff.publishAsync('pokerface/ret/request/stop', JSON.stringify({ transaction: 'kept' }), { qos: 1, retain: true });
    await until(() => answers.length >= 1, 5000, 'first answer');
    expect(answers[0]).toMatchObject({ transaction: 'kept', ok: true });
    expect(booth.calls).toEqual(['stop']);
    await first.stop();

    const again = service();
    await again.start();
    await until(() => answers.length >= 2, 5000, 'answer after reconnect');
    expect(answers[1]).toMatchObject({ transaction: 'kept', ok: false, code: 'POKERFACE_ERR_MQTT_BAD_REQUEST' });
    expect(booth.calls).toEqual(['stop']);
    await staff.publishAsync('pokerface/ret/request/stop', '', { qos: 1, retain: true });
    await again.stop();
  });
});
