// ModuleSpecs for the daemon: embedded broker (mqtt.url: embedded), MQTT publisher, REST API.
// Services used (all optional; absent ones read as unhealthy): booth, frameSource,
// detector, player, results, daemon. Services offered: broker, mqtt, api.
import type { ModuleSpec } from '../daemon.js';
import { PokerfaceError } from '../errors.js';
import { EmbeddedBroker } from './broker.js';
import { MqttService } from './mqtt.js';
import { RestServer, packageVersion } from './rest.js';
import { staffServices } from './services.js';
import { sharedRestartLimiter } from '../ops/restart-limit.js';

export function brokerModule(): ModuleSpec {
  return {
    name: 'broker',
    create(ctx) {
      const m = ctx.config.mqtt;
      if (!m.enabled || m.url !== 'embedded') return null;
      const broker = new EmbeddedBroker({ host: m.embeddedHost, port: m.embeddedPort, log: ctx.log });
      ctx.services.broker = broker;
      return broker;
    },
  };
}

export function mqttModule(): ModuleSpec {
  return {
    name: 'mqtt',
    create(ctx) {
      const m = ctx.config.mqtt;
      if (!m.enabled) return null;
      const embedded = m.url === 'embedded';
      let url: (() => string) | undefined;
      if (embedded) {
        const broker = ctx.services.broker;
        if (!(broker instanceof EmbeddedBroker)) {
          throw new PokerfaceError('POKERFACE_ERR_BROKER', 'mqtt.url is "embedded" but the broker module did not run before mqtt');
        }
        url = () => broker.url();
        if (m.protocolVersion === 5) ctx.log.debug('embedded broker speaks MQTT 3.1.1: using protocolVersion 4');
      }
      const svc = new MqttService({
        config: ctx.config,
        log: ctx.log,
        clock: ctx.clock,
        services: staffServices(ctx.services),
        requestExit: (code, reason) => ctx.requestExit(code, reason),
        restartLimiter: sharedRestartLimiter(ctx),
        version: packageVersion(),
        ...(url ? { url, protocolVersion: 4 as const } : {}),
      });
      ctx.services.mqtt = svc;
      return svc;
    },
  };
}

export function apiModule(): ModuleSpec {
  return {
    name: 'api',
    create(ctx) {
      if (!ctx.config.api.enabled) return null;
      const api = new RestServer({
        config: ctx.config,
        log: ctx.log,
        clock: ctx.clock,
        services: staffServices(ctx.services),
        requestExit: (code, reason) => ctx.requestExit(code, reason),
        restartLimiter: sharedRestartLimiter(ctx),
      });
      ctx.services.api = api;
      return api;
    },
  };
}
