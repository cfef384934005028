// TensorFlow and ONNX lay convolution filters out differently:
//   TF conv2d filter   [H, W, In, Out]         → ONNX Conv weight [Out, In, H, W]
//   TF depthwise       [H, W, In, Multiplier]  → ONNX Conv weight [In*M, 1, H, W], group = In
// and TF's 'same' padding is asymmetric when the total is odd (the extra row/column goes
// at the end), so we emit explicit ONNX pads instead of auto_pad.

/** HWIO → OIHW. */
export function hwioToOihw(data: Float32Array, shape: readonly number[]): { data: Float32Array; shape: [number, number, number, number] } {
  const [h, w, i, o] = shape4(shape);
  const out = new Float32Array(data.length);
  for (let y = 0; y < h; y++)
    for (let x = 0; x < w; x++)
      for (let ci = 0; ci < i; ci++)
        for (let co = 0; co < o; co++) out[((co * i + ci) * h + y) * w + x] = data[((y * w + x) * i + ci) * o + co] as number;
  return { data: out, shape: [o, i, h, w] };
}

/**
 * Depthwise HW(In)(M) → ONNX grouped-conv weight [In*M, 1, H, W]. TF orders the
 * depthwise outputs channel-major (output c*M + m comes from input c), as does ONNX
 * with group = In.
 */
export function depthwiseToOnnx(data: Float32Array, shape: readonly number[]): { data: Float32Array; shape: [number, number, number, number] } {
  const [h, w, i, m] = shape4(shape);
  const out = new Float32Array(data.length);
  for (let y = 0; y < h; y++)
    for (let x = 0; x < w; x++)
      for (let ci = 0; ci < i; ci++)
        for (let k = 0; k < m; k++) out[(ci * m + k) * h * w + y * w + x] = data[((y * w + x) * i + ci) * m + k] as number;
  return { data: out, shape: [i * m, 1, h, w] };
}

function shape4(shape: readonly number[]): [number, number, number, number] {
  if (shape.length !== 4) throw new Error(`expected a 4-D filter, got shape [${shape.join(', ')}]`);
  return shape as [number, number, number, number];
}

/**
 * TF 'same' padding along one axis: output = ceil(in / stride), total padding split
 * with the smaller half first. Returns [before, after, output size].
 */
export function samePadding(inSize: number, kernel: number, stride: number, dilation = 1): [number, number, number] {
  const effective = (kernel - 1) * dilation + 1;
  const out = Math.ceil(inSize / stride);
  const total = Math.max(0, (out - 1) * stride + effective - inSize);
  const before = Math.floor(total / 2);
  return [before, total - before, out];
}

/** TF 'valid' output size along one axis. */
export function validOutput(inSize: number, kernel: number, stride: number): number {
  return Math.ceil((inSize - kernel + 1) / stride);
}
