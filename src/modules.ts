// The modules the daemon runs. The start order is derived from what each declares it
// needs and wants (src/wiring.ts); this list only breaks ties, and stop runs in reverse,
// so the API and MQTT go first on shutdown and publish `offline` and the reason while
// the rest still runs. The notifier needs nothing and starts first; READY=1 goes out
// once everything has started, STOPPING=1 first on shutdown.
import { apiModule, brokerModule, mqttModule } from './api/module.js';
import { boothModule } from './booth/module.js';
import { captureModule } from './capture/module.js';
import { controlsModule } from './controls/module.js';
import { inferModule } from './infer/module.js';
import { notifyModule, resultsModule } from './ops/module.js';
import { childrenModule } from './ops/children.js';
import { restartLimitModule } from './ops/restart-limit.js';
import { playerModule } from './player/module.js';
import type { ModuleSpec } from './wiring.js';

export function defaultModules(): ModuleSpec[] {
  return [
    notifyModule(),
    childrenModule(),
    resultsModule(),
    inferModule(),
    captureModule(),
    playerModule(),
    controlsModule(),
    boothModule(),
    restartLimitModule(),
    brokerModule(), // switched off unless mqtt.url is "embedded"
    mqttModule(),
    apiModule(),
  ];
}
