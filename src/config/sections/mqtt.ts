import { Type as T } from '@sinclair/typebox';

export const MqttSchema = T.Object(
  {
    enabled: T.Boolean({ default: true }),
    url: T.String({ default: 'mqtt://127.0.0.1:1883', description: 'broker URL (mqtt://, mqtts://, ws://) or "embedded"' }),
    embeddedHost: T.String({ default: '127.0.0.1', description: 'bind address of the embedded broker' }),
    embeddedPort: T.Integer({ minimum: 0, maximum: 65535, default: 1883 }),
    clientId: T.String({ default: '', description: 'empty: pokerface-<boothId>' }),
    username: T.String({ default: '' }),
    password: T.String({ default: '', description: 'secret: set POKERFACE_MQTT_PASSWORD instead of writing it here' }),
    protocolVersion: T.Union([T.Literal(4), T.Literal(5)], { default: 5, description: '5 (MQTT 5) or 4 (MQTT 3.1.1)' }),
    tls: T.Object(
      {
        ca: T.String({ default: '' }),
        cert: T.String({ default: '' }),
        key: T.String({ default: '' }),
        rejectUnauthorized: T.Boolean({ default: true }),
      },
      { additionalProperties: false, default: {} },
    ),
    scoreHz: T.Number({ exclusiveMinimum: 0, maximum: 60, default: 10 }),
    statsIntervalS: T.Number({ minimum: 1, maximum: 3600, default: 10 }),
    queueSize: T.Integer({ minimum: 1, maximum: 1_000_000, default: 1000, description: 'events kept while the broker is away' }),
    reconnectMinMs: T.Integer({ minimum: 100, maximum: 600_000, default: 1000 }),
    reconnectMaxMs: T.Integer({ minimum: 100, maximum: 600_000, default: 30_000 }),
    homeAssistant: T.Object(
      {
        enabled: T.Boolean({ default: false }),
        prefix: T.String({ default: 'homeassistant' }),
      },
      { additionalProperties: false, default: {} },
    ),
  },
  { additionalProperties: false, default: {} },
);
