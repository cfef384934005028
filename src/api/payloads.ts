// Every MQTT payload the daemon publishes or accepts, as TypeBox schemas (= JSON Schema)
// and the TypeScript types derived from them. Dashboard authors get these schemas as
// files in docs/mqtt-payloads/ (a unit test keeps those files equal to this module).
// Timestamps (`ts`, `since`) are wall-clock epoch milliseconds.
import { Type as T, type Static, type TSchema } from '@sinclair/typebox';

export const PAYLOAD_VERSION = 1 as const;

const V = T.Literal(PAYLOAD_VERSION, { description: 'payload format version' });
const Nullable = <S extends TSchema>(s: S) => T.Union([s, T.Null()]);
/** every MQTT payload names its booth, so fleet dashboards can subscribe to pokerface/+/... */
const BoothId = T.Optional(T.String({ description: 'the booth that published it (always present on MQTT)' }));
const Clip = Nullable(T.String({ description: 'clip path relative to the media folder on MQTT, e.g. funny/2/x.mp4' }));

export const PhaseSchema = T.Union(['attract', 'select', 'countdown', 'playing', 'result'].map((p) => T.Literal(p)));
export const OutcomeSchema = T.Union(['cracked', 'survived', 'aborted'].map((o) => T.Literal(o)));

/** `available` is plain text, not JSON: `offline` is both the last will and what a clean stop
 * publishes (the only values Home Assistant's availability understands); the retained
 * `state` says why after a clean stop (`reason`). */
export const AVAILABILITY = ['online', 'offline'] as const;
export type Availability = (typeof AVAILABILITY)[number];

export const StatePayloadSchema = T.Object(
  {
    v: V,
    boothId: BoothId,
    phase: PhaseSchema,
    mode: Nullable(T.String()),
    level: Nullable(T.Integer({ minimum: 1 })),
    clip: Clip,
    since: T.Number({ description: 'epoch ms the phase began' }),
    reason: T.Optional(T.String({ description: 'why the booth went offline; only in the last state before a clean stop ("stopped")' })),
    problems: T.Optional(T.Array(T.String(), { description: 'present while a part is unhealthy, e.g. healing by itself: "capture: camera missing since 12:03:05, retrying every 30 s"' })),
  },
  { additionalProperties: false, $id: 'https://pokerface.invalid/mqtt/state.schema.json', title: 'state (retained, QoS 1)' },
);

export const ScorePayloadSchema = T.Object(
  {
    v: V,
    boothId: BoothId,
    ts: T.Number({ description: 'epoch ms of the frame' }),
    target: T.String({ description: 'target emotion(s) of the mode' }),
    value: T.Number({ minimum: 0, description: 'raw target score minus the baseline' }),
    smoothed: T.Number({ minimum: 0 }),
    threshold: T.Number(),
    holdMs: T.Number({ minimum: 0 }),
    heldMs: T.Number({ minimum: 0, description: 'how long smoothed has stayed at or over the threshold' }),
    faces: T.Integer({ minimum: 0 }),
  },
  { additionalProperties: false, $id: 'https://pokerface.invalid/mqtt/score.schema.json', title: 'score (QoS 0, at most mqtt.scoreHz a second)' },
);

export const EventPayloadSchema = T.Object(
  {
    v: V,
    boothId: BoothId,
    id: T.String(),
    type: T.Union(['round_start', 'cracked', 'survived', 'aborted', 'phase'].map((t) => T.Literal(t))),
    ts: T.Number({ description: 'epoch ms' }),
    mode: Nullable(T.String()),
    level: Nullable(T.Integer({ minimum: 1 })),
    clip: Clip,
    peak: Nullable(T.Number()),
    durationMs: Nullable(T.Number({ minimum: 0 })),
    outcome: Nullable(OutcomeSchema),
    phase: T.Optional(PhaseSchema),
    reason: T.Optional(T.String()),
  },
  { additionalProperties: false, $id: 'https://pokerface.invalid/mqtt/event.schema.json', title: 'event (QoS 1, never lost while the broker is away)' },
);

export const StatsPayloadSchema = T.Object(
  {
    v: V,
    boothId: BoothId,
    version: T.Optional(T.String({ description: 'pokerface version (MQTT only)' })),
    camera: Nullable(
      T.Object(
        {
          fps: T.Number(),
          dropped: T.Integer({ minimum: 0, description: 'camera frames inference never took because a newer one replaced them first (latest wins); the same figure as /api/metrics pokerface_camera_dropped_frames_total' }),
          reconnects: T.Integer(),
        },
        { additionalProperties: false },
      ),
    ),
    infer: Nullable(T.Object({ provider: T.String(), msP50: T.Number(), msP95: T.Number() }, { additionalProperties: false })),
    mqtt: T.Object(
      {
        queued: T.Integer({ minimum: 0, description: 'events waiting or not yet acknowledged' }),
        dropped: T.Optional(T.Integer({ minimum: 0, description: 'events dropped because the queue was full' })),
      },
      { additionalProperties: false },
    ),
    process: T.Object({ rssMb: T.Number(), uptimeS: T.Number() }, { additionalProperties: false }),
    health: T.Optional(
      T.Object({ healthy: T.Boolean(), reasons: T.Array(T.String()) }, { additionalProperties: false, description: 'what GET /api/health says (MQTT only)' }),
    ),
    game: T.Optional(
      T.Object(
        {
          roundsToday: T.Integer({ minimum: 0, description: 'finished rounds since local midnight' }),
          lastOutcome: Nullable(OutcomeSchema),
          lastAt: Nullable(T.Number({ description: 'epoch ms the last round ended' })),
        },
        { additionalProperties: false, description: 'MQTT only' },
      ),
    ),
  },
  { additionalProperties: false, $id: 'https://pokerface.invalid/mqtt/stats.schema.json', title: 'stats (retained, every mqtt.statsIntervalS; camera/infer null when not running)' },
);

