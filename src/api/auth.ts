// The API token: bearer header for POSTs; for the camera snapshot also HTTP basic (any
// user name, the token as password) or a session cookie a browser gets once.
import { createHash, randomBytes, timingSafeEqual } from 'node:crypto';

const digest = (s: string): Buffer => createHash('sha256').update(s, 'utf8').digest();

/** Constant-time comparison: both sides hashed to equal-length digests first. */
export function tokenMatches(given: string, configured: string): boolean {
  if (configured === '') return false;
  return timingSafeEqual(digest(given), digest(configured));
}

export type AuthResult = 'ok' | 'missing' | 'wrong' | 'disabled';

export function bearerOf(header: string | undefined): string | null {
  if (!header) return null;
  const m = /^Bearer\s+(\S+)\s*$/i.exec(header);
  return m ? (m[1] as string) : null;
}

export function basicPasswordOf(header: string | undefined): string | null {
  if (!header) return null;
  const m = /^Basic\s+([A-Za-z0-9+/=]+)\s*$/i.exec(header);
  if (!m) return null;
  const text = Buffer.from(m[1] as string, 'base64').toString('utf8');
  const i = text.indexOf(':');
  return i < 0 ? null : text.slice(i + 1);
}

export function checkBearer(header: string | undefined, token: string): AuthResult {
  if (token === '') return 'disabled';
  const given = bearerOf(header);
  if (given === null) return 'missing';
  return tokenMatches(given, token) ? 'ok' : 'wrong';
}

export const SESSION_COOKIE = 'pokerface_session';

export function cookieValue(header: string | undefined, name: string): string | null {
  if (!header) return null;
  for (const part of header.split(';')) {
    const i = part.indexOf('=');
    if (i < 0) continue;
    if (part.slice(0, i).trim() === name) return part.slice(i + 1).trim();
  }
  return null;
}

/** Random session ids kept in memory; a restart logs everyone out, which is fine here. */
export class Sessions {
  private readonly ids = new Map<string, number>();
  constructor(
    private readonly ttlMs: number,
    private readonly now: () => number,
    private readonly max = 1000,
  ) {}

  create(): string {
    this.prune();
    if (this.ids.size >= this.max) {
      const oldest = this.ids.keys().next().value;
      if (oldest !== undefined) this.ids.delete(oldest);
    }
    const id = randomBytes(32).toString('base64url');
    this.ids.set(id, this.now() + this.ttlMs);
    return id;
  }

  valid(id: string | null): boolean {
    if (!id) return false;
    const exp = this.ids.get(id);
    if (exp === undefined) return false;
    if (exp < this.now()) {
      this.ids.delete(id);
      return false;
    }
    return true;
  }

  private prune(): void {
    const t = this.now();
    for (const [id, exp] of this.ids) if (exp < t) this.ids.delete(id);
  }
}
