import { loadConfigFile } from '../config/load.js';
import type { FrozenConfig } from '../config/schema.js';
import type { CliIO } from './io.js';

/** The configuration a command runs with: --config, else $POKERFACE_CONFIG, else the booth default. */
export function configPath(flag: string | undefined, io: CliIO): string {
  return flag ?? io.env.POKERFACE_CONFIG ?? 'config/default.yaml';
}

/** Load it, or throw a ConfigError that main() prints in full and turns into exit 78. */
export function loadCliConfig(flag: string | undefined, io: CliIO): FrozenConfig {
  return loadConfigFile(configPath(flag, io), { env: io.env });
}
