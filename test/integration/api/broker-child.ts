// The embedded broker and the daemon's MQTT client in a process of their own, so a test
// can measure the broker's memory (/proc/<pid>/status) while it is attacked. The config
// YAML comes in POKERFACE_TEST_CONFIG; pino JSON lines go to stdout, then one line
// {"ready":true,"port":N} once the daemon's client is connected. SIGTERM stops it.
import { parseConfig } from '../../../src/config/load.js';
import { Daemon, type ModuleSpec } from '../../../src/daemon.js';
import { createLogger } from '../../../src/log.js';
import { brokerModule, mqttModule } from '../../../src/api/module.js';
import { restartLimitModule } from '../../../src/ops/restart-limit.js';
import type { EmbeddedBroker } from '../../../src/api/broker.js';
import type { MqttService } from '../../../src/api/mqtt.js';
import { FakeBooth } from '../../unit/api/fakes.js';

const booth = new FakeBooth();
const fakeBoothModule: ModuleSpec = {
  name: 'booth',
  needs: [],
  provides: ['booth'],
  create: () => ({ lifecycle: { name: 'booth', start: async () => undefined, stop: async () => undefined }, services: { booth } }),
};
const config = parseConfig(process.env.POKERFACE_TEST_CONFIG ?? '{}', 'child');
const log = createLogger({ level: 'info', destination: process.stdout });
const daemon = new Daemon({ config, log, modules: [fakeBoothModule, restartLimitModule(), brokerModule(), mqttModule()], onExitRequest: () => undefined });
await daemon.start();
const broker = daemon.serviceMap.broker as EmbeddedBroker;
const mqtt = daemon.serviceMap.mqtt as MqttService;
const ready = setInterval(() => {
  if (!mqtt.status().connected) return;
  clearInterval(ready);
  process.stdout.write(`${JSON.stringify({ ready: true, port: broker.port() })}\n`);
}, 20);
process.once('SIGTERM', () => {
  void daemon.stop().then(() => process.exit(0));
});
