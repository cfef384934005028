// Staff commands (MQTT request/<cmd>, REST POSTs) in one place, so every path reaches
// the booth the same way and answers with the same error codes.
import { Ajv, type ErrorObject, type ValidateFunction } from 'ajv';
import { EXIT } from '../errors.js';
import type { RestartVerdict } from '../ops/restart-limit.js';
import type { BoothControl, ButtonName, CommandResult } from '../types.js';
import { COMMANDS, PAYLOAD_VERSION, REQUEST_SCHEMAS, type CommandName, type ResponsePayload } from './payloads.js';

export interface CommandDeps {
  booth: () => BoothControl | undefined;
  requestExit: (code: number, reason: string) => void;
  /** the restart limit shared by REST and MQTT (absent: no limit) */
  restart?: () => RestartVerdict;
}

export interface CommandOutcome {
  response: ResponsePayload;
  /** run once the response is on its way (restart) */
  after?: (() => void) | undefined;
}

const ajv = new Ajv({ allErrors: false, strict: false, coerceTypes: false, useDefaults: false });
const validators = new Map<CommandName, ValidateFunction>(COMMANDS.map((c) => [c, ajv.compile(REQUEST_SCHEMAS[c])]));

export function isCommand(name: string): name is CommandName {
  return (COMMANDS as readonly string[]).includes(name);
}

/** "level: must be integer" — the field first, as people read it. */
export function describeAjv(errors: ErrorObject[] | null | undefined, root = ''): string {
  const e = errors?.[0];
  if (!e) return 'invalid';
  let field = e.instancePath.split('/').filter(Boolean).join('.');
  if (e.keyword === 'additionalProperties') field = [field, (e.params as { additionalProperty: string }).additionalProperty].filter(Boolean).join('.');
  if (e.keyword === 'required') field = [field, (e.params as { missingProperty: string }).missingProperty].filter(Boolean).join('.');
  const what = e.keyword === 'additionalProperties' ? 'unknown field' : e.keyword === 'required' ? 'is required' : (e.message ?? e.keyword);
  const allowed = e.keyword === 'const' ? ` ${JSON.stringify((e.params as { allowedValue: unknown }).allowedValue)}` : '';
  const name = [root, field].filter(Boolean).join('.') || root || '(payload)';
  return `${name}: ${what}${allowed}`;
}

function fail(transaction: string | null, code: string, message: string): CommandOutcome {
  return { response: { v: PAYLOAD_VERSION, transaction, ok: false, code, message } };
}

function fromResult(transaction: string | null, r: CommandResult): CommandOutcome {
  return r.ok ? { response: { v: PAYLOAD_VERSION, transaction, ok: true } } : fail(transaction, r.code, r.message);
}

/** Run a command whose payload is already parsed JSON. Never throws. */
export function runCommand(cmd: string, payload: unknown, deps: CommandDeps): CommandOutcome {
  const transaction =
    typeof payload === 'object' && payload !== null && typeof (payload as { transaction?: unknown }).transaction === 'string'
      ? ((payload as { transaction: string }).transaction.slice(0, 128))
      : null;
  if (!isCommand(cmd)) return fail(transaction, 'POKERFACE_ERR_MQTT_UNKNOWN_COMMAND', `unknown command "${cmd.slice(0, 64)}"; known: ${COMMANDS.join(', ')}`);
  const validate = validators.get(cmd) as ValidateFunction;
  if (!validate(payload)) return fail(transaction, 'POKERFACE_ERR_MQTT_BAD_REQUEST', describeAjv(validate.errors));
  const body = payload as { mode?: string; level?: number; name?: ButtonName };
  // reload is asynchronous (a media rescan): MQTT runs it through runReload (reload.ts)
  if (cmd === 'reload') return fail(transaction, 'POKERFACE_ERR_API_UNAVAILABLE', 'reload is answered on MQTT only');
  if (cmd === 'restart') {
    const verdict = deps.restart?.() ?? { ok: true };
    if (!verdict.ok) return fail(transaction, verdict.error.code, verdict.error.message);
    return {
      response: { v: PAYLOAD_VERSION, transaction, ok: true },
      after: () => deps.requestExit(EXIT.TEMPFAIL, 'restart requested'),
    };
  }
  const booth = deps.booth();
  if (!booth) return fail(transaction, 'POKERFACE_ERR_API_UNAVAILABLE', 'the game is not running');
  try {
    if (cmd === 'start') {
      const opts: { mode?: string; level?: number } = {};
      if (body.mode !== undefined) opts.mode = body.mode;
      if (body.level !== undefined) opts.level = body.level;
      return fromResult(transaction, booth.start(opts));
    }
    if (cmd === 'stop') return fromResult(transaction, booth.stop());
    return fromResult(transaction, booth.press(body.name as ButtonName));
  } catch (e) {
    const code = (e as { code?: unknown }).code;
    return fail(transaction, typeof code === 'string' && code.startsWith('POKERFACE_ERR_') ? code : 'POKERFACE_ERR_GAME_STATE', (e as Error).message);
  }
}

/** Parse an MQTT payload: blank means {}. */
export function parsePayload(buf: Buffer | string): { ok: true; value: unknown } | { ok: false; message: string } {
  const text = buf.toString();
  if (text.trim() === '') return { ok: true, value: {} };
  try {
    return { ok: true, value: JSON.parse(text) as unknown };
  } catch (e) {
    return { ok: false, message: `payload is not JSON: ${(e as Error).message}` };
  }
}
