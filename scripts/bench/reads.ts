// What each open GET costs the daemon's main thread with a 200 000-round results log:
// the REST server in process (fastify inject, no network), the real SQLite results store.
// Prints the first (uncached) call and the mean of the next 20 for every open GET, plus
// the time to open and migrate the log. A benchmark, not a test.
//
//   npx tsx scripts/bench/reads.ts [--rows 200000]
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { parseConfig } from '../../src/config/load.js';
import { systemClock } from '../../src/clock.js';
import { silentLogger } from '../../src/log.js';
import { RestServer } from '../../src/api/rest.js';
import { staffServices } from '../../src/api/services.js';
import { SqliteResultsStore } from '../../src/ops/results.js';
import { OPEN_GETS, makeResultsLog } from '../../test/e2e/load.js';

const { values } = parseArgs({ options: { rows: { type: 'string', default: '200000' } } });
const dir = mkdtempSync(join(tmpdir(), 'pokerface-reads-'));
try {
  const path = join(dir, 'results.sqlite');
  makeResultsLog(path, Number(values.rows));
  const results = new SqliteResultsStore({ path, retentionDays: 3650, maxRows: 10_000_000, clock: systemClock, log: silentLogger });
  let t = performance.now();
  await results.start();
  console.log(`open + migrate ${values.rows} rounds: ${(performance.now() - t).toFixed(0)} ms`);
  const server = new RestServer({
    config: parseConfig('api:\n  requestsPerMinute: 1000000\n', 'bench'),
    log: silentLogger,
    clock: systemClock,
    services: staffServices({ results }),
    requestExit: () => undefined,
  });
  const app = await server.build();
  for (const url of OPEN_GETS) {
    t = performance.now();
    await app.inject(url);
    const first = performance.now() - t;
    const n = 20;
    t = performance.now();
    for (let i = 0; i < n; i++) await app.inject(url);
    console.log(`${url.padEnd(30)} first ${first.toFixed(2).padStart(7)} ms, then ${((performance.now() - t) / n).toFixed(2).padStart(6)} ms`);
  }
  await server.stop();
  await results.stop();
} finally {
  rmSync(dir, { recursive: true, force: true });
}
