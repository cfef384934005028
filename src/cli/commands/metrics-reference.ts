import { metricsReference } from '../../api/metrics-reference.js';
import type { Command } from '../io.js';

export const command: Command = {
  summary: 'print the Prometheus metrics reference (Markdown) generated from the registry',
  usage: 'pokerface metrics reference',
  async run(_args, io) {
    io.out(metricsReference());
    return 0;
  },
};
