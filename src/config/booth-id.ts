// A fleet shares one broker: two booths with the same id share one topic tree and one
// client id and knock each other off. So a booth (not demo) refuses the schema's
// placeholder id and the demo id, with a message that says how to set one.
import { PokerfaceError } from '../errors.js';
import type { FrozenConfig } from './schema.js';

/** ids that only make sense on a single machine */
export const PLACEHOLDER_BOOTH_IDS = ['booth', 'demo'] as const;

/** The problem with this config's boothId for a real booth, or null when it is fine. */
export function boothIdProblem(config: Pick<FrozenConfig, 'boothId' | 'demo'>): string | null {
  if (config.demo) return null;
  if (!(PLACEHOLDER_BOOTH_IDS as readonly string[]).includes(config.boothId)) return null;
  return (
    `boothId "${config.boothId}" is a placeholder: give this booth an id unique on the MQTT broker ` +
    '(boothId in the config file, or POKERFACE_BOOTHID; scripts/install-service.sh --booth-id ID, default the hostname)'
  );
}

export function assertBoothId(config: Pick<FrozenConfig, 'boothId' | 'demo'>): void {
  const problem = boothIdProblem(config);
  if (problem) throw new PokerfaceError('POKERFACE_ERR_CONFIG_INVALID', problem);
}
