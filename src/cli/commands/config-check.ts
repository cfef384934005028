import { parseArgs } from 'node:util';
import { fileChecks } from '../../config/checks.js';
import { ConfigError, loadConfigFile } from '../../config/load.js';
import { EXIT } from '../../errors.js';
import { boothIdProblem } from '../../config/booth-id.js';
import { configWarnings } from '../../config/policy.js';
import type { Command } from '../io.js';

export const command: Command = {
  summary: 'validate a configuration file; exit 0, or 78 with every problem listed',
  usage: 'pokerface config check [FILE] [--json]\n\n  FILE    configuration file (default: config/default.yaml)\n  --json  print the effective configuration (secrets redacted) when valid',
  async run(args, io) {
    const { values, positionals } = parseArgs({ args, allowPositionals: true, options: { json: { type: 'boolean', default: false } } });
    const file = positionals[0] ?? io.env.POKERFACE_CONFIG ?? 'config/default.yaml';
    try {
      const cfg = loadConfigFile(file, { env: io.env, fileChecks });
      const idProblem = boothIdProblem(cfg);
      if (idProblem) {
        io.err(`POKERFACE_ERR_CONFIG_INVALID: ${file}: ${idProblem}`);
        return EXIT.CONFIG;
      }
      for (const w of configWarnings(cfg)) io.err(`warning: ${w}`);
      if (values.json) {
        const { redactConfig } = await import('../../config/load.js');
        io.out(JSON.stringify(redactConfig(cfg), null, 2));
      } else io.out(`${file}: OK`);
      return EXIT.OK;
    } catch (e) {
      if (e instanceof ConfigError) {
        io.err(e.format());
        return e.exitCode;
      }
      throw e;
    }
  },
};
