// request/reload: rescan the media folder and re-read the game section of the config file
// without a restart, answering with what was found and what changed.
import type { MediaSummary } from '../player/media.js';
import { PAYLOAD_VERSION, RELOAD_PARTS, REQUEST_SCHEMAS, type ResponsePayload } from './payloads.js';
import { Ajv } from 'ajv';
import { describeAjv } from './commands.js';

export interface GameReloadResult {
  ok: boolean;
  /** the game keys whose values changed (empty: the file says the same) */
  changed: string[];
  code?: string;
  message?: string;
}

export interface ReloadDeps {
  media?: { reload(): Promise<void>; summary(): MediaSummary } | undefined;
  /** re-read the config file and hand the game section to the booth */
  game?: (() => Promise<GameReloadResult>) | undefined;
}

const validate = new Ajv({ strict: false, coerceTypes: false }).compile(REQUEST_SCHEMAS.reload);

export async function runReload(payload: unknown, deps: ReloadDeps): Promise<ResponsePayload> {
  const transaction =
    typeof payload === 'object' && payload !== null && typeof (payload as { transaction?: unknown }).transaction === 'string'
      ? (payload as { transaction: string }).transaction.slice(0, 128)
      : null;
  const fail = (code: string, message: string, detail?: Record<string, unknown>): ResponsePayload => ({ v: PAYLOAD_VERSION, transaction, ok: false, code, message, ...(detail ? { detail } : {}) });
  if (!validate(payload)) return fail('POKERFACE_ERR_MQTT_BAD_REQUEST', describeAjv(validate.errors));
  const what = (payload as { what?: Array<(typeof RELOAD_PARTS)[number]> }).what ?? [...RELOAD_PARTS];
  const detail: Record<string, unknown> = {};
  const problems: string[] = [];
  let code = 'POKERFACE_ERR_API_UNAVAILABLE';
  if (what.includes('media')) {
    if (!deps.media) problems.push('media: no media library (player off)');
    else {
      try {
        await deps.media.reload();
        const s = deps.media.summary();
        detail.media = { clips: s.total, attract: s.attract, empty: s.empty, skipped: s.skipped.length };
      } catch (e) {
        problems.push(`media: ${(e as Error).message}`);
      }
    }
  }
  if (what.includes('game')) {
    if (!deps.game) problems.push('game: the daemon was not started from a config file');
    else {
      const g = await deps.game().catch((e: unknown): GameReloadResult => ({ ok: false, changed: [], code: 'POKERFACE_ERR_CONFIG_INVALID', message: (e as Error).message }));
      detail.game = { changed: g.changed };
      if (!g.ok) {
        problems.push(`game: ${g.message ?? 'not applied'}`);
        code = g.code ?? code;
      }
    }
  }
  if (problems.length > 0) return fail(code, problems.join('; '), detail);
  return { v: PAYLOAD_VERSION, transaction, ok: true, detail };
}
