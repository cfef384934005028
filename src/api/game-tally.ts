// What a fleet view shows of a booth's games without reading its results log: rounds
// finished today (local time) and the last outcome, carried in the retained MQTT `stats`.
import type { Outcome, ResultsStore, RoundResult } from '../types.js';
import { safe } from './stats.js';

export interface GameSummary {
  roundsToday: number;
  lastOutcome: Outcome | null;
  lastAt: number | null;
}

/** YYYY-MM-DD of epoch ms in local time (as the results log counts days). */
export function localDay(epochMs: number): string {
  const d = new Date(epochMs);
  const p = (n: number): string => String(n).padStart(2, '0');
  return `${d.getFullYear()}-${p(d.getMonth() + 1)}-${p(d.getDate())}`;
}

export class GameTally {
  private day = '';
  private today = 0;
  private last: RoundResult | null = null;

  constructor(private readonly wall: () => number) {}

  /** start from the results log, when there is one */
  seed(results: Pick<ResultsStore, 'recent' | 'totals'> | undefined): void {
    if (!results) return;
    const day = localDay(this.wall());
    const totals = safe(() => results.totals({ sinceDays: 1 })) ?? [];
    this.day = day;
    this.today = totals.filter((t) => t.day === day).reduce((n, t) => n + t.rounds, 0);
    this.last = safe(() => results.recent(1)[0]) ?? null;
  }

  add(r: RoundResult): void {
    const day = localDay(r.endedAt);
    if (day !== this.day) {
      this.day = day;
      this.today = 0;
    }
    this.today++;
    this.last = r;
  }

  summary(): GameSummary {
    const today = localDay(this.wall()) === this.day ? this.today : 0;
    return { roundsToday: today, lastOutcome: this.last?.outcome ?? null, lastAt: this.last?.endedAt ?? null };
  }
}
