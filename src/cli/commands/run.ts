import { parseArgs } from 'node:util';
import { Daemon, ExitRequests, runUntilSignal } from '../../daemon.js';
import { exitCodeOf, isPokerfaceError, EXIT } from '../../errors.js';
import { createLogger } from '../../log.js';
import { defaultModules } from '../../modules.js';
import type { Command } from '../io.js';
import { configPath, loadCliConfig } from '../config-arg.js';
import { boothIdProblem } from '../../config/booth-id.js';

export const command: Command = {
  summary: 'run the booth daemon until SIGTERM/SIGINT',
  usage: 'pokerface run [--config FILE]\n\n  --config FILE  configuration file (default: $POKERFACE_CONFIG or config/default.yaml)',
  async run(args, io) {
    const { values } = parseArgs({ args, options: { config: { type: 'string', short: 'c' } } });
    const file = configPath(values.config, io);
    const config = loadCliConfig(values.config, io);
    if (!config) return EXIT.CONFIG;
    const idProblem = boothIdProblem(config);
    if (idProblem) {
      io.err(`POKERFACE_ERR_CONFIG_INVALID: ${file}: ${idProblem}`);
      return EXIT.CONFIG;
    }
    const log = createLogger({ level: io.env.POKERFACE_LOG_LEVEL ?? config.logLevel });
    log.info({ file, boothId: config.boothId, demo: config.demo }, 'starting pokerface');
    const exits = new ExitRequests();
    const daemon = new Daemon({ config, log, modules: defaultModules(), onExitRequest: exits.request, configFile: file });
    try {
      await daemon.start();
    } catch (e) {
      const code = isPokerfaceError(e) ? e.code : 'POKERFACE_ERR_STARTUP';
      log.fatal({ code }, `startup failed: ${(e as Error).message}`);
      io.err(`${code}: ${(e as Error).message}`);
      return exitCodeOf(e);
    }
    log.info('pokerface running');
    return runUntilSignal(daemon, log, { exitRequests: exits });
  },
};
