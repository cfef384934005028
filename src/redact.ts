// The one redaction function. Every text that leaves the daemon (REST bodies, MQTT
// payloads, health reasons, the status page, log lines, `config check --json`) passes
// through `redact` (or `redactValue` for structures, which calls it on every string), so
// credentials a staff member typed into a camera or broker URL or into a pipeline never
// reach anyone who can read those outputs.

export const REDACTED = '[redacted]';

// scheme://user:pass@host or scheme://user@host: the user info is dropped whole (a user name
// alone can be half of a credential). The user info ends at the last "@" before the host's
// path, so a password holding "@" is caught too.
const URL_USERINFO = /\b([A-Za-z][A-Za-z0-9+.-]{0,31}:\/\/)[^\s/?#"'<>]*@/g;

// Password-bearing properties in a GStreamer pipeline (rtspsrc user-pw=..., proxy-pw=...,
// souphttpsrc user-pw / proxy-pw) or key=value argument lists (password=..., passwd=...,
// token=..., secret=...). The value runs to the next blank, quote or "!" (the pipeline's
// element separator); a quoted value is replaced up to its closing quote.
const SECRET_PROPERTY = /\b((?:user-pw|proxy-pw|password|passwd|passphrase|secret|token|api[-_]?key)\s*=\s*)("[^"]*"|'[^']*'|[^\s"'!,;&]+)/gi;

/** The text with URL user info and password-bearing properties replaced. */
export function redact(text: string): string {
  // cheap early outs: most log lines and payloads hold neither
  const hasAt = text.includes('@');
  const hasEq = text.includes('=');
  if (!hasAt && !hasEq) return text;
  let out = text;
  if (hasAt) out = out.replace(URL_USERINFO, `$1${REDACTED}@`);
  if (hasEq) out = out.replace(SECRET_PROPERTY, `$1${REDACTED}`);
  return out;
}

/**
 * A deep copy with every string passed through `redact`, and the values of keys named in
 * `secretKeys` (token, password, key ...) replaced whole when they are non-empty strings.
 */
export function redactValue(value: unknown, secretKeys: ReadonlySet<string> = SECRET_KEYS, depth = 0): unknown {
  if (typeof value === 'string') return redact(value);
  if (value === null || typeof value !== 'object' || depth > 32) return value;
  if (value instanceof Error) {
    const e: Record<string, unknown> = { type: value.name, message: redact(value.message) };
    if (value.stack) e.stack = redact(value.stack);
    const code = (value as { code?: unknown }).code;
    if (code !== undefined) e.code = code;
    return e;
  }
  if (Array.isArray(value)) return value.map((v) => redactValue(v, secretKeys, depth + 1));
  if (ArrayBuffer.isView(value)) return value;
  const out: Record<string, unknown> = {};
  for (const [k, v] of Object.entries(value)) {
    out[k] = secretKeys.has(k) && typeof v === 'string' && v !== '' ? REDACTED : redactValue(v, secretKeys, depth + 1);
  }
  return out;
}

/** Keys whose string values are secrets wherever they appear. */
export const SECRET_KEYS: ReadonlySet<string> = new Set(['token', 'readToken', 'password', 'key', 'authorization', 'cookie']);
