import { Type as T } from '@sinclair/typebox';

export const MqttSchema = T.Object(
  {
    enabled: T.Boolean({ default: true }),
    url: T.String({ default: 'mqtt://127.0.0.1:1883', description: 'broker URL (mqtt://, mqtts://, ws://, wss://) or "embedded" (an in-process MQTT 3.1.1 broker)' }),
    embeddedHost: T.String({ default: '127.0.0.1', description: 'bind address of the embedded broker' }),
    embeddedPort: T.Integer({ minimum: 0, maximum: 65535, default: 1883 }),
    clientId: T.String({ default: '', description: 'empty: pokerface-<boothId>' }),
    username: T.String({ default: '', description: 'or POKERFACE_MQTT_USERNAME' }),
    password: T.String({ default: '', description: 'secret: set POKERFACE_MQTT_PASSWORD instead of writing it here' }),
    protocolVersion: T.Union([T.Literal(4), T.Literal(5)], { default: 5, description: '5 (MQTT 5) or 4 (MQTT 3.1.1)' }),
    tls: T.Object(
      {
        ca: T.String({ default: '', description: 'CA certificate file (PEM)' }),
        cert: T.String({ default: '', description: 'client certificate file (PEM)' }),
        key: T.String({ default: '', description: 'client key file (PEM)' }),
        rejectUnauthorized: T.Boolean({ default: true }),
      },
      { additionalProperties: false, default: {} },
    ),
    scoreHz: T.Number({ exclusiveMinimum: 0, maximum: 60, default: 10, description: 'most score messages a second (latest wins)' }),
    statsIntervalS: T.Number({ minimum: 1, maximum: 3600, default: 10, description: 'retained stats every this many seconds' }),
    queueSize: T.Integer({ minimum: 1, maximum: 1_000_000, default: 1000, description: 'events kept while the broker is away' }),
    reconnectMinMs: T.Integer({ minimum: 100, maximum: 600_000, default: 1000 }),
    reconnectMaxMs: T.Integer({ minimum: 100, maximum: 600_000, default: 30_000 }),
    keepaliveS: T.Integer({ minimum: 1, maximum: 3600, default: 30, description: 'MQTT keepalive; a silent broker is noticed after about 1.5 times this' }),
    connectTimeoutMs: T.Integer({ minimum: 100, maximum: 600_000, default: 10_000 }),
    inflightMax: T.Integer({ minimum: 1, maximum: 65_000, default: 100, description: 'QoS 1 events handed to the client and not yet acknowledged; more wait in the queue' }),
    homeAssistant: T.Object(
      {
        enabled: T.Boolean({ default: false, description: 'publish Home Assistant MQTT discovery' }),
        prefix: T.String({ pattern: '^[A-Za-z0-9_/-]{1,64}$', default: 'homeassistant', description: 'discovery prefix (no + or #)' }),
        configurationUrl: T.String({ default: '', description: "the booth's page in Home Assistant links here; empty: http://<hostname>:<api.port>/ when the REST API is on" }),
      },
      { additionalProperties: false, default: {} },
    ),
  },
  { additionalProperties: false, default: {} },
);
