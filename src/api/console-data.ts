// What the staff console shows beside the live stream, computed from the media library
// and the results log: per-clip figures, the CSV export, clip names relative to the
// media folder, and a short window of event-loop lag.
import path from 'node:path';
import type { RoundResult } from '../types.js';

/** A clip path as staff read it: relative to the media folder, "/"-separated. */
export function relativeClip(root: string, clip: string | null): string | null {
  if (clip === null) return null;
  if (!path.isAbsolute(clip)) return clip.split(path.sep).join('/');
  const rel = path.relative(root, clip);
  if (rel === '' || rel.startsWith('..') || path.isAbsolute(rel)) return path.basename(clip);
  return rel.split(path.sep).join('/');
}

export interface ClipRow {
  /** relative to the media folder, e.g. "funny/1/cat.mp4" */
  name: string;
  mode: string | null;
  level: number | null;
  /** probed length; null for a clip that is no longer in the library */
  durationMs: number | null;
  playable: boolean;
  rounds: number;
  cracked: number;
  survived: number;
  aborted: number;
  /** cracked / (cracked + survived); null before any such round */
  crackRate: number | null;
  medianCrackMs: number | null;
  /** epoch ms of the last round with this clip */
  lastPlayed: number | null;
  /** rounds aborted because the clip failed to play */
  failures: number;
}

export interface ClipProblem {
  name: string;
  kind: 'probe' | 'play';
  reason: string;
  /** epoch ms of the last failure to play; null for a probe failure */
  at: number | null;
}

export interface ClipTableInput {
  root: string;
  /** mode name → media folder (game.modes[*].media) */
  modes: Readonly<Record<string, string>>;
  clips: ReadonlyArray<{ folder: string; clip: { file: string; durationMs: number } }>;
  skipped: ReadonlyArray<{ file: string; reason: string }>;
  results: readonly RoundResult[];
}

const CLIP_FAILED = 'clip_failed';

function median(xs: number[]): number | null {
  if (xs.length === 0) return null;
  const s = [...xs].sort((a, b) => a - b);
  const m = s.length >> 1;
  return s.length % 2 ? (s[m] as number) : ((s[m - 1] as number) + (s[m] as number)) / 2;
}

/** "funny/2/x.mp4" → the mode whose media folder is "funny", level 2 */
function modeLevelOf(name: string, folderToMode: ReadonlyMap<string, string>): { mode: string | null; level: number | null } {
  const [folder, lvl] = name.split('/');
  const level = Number(lvl);
  return { mode: (folder !== undefined ? folderToMode.get(folder) : undefined) ?? null, level: Number.isInteger(level) && level > 0 ? level : null };
}

/** relativeClip with a memo: the results log names the same few clips thousands of times */
function relativeNamer(root: string): (clip: string | null) => string | null {
  const memo = new Map<string, string | null>();
  return (clip) => {
    if (clip === null) return null;
    let r = memo.get(clip);
    if (r === undefined) {
      r = relativeClip(root, clip);
      memo.set(clip, r);
    }
    return r;
  };
}

