// Parse → env overrides → validate (all errors at once) → defaults → freeze, once.
import { readFileSync } from 'node:fs';
import { Ajv, type ErrorObject } from 'ajv';
import { LineCounter, parseDocument, isMap, isNode, isPair, isScalar, isSeq, visit } from 'yaml';
import { PokerfaceError } from '../errors.js';
import { ConfigSchema, SECRET_PATHS, type Config, type FrozenConfig } from './schema.js';
import { applyEnvOverrides } from './env.js';
import { mqttConfigIssues } from './sections/mqtt.js';
import { deepFreeze } from './freeze.js';
import { crossCheck, type CrossIssue } from './checks.js';
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
  /** checks that touch the file system (files the config names), for `config check` and `run` */
  fileChecks?: (cfg: Config) => CrossIssue[];
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
  return parseConfig(text, file, opts.env ?? process.env, opts.fileChecks);
}

export function parseConfig(text: string, source: string, env: NodeJS.ProcessEnv = {}, fileChecks?: (cfg: Config) => CrossIssue[]): FrozenConfig {
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
  const odd = oddTags(doc, lineCounter, source);
  if (odd.length > 0) throw new ConfigError('POKERFACE_ERR_CONFIG_PARSE', odd);
  let raw: unknown;
  try {
    // The alias limit turns a "billion laughs" file into a parse error instead of a
    // process that expands it until memory runs out.
    raw = doc.toJS({ maxAliasCount: MAX_ALIASES }) ?? {};
  } catch (e) {
    throw new ConfigError('POKERFACE_ERR_CONFIG_PARSE', [{ source, path: '', message: (e as Error).message }]);
  }
  if (typeof raw !== 'object' || raw === null || Array.isArray(raw) || (doc.contents !== null && !isMap(doc.contents))) {
    throw new ConfigError('POKERFACE_ERR_CONFIG_INVALID', [{ source, path: '', message: 'the file must hold a mapping of keys' }]);
  }
  const data = raw as Record<string, unknown>;
  const setByEnv = new Map<string, string>();
  const envIssues = applyEnvOverrides(data, env, setByEnv);
  // A zero-length file is what a power cut during a save leaves: running on defaults
  // would hide it. Only demo mode (POKERFACE_DEMO=true) may start from nothing.
  if (doc.contents === null && data.demo !== true) {
    throw new ConfigError('POKERFACE_ERR_CONFIG_INVALID', [{ source, path: '', message: 'the file is empty (only demo mode may run on defaults)' }]);
  }

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
      const envName = envSource(issue.segments, setByEnv);
      issues.push(envName ? { source: envName, path: issue.path, message: issue.message } : { source, ...issue, ...locate(issue.segments) });
    }
  } else {
    for (const issue of [...crossCheck(data), ...(fileChecks?.(data) ?? [])]) {
      const envName = envSource(issue.segments, setByEnv);
      issues.push(envName ? { source: envName, path: issue.path, message: issue.message } : { source, path: issue.path, message: issue.message, ...locate(issue.segments) });
    }
    for (const i of mqttConfigIssues(data.mqtt)) {
      const envName = envSource(i.path.split('.'), setByEnv);
      issues.push(envName ? { source: envName, path: i.path, message: i.message } : { source, ...i, ...locate(i.path.split('.')) });
    }
    for (const p of policyIssues(data)) {
      const envName = envSource(p.segments, setByEnv);
      issues.push(envName ? { source: envName, path: p.segments.join('.'), message: p.message } : { source, path: p.segments.join('.'), message: p.message, ...locate(p.segments) });
    }
  }
  if (issues.length > 0) {
    throw new ConfigError('POKERFACE_ERR_CONFIG_INVALID', issues.map(({ source: s, path, message, line, column }) => ({ source: s, path, message, line, column })));
  }
  return deepFreeze(data as Config);
}

const MAX_ALIASES = 100;

/** Tags a configuration may carry: the plain JSON-like types, written out or implied. */
const PLAIN_TAGS = new Set(['str', 'int', 'float', 'bool', 'null', 'map', 'seq'].map((t) => `tag:yaml.org,2002:${t}`));

/** One issue per explicitly tagged node that is not a plain type (!!binary, !!set, !custom ...). */
function oddTags(doc: ReturnType<typeof parseDocument>, lines: LineCounter, source: string): ConfigIssue[] {
  const out: ConfigIssue[] = [];
  visit(doc, (_key, node, ancestors) => {
    if (!isNode(node) || node.tag === undefined || PLAIN_TAGS.has(node.tag)) return undefined;
    const pos = node.range ? lines.linePos(node.range[0]) : undefined;
    const tag = node.tag.replace(/^tag:yaml\.org,2002:/, '!!');
    const path: string[] = [];
    ancestors.forEach((a, i) => {
      if (isPair(a)) path.push(isScalar(a.key) ? String(a.key.value) : '?');
      else if (isSeq(a)) path.push(String(a.items.indexOf(ancestors[i + 1] ?? node)));
    });
    out.push({ source, path: path.join('.'), message: `YAML type ${tag} is not allowed; use plain strings, numbers, booleans, lists and mappings`, line: pos?.line, column: pos?.col });
    return visit.SKIP;
  });
  return out;
}

/** `env POKERFACE_X` when the key at `segments` (or a mapping above it) came from an environment variable. */
function envSource(segments: readonly string[], setByEnv: ReadonlyMap<string, string>): string | undefined {
  for (let n = segments.length; n > 0; n--) {
    const name = setByEnv.get(segments.slice(0, n).join('.'));
    if (name) return `env ${name}`;
  }
  return undefined;
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
