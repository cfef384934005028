// Parse → env overrides → validate (all errors at once) → defaults → freeze, once.
import { readFileSync } from 'node:fs';
import { Ajv, type ErrorObject } from 'ajv';
import { LineCounter, parseDocument, isMap } from 'yaml';
import { PokerfaceError } from '../errors.js';
import { ConfigSchema, SECRET_PATHS, type Config, type FrozenConfig } from './schema.js';
import { applyEnvOverrides, envNameToPath } from './env.js';
import { deepFreeze } from './freeze.js';
import { REDACTED, redactValue } from '../redact.js';
import { policyIssues } from './policy.js';

export interface ConfigIssue {
  /** file name, or `env POKERFACE_X` for an environment override */
  source: string;
  /** dotted key path, '' for the whole document */
  path: string;
  message: string;
  line?: number | undefined;
  column?: number | undefined;
}

export class ConfigError extends PokerfaceError {
  readonly issues: ConfigIssue[];
  constructor(code: 'POKERFACE_ERR_CONFIG_NOT_FOUND' | 'POKERFACE_ERR_CONFIG_PARSE' | 'POKERFACE_ERR_CONFIG_INVALID', issues: ConfigIssue[]) {
    super(code, `${issues.length} problem${issues.length === 1 ? '' : 's'}`);
    this.issues = issues;
  }

  /** One line per problem, for a person at a terminal or in the journal. */
  format(): string {
    return [
      `${this.code}: ${this.message}`,
      ...this.issues.map((i) => {
        const where = i.line ? `${i.source}:${i.line}:${i.column ?? 1}` : i.source;
        return `  ${where}: ${i.path || '(top level)'}: ${i.message}`;
      }),
    ].join('\n');
  }
}

const ajv = new Ajv({ allErrors: true, useDefaults: true, strict: false, coerceTypes: false });
const validate = ajv.compile<Config>(ConfigSchema);

export interface LoadOptions {
  env?: NodeJS.ProcessEnv;
  /** read a file; injected so tests need no temp files */
  readFile?: (path: string) => string;
}

export function loadConfigFile(file: string, opts: LoadOptions = {}): FrozenConfig {
  const read = opts.readFile ?? ((p: string) => readFileSync(p, 'utf8'));
  let text: string;
  try {
    text = read(file);
  } catch (e) {
    const why = (e as NodeJS.ErrnoException).code === 'ENOENT' ? 'file not found' : `cannot read: ${(e as Error).message}`;
    throw new ConfigError('POKERFACE_ERR_CONFIG_NOT_FOUND', [{ source: file, path: '', message: why }]);
  }
  return parseConfig(text, file, opts.env ?? process.env);
}

