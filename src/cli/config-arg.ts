import { fileChecks } from '../config/checks.js';
import { ConfigError, loadConfigFile } from '../config/load.js';
import type { FrozenConfig } from '../config/schema.js';
import type { CliIO } from './io.js';

/** The configuration a command runs with: --config, else $POKERFACE_CONFIG, else the booth default. */
export function configPath(flag: string | undefined, io: CliIO): string {
  return flag ?? io.env.POKERFACE_CONFIG ?? 'config/default.yaml';
}

/**
 * Load it; on any configuration problem print every issue and return null, so the
 * command exits with EXIT.CONFIG (78) having started nothing.
 */
export function loadCliConfig(flag: string | undefined, io: CliIO): FrozenConfig | null {
  try {
    return loadConfigFile(configPath(flag, io), { env: io.env, fileChecks });
  } catch (e) {
    if (!(e instanceof ConfigError)) throw e;
    io.err(e.format());
    return null;
  }
}
