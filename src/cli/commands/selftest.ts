import { parseArgs } from 'node:util';
import { systemClock } from '../../clock.js';
import { EXIT } from '../../errors.js';
import { createLogger } from '../../log.js';
import { formatReport, runSelftest } from '../../ops/selftest/harness.js';
import { mosquittoProbe } from '../../ops/selftest/mqtt-probe.js';
import { selectSteps } from '../../ops/selftest/steps.js';
import type { Command } from '../io.js';
import { loadCliConfig } from '../config-arg.js';

export const command: Command = {
  summary: 'walk through the booth hardware (camera, face, inference, buttons, lights, player, MQTT, REST): PASS/FAIL',
  usage: [
    'pokerface selftest [--config FILE] [--json] [--only STEP[,STEP...]] [--button-timeout S]',
    '',
    '  --config FILE       configuration file (default: $POKERFACE_CONFIG or config/default.yaml)',
    '  --json              print {"passed", "steps": [{"name", "passed", "detail"}]} on stdout',
    '  --only STEPS        run only these steps (repeatable or comma-separated): camera, face,',
    '                      inference, buttons (or button:funny ...), lights, player, mqtt, rest',
    '  --button-timeout S  seconds the operator has for each press (default 20; 5 in demo mode)',
    '',
    'Runs the modules itself: stop the service first (systemctl stop pokerface), or the',
    'camera, the mpv socket and the ports are busy. In demo mode the selftest presses the',
    'virtual buttons itself. Exit 0 when every step passed, 1 otherwise.',
  ].join('\n'),
  async run(args, io) {
    const { values } = parseArgs({
      args,
      options: {
        config: { type: 'string', short: 'c' },
        json: { type: 'boolean', default: false },
        only: { type: 'string', multiple: true },
        'button-timeout': { type: 'string' },
        verbose: { type: 'boolean', short: 'v', default: false },
      },
    });
    const config = loadCliConfig(values.config, io);
    if (!config) return EXIT.CONFIG;
    let steps;
    try {
      steps = selectSteps((values.only ?? []).flatMap((o) => o.split(',')).map((s) => s.trim()).filter(Boolean));
    } catch (e) {
      io.err(`pokerface selftest: ${(e as Error).message}`);
      return 64;
    }
    const timeoutS = values['button-timeout'] !== undefined ? Number(values['button-timeout']) : undefined;
    if (timeoutS !== undefined && !(timeoutS > 0)) {
      io.err('pokerface selftest: --button-timeout needs a number of seconds > 0');
      return 64;
    }
    // Module logs go to stderr (warnings only unless --verbose); stdout holds the result.
    const log = createLogger({ level: values.verbose ? 'debug' : (io.env.POKERFACE_LOG_LEVEL ?? 'warn'), pretty: false, destination: process.stderr });
    const report = await runSelftest({
      config,
      log,
      clock: systemClock,
      steps,
      say: (t) => io.err(t),
      mqttProbe: mosquittoProbe(),
      ...(timeoutS !== undefined ? { buttonTimeoutMs: timeoutS * 1000 } : {}),
    });
    io.out(values.json ? JSON.stringify(report) : formatReport(report));
    return report.passed ? EXIT.OK : EXIT.FAILURE;
  },
};
