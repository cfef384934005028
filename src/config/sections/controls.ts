import { Type as T } from '@sinclair/typebox';

const Line = T.Object(
  {
    chip: T.Optional(T.String({ description: 'gpiochip name or path; defaults to controls.gpio.chip' })),
    line: T.Integer({ minimum: 0, maximum: 1023 }),
    activeLow: T.Boolean({ default: true }),
    bias: T.Union([T.Literal('pull-up'), T.Literal('pull-down'), T.Literal('disable'), T.Literal('as-is')], { default: 'pull-up' }),
    debounceMs: T.Integer({ minimum: 0, maximum: 1000, default: 40 }),
  },
  { additionalProperties: false },
);
const Light = T.Object(
  {
    chip: T.Optional(T.String()),
    line: T.Integer({ minimum: 0, maximum: 1023 }),
    activeLow: T.Boolean({ default: false }),
  },
  { additionalProperties: false },
);
const ButtonName = T.Union(['funny', 'scary', 'level1', 'level2', 'level3', 'start'].map((b) => T.Literal(b)));

export const ControlsSchema = T.Object(
  {
    backends: T.Array(T.Union([T.Literal('gpio'), T.Literal('keyboard')]), {
      default: ['gpio'],
      uniqueItems: true,
      description: 'physical backends; virtual buttons (REST/MQTT) are always on',
    }),
    holdMs: T.Integer({ minimum: 100, maximum: 60_000, default: 1000, description: 'a press held this long also emits hold' }),
    staffHoldMs: T.Integer({ minimum: 500, maximum: 60_000, default: 3000, description: 'holding start this long returns to attract' }),
    blinkMs: T.Integer({ minimum: 50, maximum: 5000, default: 400 }),
    gpio: T.Object(
      {
        chip: T.String({ default: 'gpiochip0' }),
        gpiomonPath: T.String({ default: 'gpiomon' }),
        gpiosetPath: T.String({ default: 'gpioset' }),
        buttons: T.Partial(T.Record(ButtonName, Line), { default: {} }),
        lights: T.Partial(T.Record(ButtonName, Light), { default: {} }),
      },
      { additionalProperties: false, default: {} },
    ),
    keyboard: T.Object(
      {
        keys: T.Record(T.String({ minLength: 1, maxLength: 1 }), ButtonName, {
          default: { f: 'funny', s: 'scary', '1': 'level1', '2': 'level2', '3': 'level3', ' ': 'start', '\r': 'start' },
        }),
      },
      { additionalProperties: false, default: {} },
    ),
  },
  { additionalProperties: false, default: {} },
);
