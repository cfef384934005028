import { configReference } from '../../config/reference.js';
import type { Command } from '../io.js';

export const command: Command = {
  summary: 'print the configuration reference (Markdown) generated from the schema',
  usage: 'pokerface config reference',
  async run(_args, io) {
    io.out(configReference());
    return 0;
  },
};
