// Load for the security suite and scripts/bench/dos.ts: a results log with many rounds,
// and unauthenticated client loops over every open GET, sent from their own loopback
// address so the staff client (127.0.0.1) is counted apart, as a stranger's phone would be.
import { Agent, request } from 'node:http';
import Database from 'better-sqlite3';

export const OPEN_GETS = [
  '/',
  '/api/health',
  '/api/status',
  '/api/stats',
  '/api/metrics',
  '/api/config',
  '/api/config/schema.json',
  '/api/version',
  '/api/results?limit=500',
  '/api/results?sinceDays=36500',
  '/api/docs/json',
];

/** A results log (schema 1, as an older pokerface wrote it) holding `rows` rounds over the last `days` days. */
export function makeResultsLog(path: string, rows: number, days = 360, now = Date.now()): void {
  const db = new Database(path);
  db.pragma('journal_mode = WAL');
  db.exec(`CREATE TABLE IF NOT EXISTS results (id TEXT PRIMARY KEY, ended_at INTEGER NOT NULL, mode TEXT NOT NULL, level INTEGER NOT NULL, clip TEXT,
    outcome TEXT NOT NULL CHECK (outcome IN ('cracked', 'survived', 'aborted')), peak REAL NOT NULL, duration_ms INTEGER NOT NULL, reason TEXT);
    CREATE INDEX IF NOT EXISTS results_ended_at ON results (ended_at); PRAGMA user_version = 1;`);
  const ins = db.prepare('INSERT INTO results VALUES (?, ?, ?, ?, ?, ?, ?, ?, NULL)');
  const outcomes = ['cracked', 'survived', 'aborted'];
  const span = days * 86_400_000;
  db.transaction(() => {
    for (let i = 0; i < rows; i++) {
      const mode = i % 2 ? 'funny' : 'scary';
      const level = 1 + (i % 3);
      ins.run(`load-${i}`, now - Math.floor((i / rows) * span) - 1000, mode, level, `${mode}/${level}/clip.mp4`, outcomes[i % 3], 0.5, 12_000);
    }
  })();
  db.close();
}

export interface LoadResult {
  requests: number;
  byStatus: Record<string, number>;
  errors: number;
}

/**
 * `loops` clients, each requesting the open GETs in turn until `until` (epoch ms) or `stop`
 * says so; each loop waits for its answer before the next request, like curl in a loop.
 */
export async function hammer(base: string, loops: number, until: number, localAddress = '127.0.0.2', stop: () => boolean = () => false): Promise<LoadResult> {
  const out: LoadResult = { requests: 0, byStatus: {}, errors: 0 };
  const agent = new Agent({ keepAlive: true, maxSockets: loops });
  const one = (path: string): Promise<void> =>
    new Promise((resolve) => {
      const req = request(`${base}${path}`, { agent, localAddress, timeout: 10_000 }, (res) => {
        res.resume();
        res.on('end', () => {
          const k = String(res.statusCode);
          out.byStatus[k] = (out.byStatus[k] ?? 0) + 1;
          resolve();
        });
        res.on('error', () => resolve());
      });
      req.on('timeout', () => req.destroy());
      req.on('error', () => {
        out.errors++;
        resolve();
      });
      req.end();
    });
  const loop = async (offset: number): Promise<void> => {
    for (let i = offset; Date.now() < until && !stop(); i++) {
      out.requests++;
      await one(OPEN_GETS[i % OPEN_GETS.length] as string);
    }
  };
  await Promise.all(Array.from({ length: loops }, (_, i) => loop(i * 3)));
  agent.destroy();
  return out;
}

/** Time one GET from the staff address (ms), or NaN when it failed. */
export async function timeGet(base: string, path: string, localAddress = '127.0.0.1'): Promise<{ ms: number; status: number }> {
  const t0 = performance.now();
  return new Promise((resolve) => {
    const req = request(`${base}${path}`, { localAddress, timeout: 10_000 }, (res) => {
      res.resume();
      res.on('end', () => resolve({ ms: performance.now() - t0, status: res.statusCode ?? 0 }));
    });
    req.on('timeout', () => req.destroy());
    req.on('error', () => resolve({ ms: Number.NaN, status: 0 }));
    req.end();
  });
}
