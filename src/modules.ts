// The ordered list of modules the daemon runs. Order matters: later modules use the
// services earlier ones registered; stop runs in reverse (so the API and MQTT go
// first on shutdown and publish `offline` and the reason while the rest still runs).
import { apiModule, brokerModule, mqttModule } from './api/module.js';
import { boothModule } from './booth/module.js';
import { captureModule } from './capture/module.js';
import { controlsModule } from './controls/module.js';
import type { ModuleSpec } from './daemon.js';
import { inferModule } from './infer/module.js';
import { notifierServiceModule, notifyModule, resultsModule } from './ops/module.js';
import { childrenModule } from './ops/children.js';
import { playerModule } from './player/module.js';

export function defaultModules(): ModuleSpec[] {
  return [
    notifierServiceModule(), // first: inference may extend the start timeout while TensorRT builds
    childrenModule(), // before player and capture: ends the children a killed predecessor left
    resultsModule(),
    inferModule(),
    captureModule(),
    playerModule(),
    controlsModule(),
    boothModule(),
    brokerModule(), // only when mqtt.url is "embedded"
    mqttModule(),
    apiModule(),
    notifyModule(), // last: READY=1 once everything above is up
  ];
}
