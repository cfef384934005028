// Every MQTT payload the daemon publishes or accepts, as TypeBox schemas (= JSON Schema)
// and the TypeScript types derived from them. Dashboard authors get these schemas as
// files in docs/mqtt-payloads/ (a unit test keeps those files equal to this module).
// Timestamps (`ts`, `since`) are wall-clock epoch milliseconds.
import { Type as T, type Static, type TSchema } from '@sinclair/typebox';

export const PAYLOAD_VERSION = 1 as const;

const V = T.Literal(PAYLOAD_VERSION, { description: 'payload format version' });
const Nullable = <S extends TSchema>(s: S) => T.Union([s, T.Null()]);

export const PhaseSchema = T.Union(['attract', 'select', 'countdown', 'playing', 'result'].map((p) => T.Literal(p)));
export const OutcomeSchema = T.Union(['cracked', 'survived', 'aborted'].map((o) => T.Literal(o)));

/** `available` is plain text, not JSON. */
export const AVAILABILITY = ['online', 'offline', 'stopped'] as const;
export type Availability = (typeof AVAILABILITY)[number];

export const StatePayloadSchema = T.Object(
  {
    v: V,
    phase: PhaseSchema,
    mode: Nullable(T.String()),
    level: Nullable(T.Integer({ minimum: 1 })),
    clip: Nullable(T.String()),
    since: T.Number({ description: 'epoch ms the phase began' }),
    problems: T.Optional(T.Array(T.String(), { description: 'present while a part is unhealthy, e.g. healing by itself: "capture: camera missing since 12:03:05, retrying every 30 s"' })),
  },
  { additionalProperties: false, $id: 'https://pokerface.invalid/mqtt/state.schema.json', title: 'state (retained, QoS 1)' },
);

export const ScorePayloadSchema = T.Object(
  {
    v: V,
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
    id: T.String(),
    type: T.Union(['round_start', 'cracked', 'survived', 'aborted', 'phase'].map((t) => T.Literal(t))),
    ts: T.Number({ description: 'epoch ms' }),
    mode: Nullable(T.String()),
    level: Nullable(T.Integer({ minimum: 1 })),
    clip: Nullable(T.String()),
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
    camera: Nullable(T.Object({ fps: T.Number(), dropped: T.Integer(), reconnects: T.Integer() }, { additionalProperties: false })),
    infer: Nullable(T.Object({ provider: T.String(), msP50: T.Number(), msP95: T.Number() }, { additionalProperties: false })),
    mqtt: T.Object(
      {
        queued: T.Integer({ minimum: 0, description: 'events waiting or not yet acknowledged' }),
        dropped: T.Optional(T.Integer({ minimum: 0, description: 'events dropped because the queue was full' })),
      },
      { additionalProperties: false },
    ),
    process: T.Object({ rssMb: T.Number(), uptimeS: T.Number() }, { additionalProperties: false }),
  },
  { additionalProperties: false, $id: 'https://pokerface.invalid/mqtt/stats.schema.json', title: 'stats (retained, every mqtt.statsIntervalS; camera/infer null when not running)' },
);

export const COMMANDS = ['start', 'stop', 'button', 'restart'] as const;
export type CommandName = (typeof COMMANDS)[number];

const Transaction = T.String({ maxLength: 128, description: 'echoed in the response' });
const RequestBase = { v: T.Optional(V), transaction: T.Optional(Transaction) };

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

export const ResponsePayloadSchema = T.Object(
  {
    v: V,
    transaction: Nullable(Transaction),
    ok: T.Boolean(),
    code: T.Optional(T.String({ description: 'POKERFACE_ERR_* when ok is false' })),
    message: T.Optional(T.String()),
  },
  { additionalProperties: false, $id: 'https://pokerface.invalid/mqtt/response.schema.json', title: 'response/<cmd> (QoS 1)' },
);

export type StatePayload = Static<typeof StatePayloadSchema>;
export type ScorePayload = Static<typeof ScorePayloadSchema>;
export type EventPayload = Static<typeof EventPayloadSchema>;
export type StatsPayload = Static<typeof StatsPayloadSchema>;
export type StartRequest = Static<typeof StartRequestSchema>;
export type ButtonRequest = Static<typeof ButtonRequestSchema>;
export type ResponsePayload = Static<typeof ResponsePayloadSchema>;

export const REQUEST_SCHEMAS: Record<CommandName, TSchema> = {
  start: StartRequestSchema,
  stop: StopRequestSchema,
  button: ButtonRequestSchema,
  restart: RestartRequestSchema,
};

/** Schemas published as docs/mqtt-payloads/<name>.json. */
export const PAYLOAD_SCHEMAS: Record<string, TSchema> = {
  state: StatePayloadSchema,
  score: ScorePayloadSchema,
  event: EventPayloadSchema,
  stats: StatsPayloadSchema,
  'request-start': StartRequestSchema,
  'request-stop': StopRequestSchema,
  'request-button': ButtonRequestSchema,
  'request-restart': RestartRequestSchema,
  response: ResponsePayloadSchema,
};

/** A schema as plain JSON Schema (draft 7 compatible, no TypeBox symbols). */
export function plainSchema(s: TSchema): Record<string, unknown> {
  return { $schema: 'http://json-schema.org/draft-07/schema#', ...(JSON.parse(JSON.stringify(s)) as Record<string, unknown>) };
}
