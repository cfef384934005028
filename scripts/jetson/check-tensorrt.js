#!/usr/bin/env node
// Proves a custom onnxruntime-node build runs TensorRT and that the provider object's
// trt_* options reach the provider: with trt_engine_cache_enable the provider writes an
// engine file into trt_engine_cache_path, which the stock binding never does.
//   node scripts/jetson/check-tensorrt.js ORT_NODE_DIR MODEL.onnx
import { mkdtempSync, readdirSync, rmSync } from 'node:fs';
import { createRequire } from 'node:module';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { performance } from 'node:perf_hooks';

const [dir, model] = process.argv.slice(2);
if (!dir || !model) {
  console.error('usage: check-tensorrt.js ORT_NODE_DIR MODEL.onnx');
  process.exit(64);
}
const ort = createRequire(resolve(dir, 'package.json'))(resolve(dir));
const cache = mkdtempSync(join(tmpdir(), 'pokerface-trt-check-'));
try {
  const t0 = performance.now();
  const session = await ort.InferenceSession.create(model, {
    executionProviders: [
      {
        name: 'tensorrt',
        deviceId: 0,
        trt_fp16_enable: '1',
        trt_engine_cache_enable: '1',
        trt_engine_cache_path: cache,
        trt_timing_cache_enable: '1',
        trt_timing_cache_path: cache,
      },
    ],
  });
  const buildMs = performance.now() - t0;
  const name = session.inputNames[0];
  const meta = session.inputMetadata?.[0];
  const shape = (meta?.shape ?? [1, 128, 128, 3]).map((d) => (typeof d === 'number' && d > 0 ? d : 1));
  const size = shape.reduce((a, b) => a * b, 1);
  const feeds = { [name]: new ort.Tensor('float32', new Float32Array(size), shape) };
  await session.run(feeds);
  const runs = 50;
  const t1 = performance.now();
  for (let i = 0; i < runs; i++) await session.run(feeds);
  const ms = (performance.now() - t1) / runs;
  const files = readdirSync(cache);
  const engines = files.filter((f) => f.endsWith('.engine'));
  console.log(`session with TensorRT in ${buildMs.toFixed(0)} ms; ${ms.toFixed(2)} ms per run (${runs} runs)`);
  console.log(`cache folder: ${files.join(', ') || '(empty)'}`);
  if (engines.length === 0) {
    console.error('FAIL: no engine file written: the trt_* options did not reach the provider (is the patch applied?)');
    process.exitCode = 1;
  } else {
    console.log('PASS: TensorRT engine cached, the options reached the provider');
  }
  await session.release?.();
} catch (e) {
  console.error(`FAIL: ${e.message}`);
  process.exitCode = 1;
} finally {
  rmSync(cache, { recursive: true, force: true });
}
