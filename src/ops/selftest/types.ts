// Shapes of the hardware-in-loop selftest (`pokerface selftest`).
import type { FrozenConfig } from '../../config/schema.js';
import type { Services } from '../../wiring.js';
import type { Logger } from '../../log.js';
import type { Clock } from '../../types.js';
import type { MqttProbe } from './mqtt-probe.js';

export interface StepResult {
  name: string;
  passed: boolean;
  detail: string;
}

export interface SelftestReport {
  passed: boolean;
  steps: StepResult[];
}

/** What a step may use. Modules that failed to load or start are named in `unavailable`. */
export interface StepEnv {
  config: FrozenConfig;
  log: Logger;
  clock: Clock;
  services: Services;
  /** daemon module name → why it is not there */
  unavailable: ReadonlyMap<string, string>;
  /** demo mode: the selftest presses virtual buttons and confirms by itself */
  demo: boolean;
  /** how long the operator has for each press */
  buttonTimeoutMs: number;
  /** how long the camera step counts frames (default 3 s) */
  cameraWatchMs: number;
  /** a line for the operator (stderr, so --json stays clean) */
  say(text: string): void;
  sleep(ms: number): Promise<void>;
  mqttProbe: MqttProbe;
  fetch: typeof fetch;
  /** shared between steps: the latest camera frame (memory only, never written) */
  scratch: { frame?: import('../../types.js').Frame | undefined };
}

export interface Step {
  name: string;
  /** the daemon modules the step needs, in start order */
  modules: string[];
  run(env: StepEnv): Promise<Omit<StepResult, 'name'>>;
}
