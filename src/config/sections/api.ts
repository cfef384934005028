import { Type as T } from '@sinclair/typebox';

export const ApiSchema = T.Object(
  {
    enabled: T.Boolean({ default: true }),
    host: T.String({
      default: '127.0.0.1',
      description: 'bind address. Loopback by default: reach it through a reverse proxy or an SSH tunnel; to serve the LAN directly set 0.0.0.0 together with api.tls',
    }),
    port: T.Integer({ minimum: 0, maximum: 65535, default: 8080 }),
    token: T.String({ default: '', description: 'bearer token for POST routes; secret: set POKERFACE_API_TOKEN. Empty: POSTs answer 403' }),
    snapshot: T.Boolean({ default: false, description: 'serve the camera snapshot and live preview (needs the token)' }),
    rateLimitPerMinute: T.Integer({ minimum: 1, maximum: 100_000, default: 60, description: 'POST requests per client per minute' }),
    requestsPerMinute: T.Integer({ minimum: 1, maximum: 1_000_000, default: 600, description: 'requests of any kind per client IP per minute, counted before authentication' }),
    authFailuresPerMinute: T.Integer({ minimum: 1, maximum: 10_000, default: 10, description: 'failed authentications per client IP per minute; beyond it every authenticated route answers 429' }),
    publicRead: T.Boolean({ default: true, description: 'false: /api/config, /api/results and /api/metrics need api.token or api.readToken' }),
    readToken: T.String({ default: '', description: 'bearer token for the reads publicRead: false guards (e.g. a Prometheus scraper); secret: set POKERFACE_API_READ_TOKEN' }),
    allowedHosts: T.Array(T.String({ minLength: 1, maxLength: 255 }), {
      default: [],
      maxItems: 64,
      description: 'Host header names (without port) the API answers; empty: loopback, the machine\'s own addresses and hostname; "*" allows any (not recommended: DNS rebinding)',
    }),
    trustProxy: T.Array(T.String({ minLength: 1, maxLength: 64 }), {
      default: [],
      maxItems: 16,
      description: 'addresses (or CIDR ranges) of a reverse proxy in front of the API: requests from them are counted by the client IP in X-Forwarded-For',
    }),
    tls: T.Object(
      {
        cert: T.String({ default: '', description: 'certificate file (PEM); with key, the API speaks HTTPS only' }),
        key: T.String({ default: '', description: 'private key file (PEM)' }),
      },
      { additionalProperties: false, default: {} },
    ),
    requestTimeoutMs: T.Integer({ minimum: 1000, maximum: 300_000, default: 10_000, description: 'a request (headers and body) must arrive within this' }),
    headersTimeoutMs: T.Integer({ minimum: 1000, maximum: 300_000, default: 5_000, description: 'request headers must arrive within this' }),
    connectionTimeoutMs: T.Integer({ minimum: 1000, maximum: 600_000, default: 30_000, description: 'an idle connection (no bytes either way) is closed after this; event streams are exempt' }),
    keepAliveTimeoutMs: T.Integer({ minimum: 100, maximum: 600_000, default: 5_000, description: 'how long a finished keep-alive connection waits for the next request' }),
    maxConnections: T.Integer({ minimum: 8, maximum: 100_000, default: 256, description: 'open connections at most; more are refused' }),
    sseMax: T.Integer({ minimum: 1, maximum: 1000, default: 32, description: 'event streams (/api/events) open at once' }),
    ssePerIp: T.Integer({ minimum: 1, maximum: 1000, default: 4, description: 'event streams open at once from one client IP' }),
    sseMaxAgeS: T.Integer({ minimum: 10, maximum: 86_400, default: 900, description: 'an event stream is closed after this long; browsers reconnect by themselves' }),
    bodyLimit: T.Integer({ minimum: 256, maximum: 10_485_760, default: 16_384, description: 'largest request body in bytes' }),
    sessionTtlS: T.Integer({ minimum: 60, maximum: 604_800, default: 43_200, description: 'lifetime of the snapshot session cookie a browser gets for the token' }),
    scoreHz: T.Number({ exclusiveMinimum: 0, maximum: 60, default: 10, description: 'most score messages a second on /api/events' }),
  },
  { additionalProperties: false, default: {} },
);
