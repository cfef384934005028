// JSON Schemas of the staff console's REST reads (also in the OpenAPI at /api/docs).
import { Type as T, type TSchema } from '@sinclair/typebox';

const Nullable = <S extends TSchema>(s: S) => T.Union([s, T.Null()]);

const Component = T.Object({ name: T.String(), healthy: T.Boolean(), reasons: T.Array(T.String()) }, { additionalProperties: false });

export const SystemBody = T.Object(
  {
    v: T.Literal(1),
    time: T.Number({ description: 'epoch ms on the booth (the page corrects its own clock by it)' }),
    uptimeS: T.Number(),
    rssMb: T.Number(),
    loopLagMs: T.Object({ meanMs: T.Number(), maxMs: T.Number() }, { additionalProperties: false, description: 'event-loop lag of the main thread over the last ~10 s' }),
    camera: Nullable(
      T.Object({ state: T.String(), fps: T.Number(), dropped: T.Integer(), reconnects: T.Integer() }, { additionalProperties: false }),
    ),
    infer: Nullable(
      T.Object(
        { provider: T.String(), msP50: T.Number(), msP95: T.Number(), frames: T.Integer() },
        { additionalProperties: false },
      ),
    ),
    mqtt: Nullable(
      T.Object(
        {
          broker: T.String({ description: 'embedded host:port, or scheme://host:port of the external broker (no credentials)' }),
          connected: T.Boolean(),
          queued: T.Integer(),
          dropped: T.Integer(),
          reconnects: T.Integer(),
        },
        { additionalProperties: false },
      ),
    ),
    healthy: T.Boolean(),
    components: T.Array(Component, { description: 'each component once' }),
  },
  { additionalProperties: false },
);

const ClipRow = T.Object(
  {
    name: T.String({ description: 'relative to the media folder, e.g. funny/1/cat.mp4' }),
    mode: Nullable(T.String()),
    level: Nullable(T.Integer()),
    durationMs: Nullable(T.Number({ description: 'probed length; null for a clip no longer in the library' })),
    playable: T.Boolean(),
    rounds: T.Integer(),
    cracked: T.Integer(),
    survived: T.Integer(),
    aborted: T.Integer(),
    crackRate: Nullable(T.Number({ description: 'cracked / (cracked + survived)' })),
    medianCrackMs: Nullable(T.Number()),
    lastPlayed: Nullable(T.Number({ description: 'epoch ms' })),
    failures: T.Integer({ description: 'rounds aborted because the clip failed to play' }),
  },
  { additionalProperties: false },
);

const ClipProblem = T.Object(
  {
    name: T.String(),
    kind: T.Union([T.Literal('probe'), T.Literal('play')]),
    reason: T.String(),
    at: Nullable(T.Number({ description: 'epoch ms of the last failure to play' })),
  },
  { additionalProperties: false },
);

export const ClipsBody = T.Object(
  {
    modes: T.Array(T.Object({ name: T.String(), folder: T.String(), targets: T.Array(T.String()) }, { additionalProperties: false })),
    levels: T.Array(T.Object({ level: T.Integer(), threshold: T.Number(), holdMs: T.Number() }, { additionalProperties: false })),
    media: T.Boolean({ description: 'false when the media library is not running' }),
    results: T.Boolean({ description: 'false when the results log is not running (figures are then zero)' }),
    roundsCounted: T.Integer({ description: 'rounds of the results log the figures come from (the newest, at most 10000)' }),
    empty: T.Array(T.String(), { description: 'mode/level folders without a playable clip' }),
    clips: T.Array(ClipRow),
    problems: T.Array(ClipProblem, { description: 'clips that failed to probe or to play, with the reason' }),
  },
  { additionalProperties: false },
);

export const CsvQuery = T.Object(
  { sinceDays: T.Optional(T.Integer({ minimum: 1, maximum: 36500 })) },
  { additionalProperties: false },
);
