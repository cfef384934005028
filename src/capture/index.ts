// What other modules may import from capture (types and the fake for their tests).
export { FakeFrameSource, type FakeFrameSourceOptions } from './fake.js';
export { captureModule, CaptureModule } from './module.js';
export { createFrameSource, cameraGeometry } from './factory.js';
export type { CaptureStatsEx } from './supervisor.js';
