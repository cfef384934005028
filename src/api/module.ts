// ModuleSpecs for the daemon: embedded broker (mqtt.url: embedded), MQTT publisher, REST API.
// Services used (all optional; absent ones read as unhealthy): booth, frameSource,
// detector, player, results, daemon. Services offered: broker, mqtt, api.
import { hostname } from 'node:os';
import { isDeepStrictEqual } from 'node:util';
import { loadConfigFile } from '../config/load.js';
import type { FrozenConfig } from '../config/schema.js';
import type { ModuleContext, ModuleSpec } from '../daemon.js';
import type { CommandResult } from '../types.js';
import { PokerfaceError } from '../errors.js';
import { EmbeddedBroker } from './broker.js';
import { MqttService } from './mqtt.js';
import type { GameReloadResult, ReloadDeps } from './reload.js';
import { RestServer, packageVersion } from './rest.js';
import { staffServices } from './services.js';
import { sharedRestartLimiter } from '../ops/restart-limit.js';

export function brokerModule(): ModuleSpec {
  return {
    name: 'broker',
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
      let whoSent: ((topic: string, payload: Buffer) => string | undefined) | undefined;
      if (embedded) {
        const broker = ctx.services.broker;
        if (!(broker instanceof EmbeddedBroker)) {
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
        restartLimiter: sharedRestartLimiter(ctx),
        version: packageVersion(),
        reload: reloadDeps(ctx),
        statusPageUrl: m.homeAssistant.configurationUrl || (ctx.config.api.enabled ? `http://${hostname()}:${ctx.config.api.port}/` : ''),
        ...(url ? { url, protocolVersion: 4 as const } : {}),
        ...(whoSent ? { whoSent } : {}),
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

/** request/reload: the media library's rescan, and the game section re-read from the config file. */
export function reloadDeps(ctx: ModuleContext): ReloadDeps {
  const file = ctx.configFile;
  let current: FrozenConfig = ctx.config;
  return {
    get media() {
      const m = ctx.services.media as Partial<NonNullable<ReloadDeps['media']>> | undefined;
      return typeof m?.reload === 'function' && typeof m.summary === 'function' ? (m as NonNullable<ReloadDeps['media']>) : undefined;
    },
    game: file
      ? async (): Promise<GameReloadResult> => {
          const fresh = loadConfigFile(file, { env: process.env });
          const changed = Object.keys({ ...current.game, ...fresh.game }).filter(
            (k) => !isDeepStrictEqual((current.game as Record<string, unknown>)[k], (fresh.game as Record<string, unknown>)[k]),
          );
          if (changed.length === 0) return { ok: true, changed };
          const booth = ctx.services.booth as { reloadGame?: (c: FrozenConfig) => CommandResult } | undefined;
          if (typeof booth?.reloadGame !== 'function') return { ok: false, changed, code: 'POKERFACE_ERR_API_UNAVAILABLE', message: 'the booth cannot take new game rules' };
          const r = booth.reloadGame(fresh);
          if (!r.ok) return { ok: false, changed, code: r.code, message: r.message };
          current = fresh;
          return { ok: true, changed };
        }
      : undefined,
  };
}
