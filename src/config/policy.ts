// Rules across keys that a JSON Schema cannot say: the token policy, and warnings about a
// configuration that is valid but exposes the booth. `config check` and the daemon's start
// both go through parseConfig, so both say the same.
import type { Config, FrozenConfig } from './schema.js';

/** Shortest token accepted for api.token and api.readToken (guessing stays hopeless). */
export const MIN_TOKEN_LENGTH = 24;
export const DEMO_TOKEN = 'demo-token';

export interface PolicyIssue {
  segments: string[];
  message: string;
}

export function policyIssues(cfg: Config): PolicyIssue[] {
  const out: PolicyIssue[] = [];
  const check = (key: 'token' | 'readToken'): void => {
    const t = cfg.api[key];
    if (t === '') return;
    if (t === DEMO_TOKEN) {
      if (!cfg.demo) out.push({ segments: ['api', key], message: `"${DEMO_TOKEN}" is accepted only with demo: true; generate one (openssl rand -hex 24)` });
      return;
    }
    if (t.length < MIN_TOKEN_LENGTH) out.push({ segments: ['api', key], message: `must be at least ${MIN_TOKEN_LENGTH} characters (it has ${t.length}); generate one with openssl rand -hex 24` });
    if (/\s/.test(t)) out.push({ segments: ['api', key], message: 'must not contain blanks (it travels as a bearer token)' });
  };
  check('token');
  check('readToken');
  const tls = cfg.api.tls;
  if ((tls.cert === '') !== (tls.key === '')) out.push({ segments: ['api', 'tls'], message: 'set both cert and key, or neither' });
  return out;
}

const LOOPBACK = new Set(['127.0.0.1', '::1', 'localhost']);

export function isLoopbackHost(host: string): boolean {
  return LOOPBACK.has(host) || host.startsWith('127.');
}

/** Valid but risky choices, printed by `config check` and logged at start. */
export function configWarnings(cfg: FrozenConfig): string[] {
  const out: string[] = [];
  const a = cfg.api;
  if (a.enabled && !isLoopbackHost(a.host) && a.tls.cert === '') {
    out.push(`api.host ${a.host} serves plain HTTP beyond this machine: the token crosses the LAN readable; set api.tls.cert/key or keep loopback behind a reverse proxy`);
  }
  if (a.allowedHosts.includes('*')) out.push('api.allowedHosts contains "*": any Host header is answered (a DNS-rebinding page in a staff browser can read the open GETs)');
  return out;
}
