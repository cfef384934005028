// JSON Schemas of every REST request and response (also the OpenAPI at /api/docs).
import { Type as T, type TSchema } from '@sinclair/typebox';

const Nullable = <S extends TSchema>(s: S) => T.Union([s, T.Null()]);
const Phase = T.Union(['attract', 'select', 'countdown', 'playing', 'result'].map((p) => T.Literal(p)));
const Outcome = T.Union(['cracked', 'survived', 'aborted'].map((o) => T.Literal(o)));

export const ErrorBody = T.Object(
  { code: T.String({ description: 'POKERFACE_ERR_*' }), message: T.String() },
  { additionalProperties: false, description: 'every error answer' },
);

export const OkBody = T.Object({ ok: T.Literal(true), message: T.Optional(T.String()) }, { additionalProperties: false });

const Component = T.Object({ name: T.String(), healthy: T.Boolean(), reasons: T.Array(T.String()) }, { additionalProperties: false });

export const HealthBody = T.Object(
  { healthy: T.Boolean(), reasons: T.Array(T.String()), components: T.Array(Component) },
  { additionalProperties: false },
);

export const StateBody = T.Object(
  { v: T.Literal(1), boothId: T.Optional(T.String()), phase: Phase, mode: Nullable(T.String()), level: Nullable(T.Integer()), clip: Nullable(T.String()), since: T.Number() },
  { additionalProperties: false },
);

export const ScoreBody = T.Object(
  {
    v: T.Literal(1),
    boothId: T.Optional(T.String()),
    ts: T.Number(),
    target: T.String(),
    value: T.Number(),
    smoothed: T.Number(),
    threshold: T.Number(),
    holdMs: T.Number(),
    heldMs: T.Number(),
    faces: T.Integer(),
  },
  { additionalProperties: false },
);

export const StatusBody = T.Object(
  {
    boothId: T.String(),
    version: T.String(),
    state: Nullable(StateBody),
    score: Nullable(ScoreBody),
    levels: T.Array(T.Object({ threshold: T.Number(), holdMs: T.Number() }, { additionalProperties: false })),
    provider: Nullable(T.String()),
    healthy: T.Boolean(),
    reasons: T.Array(T.String()),
    snapshot: T.Boolean({ description: 'whether /api/snapshot.jpg is switched on' }),
    mqtt: Nullable(T.Object({ connected: T.Boolean(), queued: T.Integer(), dropped: T.Integer() }, { additionalProperties: false })),
  },
  { additionalProperties: false },
);

export const StatsBody = T.Object(
  {
    v: T.Literal(1),
    camera: Nullable(T.Object({ fps: T.Number(), dropped: T.Integer(), reconnects: T.Integer() }, { additionalProperties: false })),
    infer: Nullable(T.Object({ provider: T.String(), msP50: T.Number(), msP95: T.Number() }, { additionalProperties: false })),
    mqtt: T.Object({ queued: T.Integer(), dropped: T.Optional(T.Integer()) }, { additionalProperties: false }),
    process: T.Object({ rssMb: T.Number(), uptimeS: T.Number() }, { additionalProperties: false }),
  },
  { additionalProperties: false },
);

export const VersionBody = T.Object(
  { name: T.String(), version: T.String(), node: T.String(), payloadVersion: T.Literal(1) },
  { additionalProperties: false },
);

const RoundResult = T.Object(
  {
    id: T.String(),
    endedAt: T.Number({ description: 'epoch ms' }),
    mode: T.String(),
    level: T.Integer(),
    clip: Nullable(T.String()),
    outcome: Outcome,
    peak: T.Number(),
    durationMs: T.Number(),
    reason: T.Optional(T.String()),
  },
  { additionalProperties: false },
);

const Totals = T.Object(
  {
    day: T.String(),
    mode: T.String(),
    level: T.Integer(),
    rounds: T.Integer(),
    cracked: T.Integer(),
    survived: T.Integer(),
    aborted: T.Integer(),
  },
  { additionalProperties: false },
);

export const ResultsQuery = T.Object(
  {
    limit: T.Optional(T.Integer({ minimum: 1, maximum: 500, default: 20 })),
    sinceDays: T.Optional(T.Integer({ minimum: 1, maximum: 36500 })),
  },
  { additionalProperties: false },
);

export const ResultsBody = T.Object({ recent: T.Array(RoundResult), totals: T.Array(Totals) }, { additionalProperties: false });

export const StartBody = T.Object(
  {
    mode: T.Optional(T.String({ pattern: '^[a-z][a-z0-9_-]*$', maxLength: 64 })),
    level: T.Optional(T.Integer({ minimum: 1, maximum: 3 })),
  },
  { additionalProperties: false },
);

export const ButtonParams = T.Object({ name: T.String({ maxLength: 32 }) }, { additionalProperties: false });
export const ButtonBody = T.Object({ kind: T.Optional(T.Literal('press')) }, { additionalProperties: false });

export const AnyObject = T.Object({}, { additionalProperties: true });

/** the error answers a route may give, for its OpenAPI entry */
export const ErrorResponses = { 400: ErrorBody, 401: ErrorBody, 403: ErrorBody, 404: ErrorBody, 409: ErrorBody, 413: ErrorBody, 429: ErrorBody, 503: ErrorBody };

/** OpenAPI: the route needs the bearer token */
export const Secured = { security: [{ bearer: [] }] };
