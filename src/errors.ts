// One table of stable error codes. Codes are part of the public surface (logs, MQTT
// responses, REST bodies, exit codes): never rename one, only add.

/** sysexits.h values systemd units can key on (RestartPreventExitStatus=78). */
export const EXIT = {
  OK: 0,
  FAILURE: 1,
  DATAERR: 65,
  NOINPUT: 66,
  UNAVAILABLE: 69,
  SOFTWARE: 70,
  TEMPFAIL: 75,
  CONFIG: 78,
} as const;

interface ErrorSpec {
  message: string;
  /** set when the error ends the process: the exit code to use */
  exit?: number;
  /** set when the REST API can answer with this code: the HTTP status it answers with */
  status?: number;
}

export const ERRORS = {
  POKERFACE_ERR_CONFIG_NOT_FOUND: { message: 'configuration file not found', exit: EXIT.CONFIG },
  POKERFACE_ERR_CONFIG_PARSE: { message: 'configuration file is not valid YAML', exit: EXIT.CONFIG },
  POKERFACE_ERR_CONFIG_INVALID: { message: 'configuration does not match the schema', exit: EXIT.CONFIG },
  POKERFACE_ERR_USAGE: { message: 'bad command line', exit: 64 },

  POKERFACE_ERR_MODEL_MISSING: { message: 'model file missing; run `pokerface models build`', exit: EXIT.NOINPUT },
  POKERFACE_ERR_MODEL_CORRUPT: { message: 'model file does not match its manifest (sha256)', exit: EXIT.DATAERR },
  POKERFACE_ERR_MODEL_SHAPE: { message: 'model inputs/outputs do not have the expected names or shapes', exit: EXIT.DATAERR },
  POKERFACE_ERR_MODEL_LOAD: { message: 'onnxruntime could not load the model', exit: EXIT.DATAERR },
  POKERFACE_ERR_MODEL_BUILD: { message: 'model conversion failed' },
  POKERFACE_ERR_PROVIDER_UNAVAILABLE: { message: 'no configured execution provider could be initialised', exit: EXIT.UNAVAILABLE },
  POKERFACE_ERR_ENGINE_CACHE: { message: 'TensorRT engine cache directory is not writable', exit: EXIT.CONFIG },
  POKERFACE_ERR_INFER_TIMEOUT: { message: 'inference worker did not answer in time' },
  POKERFACE_ERR_INFER_WORKER: { message: 'inference worker crashed' },
  POKERFACE_ERR_INFER_CLOSED: { message: 'detector is closed' },
  POKERFACE_ERR_INFER_DROPPED: { message: 'frame dropped: a newer frame replaced it while inference was busy' },
  POKERFACE_ERR_IMAGE_DECODE: { message: 'file is not a readable image' },
  POKERFACE_ERR_FRAME_INVALID: { message: 'frame has an invalid size or format' },

  POKERFACE_ERR_CAMERA_NOT_FOUND: { message: 'camera device or input not found' },
  POKERFACE_ERR_CAMERA_PIPELINE: { message: 'capture pipeline failed to start' },
  POKERFACE_ERR_CAMERA_STALL: { message: 'no camera frame within camera.stallMs' },
  POKERFACE_ERR_CAMERA_EXITED: { message: 'capture process exited' },
  POKERFACE_ERR_CAMERA_FRAME_SIZE: { message: 'camera delivered frames of the wrong size' },
  POKERFACE_ERR_CAPTURE_BACKEND: { message: 'capture backend is not available on this machine' },
  POKERFACE_ERR_CAMERA_NOT_VIDEO: { message: 'capture input is not a readable video or image' },

  POKERFACE_ERR_PLAYER_SPAWN: { message: 'mpv could not be started' },
  POKERFACE_ERR_PLAYER_IPC: { message: 'mpv IPC request failed or timed out' },
  POKERFACE_ERR_PLAYER_DIED: { message: 'mpv died or stopped answering' },
  POKERFACE_ERR_MEDIA_OUTSIDE: { message: 'media path is outside the media folder' },
  POKERFACE_ERR_MEDIA_EMPTY: { message: 'no playable clips for this mode and level', status: 409 },
  POKERFACE_ERR_MEDIA_UNPLAYABLE: { message: 'clip cannot be played' },
  POKERFACE_ERR_MEDIA_MAKE: { message: 'demo media generation failed' },

  POKERFACE_ERR_GPIO_OPEN: { message: 'GPIO line could not be opened' },
  POKERFACE_ERR_GPIO_UNAVAILABLE: { message: 'libgpiod tools are not installed' },
  POKERFACE_ERR_UNKNOWN_BUTTON: { message: 'unknown button name', status: 400 },

  POKERFACE_ERR_MQTT_CONNECT: { message: 'cannot connect to the MQTT broker' },
  POKERFACE_ERR_MQTT_BAD_REQUEST: { message: 'MQTT request payload is invalid', status: 400 },
  POKERFACE_ERR_MQTT_UNKNOWN_COMMAND: { message: 'unknown MQTT request command', status: 400 },
  POKERFACE_ERR_BROKER: { message: 'embedded MQTT broker failed to start' },
  POKERFACE_ERR_BROKER_INSECURE: { message: 'embedded MQTT broker refuses to listen off loopback without mqtt.password', exit: EXIT.CONFIG },
  POKERFACE_ERR_MQTT_UNAUTHORIZED: { message: 'MQTT request token missing or wrong (mqtt.requestToken)' },
  POKERFACE_ERR_API_LISTEN: { message: 'REST API could not listen on the configured address', exit: EXIT.UNAVAILABLE },
  POKERFACE_ERR_API_UNAUTHORIZED: { message: 'missing or wrong bearer token', status: 401 },
  POKERFACE_ERR_API_FORBIDDEN: { message: 'no API token configured; POST routes are disabled', status: 403 },
  POKERFACE_ERR_API_BAD_REQUEST: { message: 'request does not match its schema', status: 400 },
  POKERFACE_ERR_API_BAD_JSON: { message: 'request body is not valid JSON', status: 400 },
  POKERFACE_ERR_API_BODY_TOO_LARGE: { message: 'request body is larger than api.bodyLimit', status: 413 },
  POKERFACE_ERR_API_NOT_FOUND: { message: 'no such route', status: 404 },
  POKERFACE_ERR_API_RATE_LIMITED: { message: 'too many requests; try again later', status: 429 },
  POKERFACE_ERR_API_UNAVAILABLE: { message: 'the service behind this route is not running', status: 503 },
  POKERFACE_ERR_API_INTERNAL: { message: 'internal error while answering the request', status: 500 },
  POKERFACE_ERR_API_BAD_HOST: { message: 'the Host header names no host in api.allowedHosts (DNS rebinding guard)', status: 421 },
  POKERFACE_ERR_API_TLS: { message: 'api.tls certificate or key cannot be read', exit: EXIT.CONFIG },
  POKERFACE_ERR_SNAPSHOT_DISABLED: { message: 'camera snapshot is off (api.snapshot: false)', status: 404 },
  POKERFACE_ERR_SNAPSHOT_NO_FRAME: { message: 'no camera frame arrived in time for the snapshot', status: 503 },
  POKERFACE_ERR_MQTT_TLS_FILE: { message: 'MQTT TLS file could not be read', exit: EXIT.CONFIG },

  POKERFACE_ERR_RESULTS_STORE: { message: 'results log could not be opened or written' },
  POKERFACE_ERR_NOTIFY_SOCKET: { message: 'systemd notify socket could not be used' },
  POKERFACE_ERR_SELFTEST_FAILED: { message: 'one or more selftest steps failed', exit: EXIT.FAILURE },
  POKERFACE_ERR_GAME_STATE: { message: 'command not allowed in the current game phase', status: 409 },
  POKERFACE_ERR_BOOTH_NOT_READY: { message: 'the booth is not running or a service it needs is missing', status: 503 },

  POKERFACE_ERR_SHUTDOWN_TIMEOUT: { message: 'clean shutdown took longer than the deadline', exit: EXIT.SOFTWARE },
  POKERFACE_ERR_RESTART_REQUESTED: { message: 'restart requested by staff', exit: EXIT.TEMPFAIL },
  POKERFACE_ERR_RESTART_TOO_SOON: { message: 'restart refused: the daemon (re)started too recently', status: 429 },
  POKERFACE_ERR_STARTUP: { message: 'daemon failed to start', exit: EXIT.SOFTWARE },
  POKERFACE_ERR_WIRING: { message: 'module wiring is broken (a needed service has no provider, or needs form a cycle)', exit: EXIT.SOFTWARE },
  POKERFACE_ERR_UNCAUGHT: { message: 'uncaught error', exit: EXIT.SOFTWARE },
} as const satisfies Record<`POKERFACE_ERR_${string}`, ErrorSpec>;

