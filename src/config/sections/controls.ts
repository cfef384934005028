import { Type as T } from '@sinclair/typebox';

const Bias = T.Union([T.Literal('pull-up'), T.Literal('pull-down'), T.Literal('disable'), T.Literal('as-is')], {
  default: 'pull-up',
  description: 'line bias requested from the kernel (needs kernel 5.5+; as-is leaves it alone)',
});

const Line = T.Object(
  {
    chip: T.Optional(T.String({ description: 'gpiochip name or path; defaults to controls.gpio.chip' })),
    line: T.Integer({ minimum: 0, maximum: 1023, description: 'line offset on the chip (gpioinfo lists them)' }),
    activeLow: T.Boolean({ default: true, description: 'pressed = line pulled low (button to ground with pull-up)' }),
    bias: Bias,
    debounceMs: T.Integer({ minimum: 0, maximum: 1000, default: 40, description: 'the line must be quiet this long before a press or release counts' }),
  },
  { additionalProperties: false },
);
const Light = T.Object(
  {
    chip: T.Optional(T.String({ description: 'gpiochip name or path; defaults to controls.gpio.chip' })),
    line: T.Integer({ minimum: 0, maximum: 1023 }),
    activeLow: T.Boolean({ default: false, description: 'lamp lit when the line is driven low' }),
  },
  { additionalProperties: false },
);
const NAMES = ['funny', 'scary', 'level1', 'level2', 'level3', 'start'] as const;
const ButtonName = T.Union(NAMES.map((b) => T.Literal(b)));
/** one optional entry per button name; unknown names are rejected */
const PerButton = <S extends typeof Line | typeof Light>(schema: S, description: string) =>
  T.Object(
    {
      funny: T.Optional(schema),
      scary: T.Optional(schema),
      level1: T.Optional(schema),
      level2: T.Optional(schema),
      level3: T.Optional(schema),
      start: T.Optional(schema),
    },
    { additionalProperties: false, default: {}, description },
  );

export const ControlsSchema = T.Object(
  {
    backends: T.Array(T.Union([T.Literal('gpio'), T.Literal('keyboard')]), {
      default: ['gpio'],
      uniqueItems: true,
      description: 'physical backends; virtual buttons (REST/MQTT) are always on',
    }),
    holdMs: T.Integer({ minimum: 100, maximum: 60_000, default: 1000, description: 'a press held this long also emits hold (every button but start)' }),
    staffHoldMs: T.Integer({
      minimum: 500,
      maximum: 60_000,
      default: 3000,
      description: 'start held this long emits its (only) hold: staff "back to attract"',
    }),
    blinkMs: T.Integer({ minimum: 50, maximum: 5000, default: 400, description: 'half period of a blinking button light' }),
    gpio: T.Object(
      {
        chip: T.String({ default: 'gpiochip0' }),
        gpiomonPath: T.String({ default: 'gpiomon' }),
        gpiosetPath: T.String({ default: 'gpioset' }),
        gpioinfoPath: T.String({ default: 'gpioinfo' }),
        retryMaxMs: T.Integer({
          minimum: 100,
          maximum: 600_000,
          default: 30_000,
          description: 'lines that fail to open (or whose monitor dies) are retried with backoff up to this interval',
        }),
        buttons: PerButton(Line, 'button name → input line'),
        lights: PerButton(Light, 'button name → output line of its lamp'),
      },
      { additionalProperties: false, default: {} },
    ),
    keyboard: T.Object(
      {
        keys: T.Record(T.String({ minLength: 1, maxLength: 1 }), ButtonName, {
          default: { f: 'funny', s: 'scary', '1': 'level1', '2': 'level2', '3': 'level3', ' ': 'start', '\r': 'start' },
          description: 'key → button press; a key kept down (terminal auto-repeat) also emits hold',
        }),
        holdKeys: T.Record(T.String({ minLength: 1, maxLength: 1 }), ButtonName, {
          default: { F: 'funny', S: 'scary', q: 'start' },
          description: 'key → button hold at once (q: staff back to attract), for terminals without auto-repeat',
        }),
      },
      { additionalProperties: false, default: {} },
    ),
  },
  { additionalProperties: false, default: {} },
);
