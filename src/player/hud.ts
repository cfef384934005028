// What the HUD shows, as ASS events for mpv's `osd-overlay` (one Dialogue line each).
// Pure: a HudView in, a string out, so every screen is tested without mpv and the
// daemon sends nothing when the string has not changed. Coordinates are on a virtual
// 1280x720 canvas (the overlay's res_x/res_y); mpv scales it to the screen.
import type { Phase, ResultTotals } from '../types.js';

export const HUD_W = 1280;
export const HUD_H = 720;

export interface HudMeter {
  /** smoothed target score (0..1) and the level's threshold */
  smoothed: number;
  threshold: number;
  heldMs: number;
  holdMs: number;
}

export interface HudView {
  phase: Phase;
  mode: string | null;
  level: number | null;
  /** big centre text (countdown number, selection, result headline), or null */
  big: string | null;
  /** a smaller line under the big text, or null */
  sub: string | null;
  /** seconds of clip left while playing, when known */
  secondsLeft: number | null;
  meter: HudMeter | null;
  away: boolean;
  /** attract: today's figures line, or null before anyone played */
  figures: string | null;
  position: 'top' | 'bottom';
}

// ASS colours are &HBBGGRR&; alpha 00 is opaque
const WHITE = 'FFFFFF';
const BLACK = '000000';
const GREEN = '50D050';
const YELLOW = '20D0F0';
const RED = '3030F0';
const GREY = '505050';

/** Text as ASS shows it literally: no override blocks, no escapes, one line. */
export function escapeAss(s: string): string {
  return s.replace(/\\/g, '\u29F5').replace(/[{}]/g, (c) => (c === '{' ? '(' : ')')).replace(/[\r\n]+/g, ' ');
}

function rect(x: number, y: number, w: number, h: number, colour: string, alpha = '00'): string {
  const r = (v: number): number => Math.round(v);
  const x2 = r(x + Math.max(0, w));
  const y2 = r(y + Math.max(0, h));
  return `{\\an7\\pos(0,0)\\bord0\\shad0\\1c&H${colour}&\\1a&H${alpha}&\\p1}m ${r(x)} ${r(y)} l ${x2} ${r(y)} l ${x2} ${y2} l ${r(x)} ${y2}{\\p0}`;
}

function text(x: number, y: number, an: number, size: number, colour: string, s: string, bord = 3): string {
  return `{\\an${an}\\pos(${Math.round(x)},${Math.round(y)})\\fs${size}\\b1\\bord${bord}\\shad0\\1c&H${colour}&\\3c&H${BLACK}&}${escapeAss(s)}`;
}

/** Meter colour: green well under the threshold, yellow near it, red at or over it. */
export function meterColour(m: HudMeter): string {
  const r = m.threshold > 0 ? m.smoothed / m.threshold : 1;
  return r >= 1 ? RED : r >= 0.6 ? YELLOW : GREEN;
}

const upper = (s: string | null): string => (s ?? '').toUpperCase();

function modeLine(v: HudView): string {
  const parts: string[] = [];
  if (v.mode) parts.push(upper(v.mode));
  if (v.level !== null) parts.push(`LEVEL ${v.level}`);
  return parts.join(' · ');
}

function formatLeft(s: number): string {
  const t = Math.max(0, Math.ceil(s));
  return `${Math.floor(t / 60)}:${String(t % 60).padStart(2, '0')} left`;
}