/** One row per clip in the library (and per clip the results log still names), plus the clips that fail. */
export function clipTable(input: ClipTableInput): { clips: ClipRow[]; problems: ClipProblem[] } {
  const rel = relativeNamer(input.root);
  const folderToMode = new Map<string, string>();
  for (const [mode, folder] of Object.entries(input.modes)) if (!folderToMode.has(folder)) folderToMode.set(folder, mode);
  const rows = new Map<string, ClipRow & { crackMs: number[]; lastFailure: string | null; lastFailureAt: number | null }>();
  const row = (name: string): ClipRow & { crackMs: number[]; lastFailure: string | null; lastFailureAt: number | null } => {
    let r = rows.get(name);
    if (!r) {
      r = {
        name,
        ...modeLevelOf(name, folderToMode),
        durationMs: null,
        playable: false,
        rounds: 0,
        cracked: 0,
        survived: 0,
        aborted: 0,
        crackRate: null,
        medianCrackMs: null,
        lastPlayed: null,
        failures: 0,
        crackMs: [],
        lastFailure: null,
        lastFailureAt: null,
      };
      rows.set(name, r);
    }
    return r;
  };
  for (const { clip } of input.clips) {
    const r = row(rel(clip.file) ?? clip.file);
    r.durationMs = clip.durationMs;
    r.playable = true;
  }
  for (const res of input.results) {
    const name = rel(res.clip);
    if (name === null) continue;
    const r = row(name);
    r.rounds++;
    r[res.outcome]++;
    if (res.outcome === 'cracked') r.crackMs.push(res.durationMs);
    r.lastPlayed = Math.max(r.lastPlayed ?? 0, res.endedAt);
    if (res.outcome === 'aborted' && res.reason?.startsWith(CLIP_FAILED)) {
      r.failures++;
      if (r.lastFailureAt === null || res.endedAt >= r.lastFailureAt) {
        r.lastFailureAt = res.endedAt;
        r.lastFailure = res.reason.slice(CLIP_FAILED.length).replace(/^:\s*/, '') || 'failed to play';
      }
    }
  }
  const problems: ClipProblem[] = input.skipped.map((s) => ({ name: relativeClip(input.root, s.file) ?? s.file, kind: 'probe' as const, reason: s.reason, at: null }));
  const clips: ClipRow[] = [];
  for (const r of rows.values()) {
    const decided = r.cracked + r.survived;
    const { crackMs, lastFailure, lastFailureAt, ...out } = r;
    out.crackRate = decided > 0 ? r.cracked / decided : null;
    out.medianCrackMs = median(crackMs);
    clips.push(out);
    if (lastFailure !== null) problems.push({ name: r.name, kind: 'play', reason: lastFailure, at: lastFailureAt });
  }
  clips.sort((a, b) => (a.mode ?? '~').localeCompare(b.mode ?? '~') || (a.level ?? 99) - (b.level ?? 99) || a.name.localeCompare(b.name));
  return { clips, problems };
}

const CSV_HEADER = ['ended_at', 'mode', 'level', 'clip', 'outcome', 'peak', 'duration_ms', 'reason', 'id'];

/** A cell as text; a leading = + - @ is defused so a spreadsheet never runs it as a formula. */
function cell(v: string | number | null | undefined): string {
  if (v === null || v === undefined) return '';
  let s = String(v);
  if (typeof v === 'string' && /^[=+\-@\t\r]/.test(s)) s = `'${s}`;
  return /[",\r\n]/.test(s) || s !== String(v) ? `"${s.replace(/"/g, '""')}"` : s;
}

/** RFC 4180 CSV of rounds, newest first as given; times in UTC (ISO 8601). */
export function resultsCsv(rows: readonly RoundResult[], root: string): string {
  const rel = relativeNamer(root);
  const lines = [CSV_HEADER.join(',')];
  for (const r of rows) {
    lines.push(
      [new Date(r.endedAt).toISOString(), r.mode, r.level, rel(r.clip), r.outcome, Math.round(r.peak * 1000) / 1000, Math.round(r.durationMs), r.reason, r.id]
        .map(cell)
        .join(','),
    );
  }
  return `${lines.join('\r\n')}\r\n`;
}

/** The last `size` event-loop lag samples: mean and worst, for a glance (metrics keep the histogram). */
export class LagWindow {
  private readonly samples: Float64Array;
  private n = 0;
  private i = 0;

  constructor(size = 500) {
    this.samples = new Float64Array(size);
  }

  observe(ms: number): void {
    this.samples[this.i] = ms;
    this.i = (this.i + 1) % this.samples.length;
    if (this.n < this.samples.length) this.n++;
  }

  summary(): { meanMs: number; maxMs: number } {
    let sum = 0;
    let max = 0;
    for (let k = 0; k < this.n; k++) {
      const v = this.samples[k] as number;
      sum += v;
      if (v > max) max = v;
    }
    const r1 = (x: number): number => Math.round(x * 10) / 10;
    return { meanMs: this.n ? r1(sum / this.n) : 0, maxMs: r1(max) };
  }
}

/** Where MQTT goes, without credentials: "embedded 127.0.0.1:1883" or "mqtts://host:8883". */
export function brokerLabel(url: string, embeddedHost: string, embeddedPort: number): string {
  if (url === 'embedded') return `embedded ${embeddedHost}:${embeddedPort}`;
  try {
    const u = new URL(url);
    return `${u.protocol}//${u.host}`;
  } catch {
    return 'external';
  }
}