export function parseConfig(text: string, source: string, env: NodeJS.ProcessEnv = {}): FrozenConfig {
  const lineCounter = new LineCounter();
  const doc = parseDocument(text, { lineCounter, prettyErrors: false, uniqueKeys: true });
  if (doc.errors.length > 0) {
    throw new ConfigError(
      'POKERFACE_ERR_CONFIG_PARSE',
      doc.errors.map((err) => {
        const pos = lineCounter.linePos(err.pos[0]);
        return { source, path: '', message: err.message.split('\n')[0] ?? err.message, line: pos.line, column: pos.col };
      }),
    );
  }
  const raw: unknown = doc.toJS() ?? {};
  if (typeof raw !== 'object' || raw === null || Array.isArray(raw) || (doc.contents !== null && !isMap(doc.contents))) {
    throw new ConfigError('POKERFACE_ERR_CONFIG_INVALID', [{ source, path: '', message: 'the file must hold a mapping of keys' }]);
  }
  const data = raw as Record<string, unknown>;
  const envIssues = applyEnvOverrides(data, env);

  const locate = (path: string[]): { line?: number; column?: number } => {
    for (let n = path.length; n > 0; n--) {
      const node = doc.getIn(path.slice(0, n), true) as { range?: [number, number, number] } | undefined;
      if (node && typeof node === 'object' && node.range) {
        const pos = lineCounter.linePos(node.range[0]);
        return { line: pos.line, column: pos.col };
      }
    }
    return {};
  };

  const issues: ConfigIssue[] = [...envIssues.map((i) => ({ ...i }))];
  if (!validate(data)) {
    for (const issue of describeErrors(validate.errors ?? [])) {
      issues.push({ source, ...issue, ...locate(issue.segments) });
    }
  } else {
    for (const p of policyIssues(data)) {
      // a value set by an environment variable is reported as coming from there
      const fromEnv = Object.keys(env).find((n) => n.startsWith('POKERFACE_') && envNameToPath(n)?.path.join('.') === p.segments.join('.'));
      issues.push(fromEnv ? { source: `env ${fromEnv}`, path: p.segments.join('.'), message: p.message } : { source, path: p.segments.join('.'), message: p.message, ...locate(p.segments) });
    }
  }
  if (issues.length > 0) {
    throw new ConfigError('POKERFACE_ERR_CONFIG_INVALID', issues.map(({ source: s, path, message, line, column }) => ({ source: s, path, message, line, column })));
  }
  return deepFreeze(data as Config);
}

interface Described {
  segments: string[];
  path: string;
  message: string;
}

/** Turn Ajv errors into one clear sentence per key. */
export function describeErrors(errors: ErrorObject[]): Described[] {
  const out: Described[] = [];
  const byPath = new Map<string, ErrorObject[]>();
  for (const e of errors) {
    const list = byPath.get(e.instancePath) ?? [];
    list.push(e);
    byPath.set(e.instancePath, list);
  }
  for (const [instancePath, list] of byPath) {
    const segments = instancePath.split('/').slice(1).map((s) => s.replace(/~1/g, '/').replace(/~0/g, '~'));
    const anyOf = list.find((e) => e.keyword === 'anyOf');
    const consts = list.filter((e) => e.keyword === 'const').map((e) => (e.params as { allowedValue: unknown }).allowedValue);
    const emitted = new Set<string>();
    const push = (segs: string[], message: string): void => {
      const key = `${segs.join('.')}|${message}`;
      if (emitted.has(key)) return;
      emitted.add(key);
      out.push({ segments: segs, path: segs.join('.'), message });
    };
    if (anyOf && consts.length > 0) {
      push(segments, `must be one of ${consts.map((c) => JSON.stringify(c)).join(', ')}`);
      continue;
    }
    for (const e of list) {
      if (e.keyword === 'anyOf' || e.keyword === 'const') continue;
      if (e.keyword === 'additionalProperties') {
        const extra = (e.params as { additionalProperty: string }).additionalProperty;
        push([...segments, extra], 'unknown key');
      } else if (e.keyword === 'required') {
        const missing = (e.params as { missingProperty: string }).missingProperty;
        push([...segments, missing], 'is required');
      } else {
        push(segments, e.message ?? e.keyword);
      }
    }
    if (anyOf && list.every((e) => e.keyword === 'anyOf')) push(segments, 'has an unsupported form');
  }
  return out;
}

/** A copy with secrets replaced, for /api/config, `config check --json` and logs. */
export function redactConfig(cfg: FrozenConfig): unknown {
  const copy = redactValue(cfg) as Record<string, unknown>;
  for (const path of SECRET_PATHS) {
    let node: Record<string, unknown> | undefined = copy;
    for (const seg of path.slice(0, -1)) node = node?.[seg] as Record<string, unknown> | undefined;
    const last = path[path.length - 1];
    if (node && last && typeof node[last] === 'string' && node[last] !== '') node[last] = REDACTED;
  }
  return copy;
}

/** Defaults only: what the daemon runs with when a file sets nothing. */
export function defaultConfig(): FrozenConfig {
  return parseConfig('{}', '(defaults)');
}
