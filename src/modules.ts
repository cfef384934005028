// The ordered list of modules the daemon runs. Order matters: later modules use the
// services earlier ones registered; stop runs in reverse.
import type { ModuleSpec } from './daemon.js';

export function defaultModules(): ModuleSpec[] {
  return [];
}
