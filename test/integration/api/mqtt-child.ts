// A daemon-like process for the last-will test: connects, then waits to be killed.
import { parseConfig } from '../../../src/config/load.js';
import { systemClock } from '../../../src/clock.js';
import { silentLogger } from '../../../src/log.js';
import { MqttService } from '../../../src/api/mqtt.js';
import { staffServices } from '../../../src/api/services.js';

const [url, boothId, protocol] = process.argv.slice(2);
const svc = new MqttService({
  config: parseConfig(`boothId: ${boothId}\nmqtt:\n  url: ${url}\n  keepaliveS: 5\n  protocolVersion: ${protocol ?? '5'}\n`, 'child'),
  log: silentLogger,
  clock: systemClock,
  services: staffServices({}),
  requestExit: () => undefined,
});
await svc.start();
setInterval(() => undefined, 1000);
