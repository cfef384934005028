// Reads an ONNX file's graph inputs and outputs (names, element types, shapes) without
// onnxruntime, for the manifest. Older exporters list initializers among the graph
// inputs; those are not real inputs and are left out.
import { PokerfaceError } from '../../errors.js';
import type { TensorInfo } from '../manifest.js';
import { decodeModel, type ValueInfo } from './onnx-proto.js';

const ELEM_TYPES: Record<number, string> = {
  1: 'float32',
  2: 'uint8',
  3: 'int8',
  4: 'uint16',
  5: 'int16',
  6: 'int32',
  7: 'int64',
  8: 'string',
  9: 'bool',
  10: 'float16',
  11: 'float64',
  12: 'uint32',
  13: 'uint64',
};

function info(v: ValueInfo): TensorInfo {
  const t = v.type?.tensorType;
  const dims = t?.shape?.dim ?? [];
  return {
    name: v.name,
    shape: dims.map((d) => (d.dimValue !== undefined ? d.dimValue : (d.dimParam ?? '?'))),
    type: ELEM_TYPES[t?.elemType ?? 0] ?? `onnx-type-${t?.elemType ?? 0}`,
  };
}

export interface OnnxSignature {
  inputs: TensorInfo[];
  outputs: TensorInfo[];
  opset: number;
  irVersion: number;
}

export function inspectOnnx(bytes: Uint8Array, label = 'model'): OnnxSignature {
  let model;
  try {
    model = decodeModel(bytes);
  } catch (e) {
    throw new PokerfaceError('POKERFACE_ERR_MODEL_CORRUPT', `${label} is not an ONNX model: ${(e as Error).message}`, { cause: e });
  }
  const graph = model.graph as typeof model.graph | undefined;
  if (!graph || !graph.output || graph.output.length === 0) throw new PokerfaceError('POKERFACE_ERR_MODEL_CORRUPT', `${label} has no graph outputs`);
  const initialized = new Set((graph.initializer ?? []).map((t) => t.name));
  return {
    inputs: (graph.input ?? []).filter((v) => !initialized.has(v.name)).map(info),
    outputs: graph.output.map(info),
    opset: model.opsetImport?.find((o) => !o.domain)?.version ?? 0,
    irVersion: model.irVersion,
  };
}
