// pino to stdout (journald reads it); pretty only when a person is watching a TTY.
import pino, { type Logger } from 'pino';

export type { Logger };

/** Keys whose values are never logged, wherever they appear in a logged object. */
export const REDACT_PATHS = [
  'token',
  'password',
  '*.token',
  '*.password',
  '*.*.token',
  '*.*.password',
  'config.api.token',
  'config.mqtt.password',
  'config.mqtt.embeddedViewerPassword',
  'config.mqtt.requestToken',
  'headers.authorization',
  'req.headers.authorization',
  'key',
  '*.key',
];

export interface LogOptions {
  level?: string;
  pretty?: boolean;
  destination?: pino.DestinationStream;
}

export function createLogger(opts: LogOptions = {}): Logger {
  const level = opts.level ?? process.env.POKERFACE_LOG_LEVEL ?? 'info';
  const pretty = opts.pretty ?? (process.stdout.isTTY === true && !opts.destination);
  const base: pino.LoggerOptions = {
    level,
    base: { pid: process.pid },
    redact: { paths: REDACT_PATHS, censor: '[redacted]' },
    formatters: { level: (label) => ({ level: label }) },
  };
  if (opts.destination) return pino(base, opts.destination);
  if (pretty) {
    return pino({ ...base, transport: { target: 'pino-pretty', options: { colorize: true, translateTime: 'SYS:HH:MM:ss.l' } } });
  }
  return pino(base, pino.destination({ dest: 1, sync: true }));
}

/** A logger that drops everything; for tests and library use. */
export const silentLogger: Logger = pino({ level: 'silent' });