export const COMMANDS = ['start', 'stop', 'button', 'restart', 'reload'] as const;
export type CommandName = (typeof COMMANDS)[number];

const Transaction = T.String({ maxLength: 128, description: 'echoed in the response' });
const RequestBase = {
  v: T.Optional(V),
  transaction: T.Optional(Transaction),
  token: T.Optional(T.String({ maxLength: 256, description: 'mqtt.requestToken, required when the booth sets one; ignored otherwise' })),
};

export const StartRequestSchema = T.Object(
  { ...RequestBase, mode: T.Optional(T.String({ pattern: '^[a-z][a-z0-9_-]*$', maxLength: 64 })), level: T.Optional(T.Integer({ minimum: 1, maximum: 3 })) },
  { additionalProperties: false, $id: 'https://pokerface.invalid/mqtt/request-start.schema.json', title: 'request/start' },
);
export const StopRequestSchema = T.Object(RequestBase, { additionalProperties: false, $id: 'https://pokerface.invalid/mqtt/request-stop.schema.json', title: 'request/stop' });
export const ButtonRequestSchema = T.Object(
  { ...RequestBase, name: T.Union(['funny', 'scary', 'level1', 'level2', 'level3', 'start'].map((b) => T.Literal(b))) },
  { additionalProperties: false, $id: 'https://pokerface.invalid/mqtt/request-button.schema.json', title: 'request/button' },
);
export const RestartRequestSchema = T.Object(RequestBase, { additionalProperties: false, $id: 'https://pokerface.invalid/mqtt/request-restart.schema.json', title: 'request/restart' });
export const RELOAD_PARTS = ['media', 'game'] as const;
export const ReloadRequestSchema = T.Object(
  {
    ...RequestBase,
    what: T.Optional(
      T.Array(T.Union(RELOAD_PARTS.map((p) => T.Literal(p))), { minItems: 1, uniqueItems: true, description: 'what to reload (default both): media = rescan the clips, game = the game section of the config file' }),
    ),
  },
  { additionalProperties: false, $id: 'https://pokerface.invalid/mqtt/request-reload.schema.json', title: 'request/reload' },
);

export const ResponsePayloadSchema = T.Object(
  {
    v: V,
    boothId: BoothId,
    transaction: Nullable(Transaction),
    ok: T.Boolean(),
    code: T.Optional(T.String({ description: 'POKERFACE_ERR_* when ok is false' })),
    message: T.Optional(T.String()),
    detail: T.Optional(T.Record(T.String(), T.Unknown(), { description: 'what the command did, e.g. reload: {media: {clips, empty, skipped}, game: {changed}}' })),
  },
  { additionalProperties: false, $id: 'https://pokerface.invalid/mqtt/response.schema.json', title: 'response/<cmd> (QoS 1)' },
);

export const HaScorePayloadSchema = T.Object(
  {
    v: V,
    boothId: T.String(),
    ts: T.Number({ description: 'epoch ms of the frame' }),
    smoothed: T.Number({ minimum: 0, description: 'rounded to 0.01' }),
    faces: T.Integer({ minimum: 0 }),
  },
  { additionalProperties: false, $id: 'https://pokerface.invalid/mqtt/ha-score.schema.json', title: 'ha/score (QoS 0, at most 1 a second, for Home Assistant)' },
);

export type StatePayload = Static<typeof StatePayloadSchema>;
export type ScorePayload = Static<typeof ScorePayloadSchema>;
export type EventPayload = Static<typeof EventPayloadSchema>;
export type StatsPayload = Static<typeof StatsPayloadSchema>;
export type HaScorePayload = Static<typeof HaScorePayloadSchema>;
export type StartRequest = Static<typeof StartRequestSchema>;
export type ButtonRequest = Static<typeof ButtonRequestSchema>;
export type ResponsePayload = Static<typeof ResponsePayloadSchema>;

export const REQUEST_SCHEMAS: Record<CommandName, TSchema> = {
  start: StartRequestSchema,
  stop: StopRequestSchema,
  button: ButtonRequestSchema,
  restart: RestartRequestSchema,
  reload: ReloadRequestSchema,
};

/** Schemas published as docs/mqtt-payloads/<name>.json. */
export const PAYLOAD_SCHEMAS: Record<string, TSchema> = {
  state: StatePayloadSchema,
  score: ScorePayloadSchema,
  event: EventPayloadSchema,
  stats: StatsPayloadSchema,
  'ha-score': HaScorePayloadSchema,
  'request-start': StartRequestSchema,
  'request-stop': StopRequestSchema,
  'request-button': ButtonRequestSchema,
  'request-restart': RestartRequestSchema,
  'request-reload': ReloadRequestSchema,
  response: ResponsePayloadSchema,
};

/** A schema as plain JSON Schema (draft 7 compatible, no TypeBox symbols). */
export function plainSchema(s: TSchema): Record<string, unknown> {
  return { $schema: 'http://json-schema.org/draft-07/schema#', ...(JSON.parse(JSON.stringify(s)) as Record<string, unknown>) };
}
