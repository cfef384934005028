// POKERFACE_<PATH> environment variables override keys, so secrets (API token, MQTT
// password) can come from an EnvironmentFile instead of the YAML file.
import { parse as parseYaml } from 'yaml';
import { ConfigSchema } from './schema.js';

interface SchemaNode {
  type?: string;
  properties?: Record<string, SchemaNode>;
  anyOf?: SchemaNode[];
}

/** Variables that configure the process, not a config key. */
const RESERVED = new Set(['POKERFACE_CONFIG', 'POKERFACE_LOG_LEVEL']);

export interface EnvIssue {
  source: string;
  path: string;
  message: string;
}

/** Map `POKERFACE_MQTT_PASSWORD` to ['mqtt', 'password'] by walking the schema; null if no key matches. */
export function envNameToPath(name: string): { path: string[]; node: SchemaNode } | null {
  const parts = name.slice('POKERFACE_'.length).toLowerCase().split('_').filter(Boolean);
  const path: string[] = [];
  let node: SchemaNode = ConfigSchema as unknown as SchemaNode;
  let i = 0;
  while (i < parts.length) {
    const props = node.properties;
    if (!props) return null;
    let matched = false;
    // Longest run of parts first, so LOG_LEVEL finds logLevel before log.
    for (let j = parts.length; j > i; j--) {
      const want = parts.slice(i, j).join('');
      const key = Object.keys(props).find((k) => k.toLowerCase() === want);
      if (key !== undefined) {
        path.push(key);
        node = props[key] as SchemaNode;
        i = j;
        matched = true;
        break;
      }
    }
    if (!matched) return null;
  }
  return path.length > 0 ? { path, node } : null;
}

function convert(raw: string, node: SchemaNode): unknown {
  const types = node.type ? [node.type] : (node.anyOf ?? []).map((n) => n.type ?? 'string');
  if (types.length === 1 && types[0] === 'string') return raw;
  try {
    return parseYaml(raw) as unknown;
  } catch {
    return raw;
  }
}

/** `setBy`, when given, records which variable set each dotted key path, so errors can name it. */
export function applyEnvOverrides(data: Record<string, unknown>, env: NodeJS.ProcessEnv, setBy?: Map<string, string>): EnvIssue[] {
  const issues: EnvIssue[] = [];
  for (const [name, value] of Object.entries(env)) {
    if (!name.startsWith('POKERFACE_') || value === undefined || RESERVED.has(name)) continue;
    const hit = envNameToPath(name);
    if (!hit) {
      issues.push({ source: `env ${name}`, path: '', message: 'does not name a configuration key' });
      continue;
    }
    let obj: Record<string, unknown> = data;
    for (const seg of hit.path.slice(0, -1)) {
      const next = obj[seg];
      if (next === undefined || next === null) obj[seg] = {};
      else if (typeof next !== 'object' || Array.isArray(next)) {
        issues.push({ source: `env ${name}`, path: hit.path.join('.'), message: `cannot set inside ${seg}, which is not a mapping` });
        obj = {};
        continue;
      }
      obj = obj[seg] as Record<string, unknown>;
    }
    const last = hit.path[hit.path.length - 1] as string;
    obj[last] = convert(value, hit.node);
    setBy?.set(hit.path.join('.'), name);
  }
  return issues;
}
