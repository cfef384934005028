import { Type as T, type Static } from '@sinclair/typebox';

export const MqttSchema = T.Object(
  {
    enabled: T.Boolean({ default: true }),
    url: T.String({ default: 'mqtt://127.0.0.1:1883', description: 'broker URL (mqtt://, mqtts://, ws://, wss://) or "embedded" (an in-process MQTT 3.1.1 broker)' }),
    embeddedHost: T.String({ default: '127.0.0.1', description: 'bind address of the embedded broker' }),
    embeddedPort: T.Integer({ minimum: 0, maximum: 65535, default: 1883 }),
    embeddedViewerUsername: T.String({ default: '', description: 'embedded broker: a second login for dashboards; it may subscribe, but not publish under pokerface/ (so no requests)' }),
    embeddedViewerPassword: T.String({ default: '', description: 'secret: set POKERFACE_MQTT_EMBEDDEDVIEWERPASSWORD instead of writing it here' }),
    clientId: T.String({ default: '', description: 'empty: pokerface-<boothId>' }),
    username: T.String({ default: '', description: 'or POKERFACE_MQTT_USERNAME' }),
    password: T.String({
      default: '',
      description: 'secret: set POKERFACE_MQTT_PASSWORD instead of writing it here. With the embedded broker, username/password is the staff login (the only one that may send requests); required when embeddedHost is off loopback',
    }),
    maxPacketBytes: T.Integer({
      minimum: 1024,
      maximum: 268_435_455,
      default: 65_536,
      description: 'largest MQTT packet: the embedded broker closes a connection whose packet header announces more, before reading it; sent to MQTT 5 brokers as maximumPacketSize',
    }),
    requestToken: T.String({
      default: '',
      description: 'secret (POKERFACE_MQTT_REQUESTTOKEN): when set, requests must carry it as "token" (at least 24 characters); for brokers shared with other systems',
    }),
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

export type MqttConfig = Static<typeof MqttSchema>;

/** Shortest mqtt.requestToken accepted (the same policy as the REST token). */
export const MIN_REQUEST_TOKEN_LENGTH = 24;

/** Whether a bind address only accepts connections from this machine. */
export function isLoopbackHost(host: string): boolean {
  const h = host.trim().toLowerCase().replace(/^\[|\]$/g, '');
  return h === 'localhost' || h === '::1' || /^127\.\d{1,3}\.\d{1,3}\.\d{1,3}$/.test(h) || /^::ffff:127\.\d{1,3}\.\d{1,3}\.\d{1,3}$/.test(h);
}

/** Rules across mqtt keys that the schema cannot say; each is a config error (exit 78). */
export function mqttConfigIssues(m: MqttConfig): Array<{ path: string; message: string }> {
  const out: Array<{ path: string; message: string }> = [];
  if (!m.enabled) return out;
  if (m.url === 'embedded') {
    if (m.password === '' && !isLoopbackHost(m.embeddedHost)) {
      out.push({
        path: 'mqtt.password',
        message: `required when the embedded broker listens off loopback (mqtt.embeddedHost: "${m.embeddedHost}"): anyone on the network could send requests; set POKERFACE_MQTT_PASSWORD (and mqtt.username), or bind to 127.0.0.1`,
      });
    }
    if (m.password !== '' && m.username === '') out.push({ path: 'mqtt.username', message: 'required with mqtt.password: it names the embedded broker\'s staff login' });
    if (m.embeddedViewerPassword !== '' || m.embeddedViewerUsername !== '') {
      if (m.password === '') out.push({ path: 'mqtt.embeddedViewerUsername', message: 'a viewer login needs the staff login too (mqtt.username and mqtt.password); without it every client is staff' });
      if (m.embeddedViewerUsername === '' || m.embeddedViewerPassword === '') out.push({ path: 'mqtt.embeddedViewerUsername', message: 'set both embeddedViewerUsername and embeddedViewerPassword, or neither' });
      if (m.embeddedViewerUsername !== '' && m.embeddedViewerUsername === m.username) out.push({ path: 'mqtt.embeddedViewerUsername', message: 'must differ from mqtt.username' });
    }
  }
  if (m.requestToken !== '' && m.requestToken.length < MIN_REQUEST_TOKEN_LENGTH) {
    out.push({ path: 'mqtt.requestToken', message: `must be at least ${MIN_REQUEST_TOKEN_LENGTH} characters (it is ${m.requestToken.length})` });
  }
  return out;
}
