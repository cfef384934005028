// One log line per state-changing staff command (start, stop, restart, button), with who
// sent it: the client IP for REST, the MQTT client id for MQTT. Lines carry `audit: true`
// so `journalctl -u pokerface -o cat | grep '"audit":true'` lists them.
import type { Logger } from '../log.js';

export interface AuditEntry {
  /** the command: start, stop, restart, button, ... */
  action: string;
  /** the path it came in on */
  via: 'rest' | 'mqtt' | 'broker';
  /** client IP (REST) or MQTT client id; 'unknown' when the path cannot tell */
  who: string;
  [field: string]: unknown;
}

export function audit(log: Logger, entry: AuditEntry): void {
  log.info({ audit: true, ...entry }, `audit: ${entry.action} via ${entry.via} by ${entry.who}`);
}
