import { Type as T } from '@sinclair/typebox';

export const ApiSchema = T.Object(
  {
    enabled: T.Boolean({ default: true }),
    host: T.String({ default: '0.0.0.0' }),
    port: T.Integer({ minimum: 0, maximum: 65535, default: 8080 }),
    token: T.String({ default: '', description: 'bearer token for POST routes; secret: set POKERFACE_API_TOKEN. Empty: POSTs answer 403' }),
    snapshot: T.Boolean({ default: false, description: 'serve the camera snapshot and live preview (needs the token)' }),
    rateLimitPerMinute: T.Integer({ minimum: 1, maximum: 100_000, default: 60, description: 'POST requests per client per minute' }),
    bodyLimit: T.Integer({ minimum: 256, maximum: 10_485_760, default: 16_384, description: 'largest request body in bytes' }),
    sessionTtlS: T.Integer({ minimum: 60, maximum: 604_800, default: 43_200, description: 'lifetime of the snapshot session cookie a browser gets for the token' }),
    scoreHz: T.Number({ exclusiveMinimum: 0, maximum: 60, default: 10, description: 'most score messages a second on /api/events' }),
  },
  { additionalProperties: false, default: {} },
);
