// What the staff console's reads cost on the main thread with a full results log:
// reading the newest 10,000 rounds, the per-clip table (/api/clips, computed once per
// finished round) and the CSV export (/api/results.csv, on demand).
//   npx tsx scripts/bench/console.ts
import { SqliteResultsStore } from '../../src/ops/results.js';
import { clipTable, resultsCsv } from '../../src/api/console-data.js';
import { silentLogger } from '../../src/log.js';
const store = new SqliteResultsStore({ path: ':memory:', retentionDays: 3650, maxRows: 100000, clock: { now: () => performance.now(), wall: () => Date.now() }, log: silentLogger });
await store.start();
const outcomes = ['cracked', 'survived', 'aborted'] as const;
for (let i = 0; i < 10000; i++) store.append({ id: `r${i}`, endedAt: Date.now() - i * 60000, mode: 'funny', level: 1 + (i % 3), clip: `/srv/media/funny/${1 + (i % 3)}/clip${i % 40}.mp4`, outcome: outcomes[i % 3]!, peak: 0.5, durationMs: 1000 + i, reason: i % 3 === 2 ? 'face_lost' : undefined });
const clips = Array.from({ length: 40 }, (_, k) => ({ folder: `funny/${1 + (k % 3)}`, clip: { file: `/srv/media/funny/${1 + (k % 3)}/clip${k}.mp4`, name: `clip${k}.mp4`, durationMs: 20000 } }));
for (let rep = 0; rep < 3; rep++) {
  let t = performance.now();
  const rows = store.recent(10000);
  const tRead = performance.now() - t;
  t = performance.now();
  clipTable({ root: '/srv/media', modes: { funny: 'funny' }, clips, skipped: [], results: rows });
  const tTable = performance.now() - t;
  t = performance.now();
  resultsCsv(rows, '/srv/media');
  console.log(`10000 rounds: read ${tRead.toFixed(1)} ms, clip table ${tTable.toFixed(1)} ms, csv ${(performance.now() - t).toFixed(1)} ms`);
}
await store.stop();
