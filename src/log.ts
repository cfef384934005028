// pino to stdout (journald reads it); pretty only when a person is watching a TTY.
import { createRequire } from 'node:module';
import pino, { type Logger } from 'pino';
import { redact } from './redact.js';

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
  if (opts.destination) return pino(base, redacting(opts.destination));
  if (pretty) {
    // in-process (not a transport worker) so the finished lines pass through redact() too
    const prettyStream = (createRequire(import.meta.url)('pino-pretty') as (o: object) => pino.DestinationStream)({ colorize: true, translateTime: 'SYS:HH:MM:ss.l' });
    return pino(base, redacting(prettyStream));
  }
  return pino(base, redacting(pino.destination({ dest: 1, sync: true })));
}

/**
 * Every finished log line passes through the one redaction function: URL user info and
 * password-bearing pipeline properties never reach the journal, whichever module logged
 * them and however (message, object, error stack, child bindings).
 */
export function redacting(dest: pino.DestinationStream): pino.DestinationStream {
  return { write: (line: string) => dest.write(redact(line)) };
}

/** A logger that drops everything; for tests and library use. */
export const silentLogger: Logger = pino({ level: 'silent' });
