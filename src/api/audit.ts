// The audit trail: every state-changing command (start, stop, restart, button presses) is
// logged with who sent it (REST: client IP; MQTT: client id), so staff can tell after the
// fact what moved the booth. One shape for both interfaces; journald keeps the lines.
import type { Logger } from '../log.js';

export interface AuditEntry {
  /** start, stop, restart, button:<name>, session ... */
  action: string;
  via: 'rest' | 'mqtt';
  /** REST: client IP; MQTT: client id */
  who: string;
  ok: boolean;
  /** error code when refused */
  code?: string | undefined;
}

export function audit(log: Logger, e: AuditEntry): void {
  const fields = { audit: true, action: e.action, via: e.via, who: e.who, ok: e.ok, ...(e.code ? { code: e.code } : {}) };
  log.info(fields, `audit: ${e.action} via ${e.via} from ${e.who}${e.ok ? '' : ` refused (${e.code ?? 'error'})`}`);
}
