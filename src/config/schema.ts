// The one JSON Schema for every key the daemon reads. Each module's keys live in
// sections/<module>.ts; this file only composes them.
import { Type as T, type Static } from '@sinclair/typebox';
import { ApiSchema } from './sections/api.js';
import { CameraSchema } from './sections/camera.js';
import { ControlsSchema } from './sections/controls.js';
import { GameSchema } from './sections/game.js';
import { ModelSchema } from './sections/model.js';
import { MqttSchema } from './sections/mqtt.js';
import { PlayerSchema } from './sections/player.js';
import { ResultsSchema } from './sections/results.js';
import { SystemdSchema } from './sections/systemd.js';

export const ConfigSchema = T.Object(
  {
    boothId: T.String({
      pattern: '^[A-Za-z0-9_-]{1,64}$',
      default: 'booth',
      description: 'booth id used in MQTT topics: letters, digits, - and _ only',
    }),
    logLevel: T.Union(
      ['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent'].map((l) => T.Literal(l)),
      { default: 'info' },
    ),
    demo: T.Boolean({ default: false, description: 'demo mode: no camera, screen or buttons needed' }),
    camera: CameraSchema,
    model: ModelSchema,
    game: GameSchema,
    player: PlayerSchema,
    controls: ControlsSchema,
    mqtt: MqttSchema,
    api: ApiSchema,
    results: ResultsSchema,
    systemd: SystemdSchema,
  },
  { additionalProperties: false, $id: 'https://pokerface.invalid/config.schema.json', title: 'pokerface configuration' },
);

export type Config = Static<typeof ConfigSchema>;
export type DeepReadonly<X> = X extends (infer E)[]
  ? ReadonlyArray<DeepReadonly<E>>
  : X extends object
    ? { readonly [K in keyof X]: DeepReadonly<X[K]> }
    : X;
export type FrozenConfig = DeepReadonly<Config>;

/** Keys holding secrets: redacted in /api/config and never logged. */
export const SECRET_PATHS: ReadonlyArray<readonly string[]> = [
  ['api', 'token'],
  ['api', 'readToken'],
  ['mqtt', 'password'],
  ['mqtt', 'embeddedViewerPassword'],
  ['mqtt', 'requestToken'],
  ['mqtt', 'tls', 'key'],
];

/** The schema as plain JSON (no TypeBox symbols), for /api/config/schema.json and docs. */
export function configJsonSchema(): unknown {
  return JSON.parse(JSON.stringify(ConfigSchema)) as unknown;
}
