import { parseArgs } from 'node:util';
import { systemClock } from '../../clock.js';
import { EXIT } from '../../errors.js';
import { silentLogger } from '../../log.js';
import { SqliteResultsStore } from '../../ops/results.js';
import type { Command } from '../io.js';
import { loadCliConfig } from '../config-arg.js';

export const command: Command = {
  summary: 'print the results log: totals per day/mode/level and the latest rounds',
  usage: [
    'pokerface results [--config FILE] [--days N] [--recent N] [--json]',
    '',
    '  --config FILE  configuration file (default: $POKERFACE_CONFIG or config/default.yaml)',
    '  --days N       totals of the last N days (default 7)',
    '  --recent N     also list the latest N rounds (default 10)',
    '  --json         print {"totals": [...], "recent": [...]}',
  ].join('\n'),
  async run(args, io) {
    const { values } = parseArgs({
      args,
      options: {
        config: { type: 'string', short: 'c' },
        days: { type: 'string', default: '7' },
        recent: { type: 'string', default: '10' },
        json: { type: 'boolean', default: false },
      },
    });
    const config = loadCliConfig(values.config, io);
    if (!config) return EXIT.CONFIG;
    const days = Number(values.days);
    const recentN = Number(values.recent);
    if (!(days > 0) || !(recentN >= 0)) {
      io.err('pokerface results: --days needs a number > 0 and --recent a number >= 0');
      return 64;
    }
    const c = config.results;
    // Read-only while the daemon writes (WAL lets both run); retention is the daemon's job.
    // Run it as the service user (sudo -u pokerface) so no root-owned -shm file is left.
    const store = new SqliteResultsStore({ path: c.path, retentionDays: c.retentionDays, maxRows: c.maxRows, clock: systemClock, log: silentLogger, readonly: true });
    try {
      await store.start();
    } catch (e) {
      io.err(`${(e as Error).message}`);
      return EXIT.NOINPUT;
    }
    try {
      const totals = store.totals({ sinceDays: days });
      const recent = store.recent(recentN);
      if (values.json) {
        io.out(JSON.stringify({ totals, recent }));
        return EXIT.OK;
      }
      const lines = [`results log ${c.path}: ${store.count()} rounds stored`, '', `totals, last ${days} day(s):`, 'day         mode      level  rounds  cracked  survived  aborted'];
      for (const t of totals) {
        lines.push(`${t.day}  ${t.mode.padEnd(8)}  ${String(t.level).padStart(5)}  ${String(t.rounds).padStart(6)}  ${String(t.cracked).padStart(7)}  ${String(t.survived).padStart(8)}  ${String(t.aborted).padStart(7)}`);
      }
      if (totals.length === 0) lines.push('(none)');
      if (recentN > 0) {
        lines.push('', `latest ${recentN}:`);
        for (const r of recent) {
          lines.push(`${new Date(r.endedAt).toISOString()}  ${r.mode} ${r.level}  ${r.outcome.padEnd(8)}  peak ${r.peak.toFixed(2)}  ${(r.durationMs / 1000).toFixed(1)} s  ${r.clip ?? ''}${r.reason ? `  (${r.reason})` : ''}`);
        }
        if (recent.length === 0) lines.push('(none)');
      }
      io.out(lines.join('\n'));
      return EXIT.OK;
    } finally {
      await store.stop();
    }
  },
};
