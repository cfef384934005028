// YOLOv3 head decoding (the one-stage MobileNetV2-YOLOv3 path). Each of the 3 outputs
// holds, per grid cell and per anchor, (tx, ty, tw, th, objectness, class logits...):
//   x = (sigmoid(tx) + cx) / gridW * inputSize,  w = anchorW * exp(tw)   (input pixels)
//   confidence = sigmoid(obj) * sigmoid(class)
// Layouts: NCHW [1, A*(5+C), H, W] or NHWC [1, H, W, A*(5+C)] / [1, H, W, A, 5+C].
import { PokerfaceError } from '../errors.js';
import { sigmoid } from './blazeface.js';
import { nms, type Detection } from './nms.js';

export type YoloLayout = 'nchw' | 'nhwc';

export interface YoloOutput {
  data: Float32Array;
  dims: readonly number[];
}

export interface YoloOptions {
  inputSize: number;
  numClasses: number;
  /** 9 anchors (w, h) in input pixels, smallest first */
  anchors: ReadonlyArray<ReadonlyArray<number>>;
  layout: YoloLayout | 'auto';
  confThreshold: number;
  nmsIou: number;
  classAgnostic: boolean;
  maxOut: number;
}

interface Grid {
  out: YoloOutput;
  layout: YoloLayout;
  h: number;
  w: number;
}

const ANCHORS_PER_SCALE = 3;

/** Work out the layout and grid size of one output. */
export function gridOf(out: YoloOutput, numClasses: number, layout: YoloLayout | 'auto'): Grid {
  const per = ANCHORS_PER_SCALE * (5 + numClasses);
  const d = out.dims;
  const bad = (): PokerfaceError =>
    new PokerfaceError('POKERFACE_ERR_MODEL_SHAPE', `YOLO output [${d.join(', ')}] fits neither [1, ${per}, H, W] nor [1, H, W, ${per}] for ${numClasses} classes`);
  if (d.length === 5) {
    if (d[3] !== ANCHORS_PER_SCALE || d[4] !== 5 + numClasses) throw bad();
    return { out, layout: 'nhwc', h: d[1] as number, w: d[2] as number };
  }
  if (d.length !== 4) throw bad();
  const nchwFits = d[1] === per;
  const nhwcFits = d[3] === per;
  let l: YoloLayout;
  if (layout !== 'auto') {
    if ((layout === 'nchw' && !nchwFits) || (layout === 'nhwc' && !nhwcFits)) throw bad();
    l = layout;
  } else if (nchwFits && !nhwcFits) l = 'nchw';
  else if (nhwcFits && !nchwFits) l = 'nhwc';
  else if (nchwFits && nhwcFits) l = 'nhwc'; // ambiguous tiny grids: Keras exports are NHWC
  else throw bad();
  return l === 'nchw' ? { out, layout: l, h: d[2] as number, w: d[3] as number } : { out, layout: l, h: d[1] as number, w: d[2] as number };
}

/**
 * Decode all scales to detections in model-input pixels. Scales are matched to anchors
 * by grid size: the finest grid gets the smallest three anchors.
 */
export function decodeYolo(outputs: readonly YoloOutput[], o: YoloOptions): Detection[] {
  if (outputs.length !== 3) throw new PokerfaceError('POKERFACE_ERR_MODEL_SHAPE', `YOLO model has ${outputs.length} outputs, expected 3 scales`);
  if (o.anchors.length !== 9) throw new PokerfaceError('POKERFACE_ERR_CONFIG_INVALID', 'model.yolo.anchors needs 9 anchors');
  const grids = outputs.map((out) => gridOf(out, o.numClasses, o.layout)).sort((a, b) => b.h * b.w - a.h * a.w);
  const C = o.numClasses;
  const per = 5 + C;
  const cands: Detection[] = [];
  const t = Math.min(Math.max(o.confThreshold, 1e-6), 1 - 1e-6);
  const objLogitMin = Math.log(t / (1 - t)); // obj * cls >= t implies obj >= t
  grids.forEach((g, scale) => {
    const { data } = g.out;
    const hw = g.h * g.w;
    for (let a = 0; a < ANCHORS_PER_SCALE; a++) {
      const anchor = o.anchors[scale * ANCHORS_PER_SCALE + a] as ReadonlyArray<number>;
      const aw = anchor[0] as number;
      const ah = anchor[1] as number;
      for (let gy = 0; gy < g.h; gy++) {
        for (let gx = 0; gx < g.w; gx++) {
          const cell = gy * g.w + gx;
          // index of component k for this anchor and cell
          const at =
            g.layout === 'nchw'
              ? (k: number): number => data[(a * per + k) * hw + cell] as number
              : (k: number): number => data[cell * ANCHORS_PER_SCALE * per + a * per + k] as number;
          const objLogit = at(4);
          if (objLogit < objLogitMin) continue;
          const obj = sigmoid(objLogit);
          const cx = ((sigmoid(at(0)) + gx) / g.w) * o.inputSize;
          const cy = ((sigmoid(at(1)) + gy) / g.h) * o.inputSize;
          const w = aw * Math.exp(at(2));
          const h = ah * Math.exp(at(3));
          const classScores = new Array<number>(C);
          let best = 0;
          for (let c = 0; c < C; c++) {
            classScores[c] = sigmoid(at(5 + c));
            if ((classScores[c] as number) > (classScores[best] as number)) best = c;
          }
          const base = { x: cx - w / 2, y: cy - h / 2, w, h, kps: [], classScores };
          if (o.classAgnostic) {
            const score = obj * (classScores[best] as number);
            if (score >= o.confThreshold) cands.push({ ...base, score, cls: best });
          } else {
            // as keras-yolo3 does: one candidate per class above the threshold
            for (let c = 0; c < C; c++) {
              const score = obj * (classScores[c] as number);
              if (score >= o.confThreshold) cands.push({ ...base, score, cls: c });
            }
          }
        }
      }
    }
  });
  return nms(cands, o.nmsIou, o.maxOut, !o.classAgnostic);
}