/** The meter: a bar of the smoothed score (full width = 1.0) with the threshold marked, and the hold filling under it. */
function meter(m: HudMeter, top: boolean, out: string[]): void {
  const x = 140;
  const w = HUD_W - 2 * x;
  const y = top ? 70 : HUD_H - 90;
  const h = 34;
  out.push(rect(x - 4, y - 4, w + 8, h + 8 + 18, BLACK, '60'));
  out.push(rect(x, y, w, h, GREY, '40'));
  out.push(rect(x, y, w * Math.min(1, Math.max(0, m.smoothed)), h, meterColour(m)));
  const tx = x + w * Math.min(1, Math.max(0, m.threshold));
  out.push(rect(tx - 3, y - 8, 6, h + 16, WHITE));
  const held = m.holdMs > 0 ? Math.min(1, m.heldMs / m.holdMs) : m.heldMs > 0 ? 1 : 0;
  out.push(rect(x, y + h + 4, w * held, 12, RED));
  out.push(text(x - 12, y + h / 2, 6, 26, WHITE, 'CALM', 2));
  out.push(text(x + w + 12, y + h / 2, 4, 26, WHITE, m.threshold > 0 ? `${Math.round(Math.min(9.99, m.smoothed / m.threshold) * 100)}%` : '', 2));
}

/** The ASS events for one HUD frame; empty string: nothing to draw. */
export function renderHud(v: HudView): string {
  const out: string[] = [];
  const top = v.position === 'top';
  if (v.phase === 'attract') {
    out.push(rect(0, 0, HUD_W, HUD_H, BLACK, 'A0'));
    out.push(text(HUD_W / 2, 190, 5, 84, WHITE, 'KEEP A STRAIGHT FACE'));
    out.push(text(HUD_W / 2, 330, 5, 40, YELLOW, 'Press FUNNY or SCARY'));
    out.push(text(HUD_W / 2, 390, 5, 40, YELLOW, 'pick LEVEL 1, 2 or 3, then press START'));
    out.push(text(HUD_W / 2, 450, 5, 30, WHITE, 'Laugh (funny) or flinch (scary) and you crack. Watch the screen!'));
    if (v.figures) out.push(text(HUD_W / 2, 610, 5, 34, GREEN, v.figures));
  } else if (v.phase === 'playing') {
    const line = modeLine(v);
    const sy = top ? HUD_H - 40 : 36;
    if (line) out.push(text(30, sy, 4, 34, WHITE, line));
    if (v.secondsLeft !== null) out.push(text(HUD_W - 30, sy, 6, 34, WHITE, formatLeft(v.secondsLeft)));
    if (v.meter) meter(v.meter, top, out);
  } else if (v.phase === 'countdown' || v.phase === 'select') {
    const line = modeLine(v);
    if (line && v.phase === 'countdown') out.push(text(HUD_W / 2, 150, 5, 44, WHITE, `${line} · straight face now!`));
  }
  if (v.big) out.push(text(HUD_W / 2, v.phase === 'result' ? 150 : HUD_H / 2, 5, v.phase === 'countdown' ? 220 : 72, v.phase === 'result' && v.big.startsWith('CRACKED') ? RED : WHITE, v.big, 5));
  if (v.sub) out.push(text(HUD_W / 2, v.phase === 'result' ? 240 : HUD_H / 2 + 80, 5, 40, WHITE, v.sub));
  if (v.away && v.phase === 'playing') {
    out.push(rect(0, HUD_H / 2 - 70, HUD_W, 140, RED, '40'));
    out.push(text(HUD_W / 2, HUD_H / 2, 5, 80, WHITE, 'WATCH THE SCREEN!', 5));
  }
  return out.join('\n');
}

/** Local YYYY-MM-DD of an epoch ms (the results log counts days in local time). */
export function localDay(epochMs: number): string {
  const d = new Date(epochMs);
  return `${d.getFullYear()}-${String(d.getMonth() + 1).padStart(2, '0')}-${String(d.getDate()).padStart(2, '0')}`;
}

/** "128 players today · 34 % survived funny level 1" (the most played mode and level), or null. */
export function todayFigures(totals: readonly ResultTotals[], day: string): string | null {
  let players = 0;
  let best: ResultTotals | null = null;
  for (const t of totals) {
    if (t.day !== day) continue;
    players += t.rounds;
    if (!best || t.rounds > best.rounds) best = t;
  }
  if (!best || players === 0) return null;
  const pct = Math.round((100 * best.survived) / Math.max(1, best.rounds));
  return `${players} ${players === 1 ? 'player' : 'players'} today · ${pct} % survived ${best.mode} level ${best.level}`;
}
