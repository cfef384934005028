// The per-frame work, run inside the inference worker (and directly by tests and the
// benchmark). Two pipelines, one per `model.kind`: two-stage (BlazeFace + expression
// classifier, two-stage-pipeline.ts) and one-stage YOLO (yolo-pipeline.ts); what they
// share is in pipeline-shared.ts.
import type { ModelConfig, Pipeline, PipelineDeps } from './pipeline-shared.js';
import { TwoStagePipeline } from './two-stage-pipeline.js';
import { YoloPipeline } from './yolo-pipeline.js';

export type { ModelConfig, Pipeline, PipelineDeps, PipelineResult, StageTimings } from './pipeline-shared.js';

export async function createPipeline(cfg: ModelConfig, deps: PipelineDeps): Promise<Pipeline> {
  return cfg.kind === 'yolo' ? YoloPipeline.create(cfg, deps) : TwoStagePipeline.create(cfg, deps);
}
