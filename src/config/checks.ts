// Checks that need more than one key at a time. They are the very functions the daemon
// calls when it builds its modules, run here once more so `config check` (and the start
// itself, before any folder is made) refuses what `run` would refuse seconds later.
import { accessSync, constants } from 'node:fs';
import { planInputs } from '../controls/gpio-backend.js';
import { ERRORS, isPokerfaceError } from '../errors.js';
import { judgeRules } from '../judge/rules.js';
import type { Config, FrozenConfig } from './schema.js';

export interface CrossIssue {
  segments: string[];
  path: string;
  message: string;
}

const PREFIX = `${ERRORS.POKERFACE_ERR_CONFIG_INVALID.message}: `;

function attempt(fallback: string, check: () => unknown): CrossIssue[] {
  try {
    check();
    return [];
  } catch (e) {
    if (!isPokerfaceError(e, 'POKERFACE_ERR_CONFIG_INVALID')) throw e;
    // "<base>: game.modes: modes …" → path game.modes, message "modes …"
    const text = e.message.startsWith(PREFIX) ? e.message.slice(PREFIX.length) : e.message;
    const m = /^([A-Za-z0-9_.]+): (.*)$/s.exec(text);
    const path = m?.[1] ?? fallback;
    return [{ segments: path.split('.'), path, message: m?.[2] ?? text }];
  }
}

export function crossCheck(cfg: Config): CrossIssue[] {
  const frozen = cfg as FrozenConfig;
  return [
    ...attempt('game.modes', () => judgeRules(frozen)),
    ...(frozen.controls.backends.includes('gpio') ? attempt('controls.gpio', () => planInputs(frozen.controls)) : []),
  ];
}

/** Files the daemon reads at start (MQTT TLS): `run` stops with 78 on them, so `config check` says so first. */
export function fileChecks(cfg: Config, access: (path: string) => void = (p) => accessSync(p, constants.R_OK)): CrossIssue[] {
  const out: CrossIssue[] = [];
  if (!cfg.mqtt.enabled) return out;
  for (const key of ['ca', 'cert', 'key'] as const) {
    const file = cfg.mqtt.tls[key];
    if (!file) continue;
    try {
      access(file);
    } catch (e) {
      const code = (e as NodeJS.ErrnoException).code;
      out.push({ segments: ['mqtt', 'tls', key], path: `mqtt.tls.${key}`, message: `cannot read ${file}: ${code === 'ENOENT' ? 'no such file' : (e as Error).message}` });
    }
  }
  return out;
}
