import { readFileSync, statSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { EXIT, PokerfaceError } from '../../errors.js';
import { kmeansAnchors, parseLabels, type WH } from '../../infer/kmeans.js';
import type { Command } from '../io.js';

function readLabels(path: string, size: number): WH[] {
  let st;
  try {
    st = statSync(path);
  } catch {
    throw new PokerfaceError('POKERFACE_ERR_USAGE', `${path} not found`);
  }
  if (st.isDirectory()) {
    return readdirSync(path)
      .filter((f) => f.endsWith('.txt'))
      .flatMap((f) => parseLabels(readFileSync(join(path, f), 'utf8'), size));
  }
  return parseLabels(readFileSync(path, 'utf8'), size);
}

export const command: Command = {
  summary: 'compute 9 YOLO anchors by k-means with 1-IoU distance, sorted by area',
  usage: [
    'pokerface anchors LABELS... [--size N] [--k 9] [--json]',
    '',
    '  LABELS    YOLO label files or folders of them (lines "class cx cy w h", normalised),',
    '            or keras-yolo3 annotation files (lines "image x1,y1,x2,y2,class ...", pixels)',
    '  --size N  model input size the normalised boxes are scaled to (default 224)',
    '  --k N     number of anchors (default 9)',
    '  --json    print only the anchors as JSON (for model.yolo.anchors)',
  ].join('\n'),
  async run(args, io) {
    const { values, positionals } = parseArgs({
      args,
      allowPositionals: true,
      options: { size: { type: 'string', default: '224' }, k: { type: 'string', default: '9' }, json: { type: 'boolean', default: false } },
    });
    const size = Number(values.size);
    const k = Number(values.k);
    if (!(size > 0) || !Number.isInteger(k) || k < 1) throw new PokerfaceError('POKERFACE_ERR_USAGE', '--size and --k must be positive numbers');
    if (positionals.length === 0) throw new PokerfaceError('POKERFACE_ERR_USAGE', 'no label file given');
    const boxes = positionals.flatMap((p) => readLabels(p, size));
    if (boxes.length < k) throw new PokerfaceError('POKERFACE_ERR_USAGE', `found ${boxes.length} boxes; need at least ${k}`);
    const r = kmeansAnchors(boxes, k);
    const anchors = r.anchors.map(([w, h]) => [Math.round(w * 10) / 10, Math.round(h * 10) / 10]);
    if (values.json) io.out(JSON.stringify(anchors));
    else {
      io.out(`# ${boxes.length} boxes, input ${size}, mean IoU with best anchor ${r.meanIou.toFixed(3)}, ${r.iterations} iterations`);
      io.out('# model.yolo.anchors (w, h in input pixels, smallest area first):');
      io.out(`anchors: ${JSON.stringify(anchors)}`);
    }
    return EXIT.OK;
  },
};
