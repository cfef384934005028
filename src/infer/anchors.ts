// SSD anchor generation as MediaPipe's face detection graphs configure it. Both BlazeFace
// variants use fixed-size anchors (w = h = 1) and the same grid once normalised:
//   front 128: strides [8, 16, 16, 16]  -> 16x16 cells x 2 + 8x8 cells x 6 = 896
//   back  256: strides [16, 32, 32, 32] -> 16x16 cells x 2 + 8x8 cells x 6 = 896
// Layers that share a stride are merged into one grid with their anchors side by side,
// which is the order the model's regressor outputs use.

export interface SsdAnchorOptions {
  inputSize: number;
  strides: number[];
  /** anchors per cell for each layer (MediaPipe: 2 per layer with interpolated scale) */
  anchorsPerLayer: number;
  offset: number;
}

export const BLAZEFACE_ANCHORS: Record<'front' | 'back', SsdAnchorOptions> = {
  front: { inputSize: 128, strides: [8, 16, 16, 16], anchorsPerLayer: 2, offset: 0.5 },
  back: { inputSize: 256, strides: [16, 32, 32, 32], anchorsPerLayer: 2, offset: 0.5 },
};

/** Anchor centres, normalised to [0,1], as [x0, y0, x1, y1, ...]. */
export function ssdAnchors(o: SsdAnchorOptions): Float32Array {
  const out: number[] = [];
  let layer = 0;
  while (layer < o.strides.length) {
    const stride = o.strides[layer] as number;
    let perCell = 0;
    // merge consecutive layers with the same stride
    while (layer < o.strides.length && o.strides[layer] === stride) {
      perCell += o.anchorsPerLayer;
      layer++;
    }
    const cells = Math.ceil(o.inputSize / stride);
    for (let y = 0; y < cells; y++) {
      for (let x = 0; x < cells; x++) {
        const cx = (x + o.offset) / cells;
        const cy = (y + o.offset) / cells;
        for (let a = 0; a < perCell; a++) out.push(cx, cy);
      }
    }
  }
  return Float32Array.from(out);
}
