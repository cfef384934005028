// ModuleSpecs for the daemon: embedded broker (mqtt.url: embedded), MQTT publisher, REST API.
// The staff interfaces read the booth, camera, detector, player, results and media
// when they are there (absent ones read as not running) and need the daemon's health
// and the one restart limiter. Services offered: broker, mqtt, api.
import { hostname } from 'node:os';
import { isDeepStrictEqual } from 'node:util';
import { loadConfigFile } from '../config/load.js';
import type { FrozenConfig } from '../config/schema.js';
import { defineModule, type ModuleContext, type ModuleSpec } from '../wiring.js';
import { PokerfaceError } from '../errors.js';
import { EmbeddedBroker } from './broker.js';
import { MqttService } from './mqtt.js';
import type { GameReloadResult, ReloadDeps } from './reload.js';
import { RestServer, packageVersion } from './rest.js';
import { staffServices } from './services.js';

export function brokerModule(): ModuleSpec {
  return defineModule({
    name: 'broker',
    needs: [],
    provides: ['broker'],
    create(ctx) {
      const m = ctx.config.mqtt;
      if (!m.enabled || m.url !== 'embedded') return null;
      const broker = new EmbeddedBroker({
        host: m.embeddedHost,
        port: m.embeddedPort,
        log: ctx.log,
        maxPacketBytes: m.maxPacketBytes,
        staff: m.password !== '' ? { username: m.username, password: m.password } : undefined,
        viewer: m.embeddedViewerPassword !== '' ? { username: m.embeddedViewerUsername, password: m.embeddedViewerPassword } : undefined,
      });
      return { lifecycle: broker, services: { broker } };
    },
  });
}

/** What MQTT and REST read of the other modules (optional) and what they need. */
const STAFF_READS = ['booth', 'frameSource', 'detector', 'player', 'results', 'media'] as const;
const STAFF_NEEDS = ['daemon', 'restartLimiter'] as const;

export function mqttModule(): ModuleSpec {
  return defineModule({
    name: 'mqtt',
    needs: STAFF_NEEDS,
    // the broker only with mqtt.url "embedded" (checked below)
    wants: ['broker', ...STAFF_READS],
    provides: ['mqtt'],
    create(ctx) {
      const m = ctx.config.mqtt;
      if (!m.enabled) return null;
      const embedded = m.url === 'embedded';
      let url: (() => string) | undefined;
      let whoSent: ((topic: string, payload: Buffer) => string | undefined) | undefined;
      if (embedded) {
        const broker = ctx.services.broker;
        if (!broker) {
          throw new PokerfaceError('POKERFACE_ERR_BROKER', 'mqtt.url is "embedded" but the broker module did not run before mqtt');
        }
        url = () => broker.url();
        whoSent = (topic, payload) => broker.whoSent(topic, payload);
        if (m.protocolVersion === 5) ctx.log.debug('embedded broker speaks MQTT 3.1.1: using protocolVersion 4');
      }
      const svc = new MqttService({
        config: ctx.config,
        log: ctx.log,
        clock: ctx.clock,
        services: staffServices(ctx.services),
        requestExit: (code, reason) => ctx.requestExit(code, reason),
        restartLimiter: ctx.services.restartLimiter,
        version: packageVersion(),
        reload: reloadDeps(ctx),
        statusPageUrl: m.homeAssistant.configurationUrl || (ctx.config.api.enabled ? `http://${hostname()}:${ctx.config.api.port}/` : ''),
        ...(url ? { url, protocolVersion: 4 as const } : {}),
        ...(whoSent ? { whoSent } : {}),
      });
      return { lifecycle: svc, services: { mqtt: svc } };
    },
  });
}

export function apiModule(): ModuleSpec {
  return defineModule({
    name: 'api',
    needs: STAFF_NEEDS,
    wants: ['mqtt', ...STAFF_READS],
    provides: ['api'],
    create(ctx) {
      if (!ctx.config.api.enabled) return null;
      const api = new RestServer({
        config: ctx.config,
        log: ctx.log,
        clock: ctx.clock,
        services: staffServices(ctx.services),
        requestExit: (code, reason) => ctx.requestExit(code, reason),
        restartLimiter: ctx.services.restartLimiter,
      });
      return { lifecycle: api, services: { api } };
    },
  });
}

/** request/reload: the media library's rescan, and the game section re-read from the config file. */
export function reloadDeps(ctx: Pick<ModuleContext<never, 'media' | 'booth'>, 'config' | 'configFile' | 'services'>): ReloadDeps {
  const file = ctx.configFile;
  let current: FrozenConfig = ctx.config;
  return {
    get media() {
      return ctx.services.media;
    },
    game: file
      ? async (): Promise<GameReloadResult> => {
          const fresh = loadConfigFile(file, { env: process.env });
          const changed = Object.keys({ ...current.game, ...fresh.game }).filter(
            (k) => !isDeepStrictEqual((current.game as Record<string, unknown>)[k], (fresh.game as Record<string, unknown>)[k]),
          );
          if (changed.length === 0) return { ok: true, changed };
          const booth = ctx.services.booth;
          if (!booth) return { ok: false, changed, code: 'POKERFACE_ERR_API_UNAVAILABLE', message: 'the booth cannot take new game rules' };
          const r = booth.reloadGame(fresh);
          if (!r.ok) return { ok: false, changed, code: r.code, message: r.message };
          current = fresh;
          return { ok: true, changed };
        }
      : undefined,
  };
}
