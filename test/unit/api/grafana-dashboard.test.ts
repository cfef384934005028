// The Grafana dashboard and Prometheus examples in docs/ stay in step with what the
// daemon exposes: every query names metrics /api/metrics serves, and promtool accepts
// every query, the scrape config and the alert rules.
import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { exposedMetrics, seriesNames } from '../../../src/api/metrics-reference.js';

interface Target {
  expr?: string;
}
interface Panel {
  title?: string;
  type: string;
  targets?: Target[];
  panels?: Panel[];
}
interface Dashboard {
  panels: Panel[];
  templating: { list: Array<{ name: string; query?: string | { query: string } }> };
}

const dash = JSON.parse(readFileSync('docs/grafana/pokerface-dashboard.json', 'utf8')) as Dashboard;

function queries(): Array<{ where: string; expr: string }> {
  const out: Array<{ where: string; expr: string }> = [];
  const walk = (ps: Panel[]): void => {
    for (const p of ps) {
      for (const t of p.targets ?? []) if (t.expr) out.push({ where: p.title ?? p.type, expr: t.expr });
      walk(p.panels ?? []);
    }
  };
  walk(dash.panels);
  for (const v of dash.templating.list) {
    const q = typeof v.query === 'string' ? v.query : v.query?.query;
    if (q && q.includes('(')) out.push({ where: `variable ${v.name}`, expr: q });
  }
  return out;
}

/** series Prometheus itself adds to every target */
const SYNTHETIC = new Set(['up', 'scrape_duration_seconds', 'scrape_samples_scraped']);
const METRIC = /\b(?:pokerface|process|nodejs)_[a-z0-9_]+\b/g;

describe('Grafana dashboard and Prometheus examples', () => {
  const exposed = new Set(exposedMetrics().flatMap(seriesNames));

  it('every dashboard query names only metrics the daemon exposes', () => {
    const qs = queries();
    expect(qs.length).toBeGreaterThan(15);
    for (const { where, expr } of qs) {
      const names = expr.match(METRIC) ?? [];
      const synthetic = [...SYNTHETIC].some((s) => new RegExp(`\\b${s}\\{`).test(expr));
      expect(names.length > 0 || synthetic, `${where}: ${expr} names no metric`).toBe(true);
      for (const n of names) expect(exposed.has(n), `${where}: ${n} is not exposed`).toBe(true);
    }
  });

  it('has a fleet row and a one-booth row with a booth variable from pokerface_build_info', () => {
    expect(dash.panels.filter((p) => p.type === 'row').map((p) => p.title)).toEqual(['Fleet', 'Booth $booth']);
    expect(JSON.stringify(dash.templating.list.find((v) => v.name === 'booth'))).toContain('label_values(pokerface_build_info, booth_id)');
  });

  it('promtool accepts every dashboard query (as recording rules), the scrape config and the alert rules', () => {
    const dir = mkdtempSync(join(tmpdir(), 'pokerface-grafana-'));
    try {
      // Grafana's variables become plain values so the queries are PromQL promtool can parse
      const plain = (e: string): string => e.replaceAll('$__rate_interval', '1m').replaceAll('$__range', '1h').replaceAll('$booth', '.*');
      const rules = queries()
        .filter((q) => !q.expr.startsWith('label_values('))
        .map((q, i) => `      - record: dashboard:query_${i}\n        expr: ${JSON.stringify(plain(q.expr))}`);
      const file = join(dir, 'rules.yml');
      writeFileSync(file, `groups:\n  - name: dashboard\n    rules:\n${rules.join('\n')}\n`);
      execFileSync('promtool', ['check', 'rules', file], { encoding: 'utf8', stdio: 'pipe' });
      execFileSync('promtool', ['check', 'config', 'docs/prometheus/prometheus.yml'], { encoding: 'utf8', stdio: 'pipe' });
      execFileSync('promtool', ['check', 'rules', 'docs/prometheus/pokerface-rules.yml'], { encoding: 'utf8', stdio: 'pipe' });
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });

  it('the alert rules name only exposed metrics', () => {
    const text = readFileSync('docs/prometheus/pokerface-rules.yml', 'utf8');
    const exprs = [...text.matchAll(/^\s+expr: (.*)$/gm)].map((m) => m[1] as string);
    expect(exprs.length).toBeGreaterThan(0);
    for (const e of exprs) for (const n of e.match(METRIC) ?? []) expect(exposed.has(n), n).toBe(true);
  });
});
