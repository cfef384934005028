import { Type as T } from '@sinclair/typebox';

export const SystemdSchema = T.Object(
  {
    notify: T.Boolean({ default: true, description: 'speak the sd_notify protocol when NOTIFY_SOCKET is set (READY, WATCHDOG, STATUS, STOPPING)' }),
    frameMaxAgeMs: T.Integer({ minimum: 100, maximum: 600_000, default: 5000, description: 'watchdog pings stop when the newest frame is older than this' }),
    inferMaxAgeMs: T.Integer({ minimum: 100, maximum: 600_000, default: 5000, description: 'watchdog pings stop when inference has not answered for this long' }),
    restartMinIntervalS: T.Integer({
      minimum: 0,
      maximum: 86_400,
      default: 60,
      description: 'staff restart requests (REST and MQTT share this limit) are refused with POKERFACE_ERR_RESTART_TOO_SOON within this many seconds of the daemon starting; 0: no limit',
    }),
  },
  { additionalProperties: false, default: {} },
);
