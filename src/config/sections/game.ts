import { Type as T } from '@sinclair/typebox';

const Emotion = T.Union(
  ['neutral', 'happy', 'sad', 'angry', 'fearful', 'disgusted', 'surprised'].map((e) => T.Literal(e)),
);

export const LevelSchema = T.Object(
  {
    threshold: T.Number({ exclusiveMinimum: 0, maximum: 1, description: 'smoothed target score that counts as cracking' }),
    holdMs: T.Integer({ minimum: 0, maximum: 60_000, description: 'how long the smoothed score must stay at or over the threshold' }),
    smoothingMs: T.Integer({ minimum: 0, maximum: 10_000, default: 150, description: 'EMA time constant on frame time (0: no smoothing)' }),
  },
  { additionalProperties: false },
);

export const ModeSchema = T.Object(
  {
    targets: T.Array(Emotion, { minItems: 1, description: 'emotions whose probabilities are summed into the score' }),
    media: T.String({ pattern: '^[A-Za-z0-9_-]+$', description: 'folder under media/ (media/<media>/<level>/)' }),
    button: T.Optional(
      T.Union([T.Literal('funny'), T.Literal('scary')], {
        description: 'arcade button that selects this mode; omitted: the button of the same name, if any (other modes: staff start only)',
      }),
    ),
  },
  { additionalProperties: false },
);

export const GameSchema = T.Object(
  {
    modes: T.Record(T.String({ pattern: '^[a-z][a-z0-9_-]*$' }), ModeSchema, {
      default: {
        funny: { targets: ['happy'], media: 'funny', button: 'funny' },
        scary: { targets: ['surprised', 'fearful'], media: 'scary', button: 'scary' },
      },
    }),
    levels: T.Array(LevelSchema, {
      minItems: 1,
      maxItems: 3,
      default: [
        { threshold: 0.8, holdMs: 1000, smoothingMs: 150 },
        { threshold: 0.7, holdMs: 700, smoothingMs: 120 },
        { threshold: 0.6, holdMs: 400, smoothingMs: 100 },
      ],
      description: 'levels 1..3 in order; stricter at higher levels',
    }),
    countdownMs: T.Integer({ minimum: 500, maximum: 30_000, default: 3000, description: 'countdown before the clip; the baseline is measured meanwhile' }),
    selectTimeoutMs: T.Integer({ minimum: 1000, maximum: 600_000, default: 20_000, description: 'no button for this long in select returns to attract' }),
    resultMs: T.Integer({ minimum: 0, maximum: 60_000, default: 5000, description: 'how long the result screen shows' }),
    faceLostMs: T.Integer({ minimum: 0, maximum: 60_000, default: 1500, description: "player's face missing this long (frame time) during a round" }),
    onFaceLost: T.Union([T.Literal('abort'), T.Literal('ignore')], {
      default: 'abort',
      description: 'abort: the round is aborted (hiding your face is not a win); ignore: keep playing',
    }),
    onCameraLost: T.Union([T.Literal('abort'), T.Literal('pause')], {
      default: 'abort',
      description: 'camera stalled or restarted mid-round: abort the round, or pause scoring until frames return',
    }),
    campaign: T.Boolean({ default: false, description: 'a survived clip advances to the next level' }),
    baseline: T.Boolean({ default: true, description: 'subtract the player neutral baseline measured during the countdown' }),
    baselineMax: T.Number({
      minimum: 0,
      maximum: 0.95,
      default: 0.5,
      description: 'cap on the baseline, so laughing through the countdown does not buy immunity',
    }),
    baselineRescale: T.Boolean({
      default: true,
      description: 'divide the score above the baseline by (1 - baseline), so every threshold stays reachable',
    }),
    trackIou: T.Number({ minimum: 0, maximum: 1, default: 0.3, description: 'IoU that keeps following the same face' }),
    onLookAway: T.Union([T.Literal('abort'), T.Literal('warn'), T.Literal('off')], {
      default: 'abort',
      description:
        "player's head turned past lookAwayYawDeg/lookAwayPitchDeg during a clip: \"Watch the screen!\" at once, then abort: the round is aborted (looked_away) after lookAwayMs; warn: only the warning; off: no attention check. Never a win: a clip that ends while the player looks away (or, with warn, after more than lookAwayMs away in all) is aborted",
    }),
    lookAwayMs: T.Integer({ minimum: 0, maximum: 60_000, default: 2000, description: 'how long (frame time) the player may look away before the round is aborted' }),
    lookAwayYawDeg: T.Number({ minimum: 5, maximum: 90, default: 45, description: 'head turned left/right more than this (degrees, estimated from the face keypoints) is looking away' }),
    lookAwayPitchDeg: T.Number({ minimum: 5, maximum: 90, default: 35, description: 'head tilted up/down more than this (degrees) is looking away' }),
    maxRoundMs: T.Integer({ minimum: 1000, maximum: 3_600_000, default: 600_000, description: 'a round longer than this is aborted (clip never ended)' }),
  },
  { additionalProperties: false, default: {} },
);