export type ErrorCode = keyof typeof ERRORS;

export class PokerfaceError extends Error {
  readonly code: ErrorCode;
  readonly details: unknown;

  constructor(code: ErrorCode, detail?: string, options?: { cause?: unknown; details?: unknown }) {
    const base = ERRORS[code].message;
    super(detail ? `${base}: ${detail}` : base, options?.cause === undefined ? undefined : { cause: options.cause });
    this.name = 'PokerfaceError';
    this.code = code;
    this.details = options?.details;
  }

  /** The exit code if this error ends the process, else EXIT.SOFTWARE. */
  get exitCode(): number {
    const spec: ErrorSpec = ERRORS[this.code];
    return spec.exit ?? EXIT.SOFTWARE;
  }

  toJSON(): { code: ErrorCode; message: string } {
    return { code: this.code, message: this.message };
  }
}

/** The HTTP status the REST API answers a code with; 500 for a code the table gives none. */
export function httpStatusOf(code: string): number {
  const spec: ErrorSpec | undefined = Object.hasOwn(ERRORS, code) ? ERRORS[code as ErrorCode] : undefined;
  return spec?.status ?? 500;
}

export function isPokerfaceError(e: unknown, code?: ErrorCode): e is PokerfaceError {
  return e instanceof PokerfaceError && (code === undefined || e.code === code);
}

/** Exit code for any thrown value. */
export function exitCodeOf(e: unknown): number {
  return e instanceof PokerfaceError ? e.exitCode : EXIT.SOFTWARE;
}
