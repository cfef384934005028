// One log line per state-changing staff command (start, stop, restart, button presses),
// with who sent it: the client IP for REST, the MQTT client id for MQTT, so staff can tell
// after the fact what moved the booth. Lines carry `audit: true`, so
// `journalctl -u pokerface -o cat | grep '"audit":true'` lists them.
import type { Logger } from '../log.js';

export interface AuditEntry {
  /** start, stop, restart, button:<name>, session ... */
  action: string;
  /** the path it came in on */
  via: 'rest' | 'mqtt' | 'broker';
  /** client IP (REST) or MQTT client id; 'unknown' when the path cannot tell */
  who: string;
  /** false when refused */
  ok?: boolean;
  /** error code when refused */
  code?: string | undefined;
  [field: string]: unknown;
}

export function audit(log: Logger, entry: AuditEntry): void {
  const { code, ...rest } = entry;
  const refused = entry.ok === false ? ` refused (${code ?? 'error'})` : '';
  log.info({ audit: true, ...rest, ...(code ? { code } : {}) }, `audit: ${entry.action} via ${entry.via} from ${entry.who}${refused}`);
}
