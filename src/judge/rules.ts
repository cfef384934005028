// The game rules the judge plays by, resolved once from the frozen config so the
// per-frame path reads plain fields instead of walking config objects.
import type { FrozenConfig } from '../config/schema.js';
import { PokerfaceError } from '../errors.js';
import type { ButtonName, Emotion } from '../types.js';

export interface ModeRule {
  name: string;
  targets: readonly Emotion[];
  /** folder under media/ */
  media: string;
  button: ButtonName | null;
}

export interface LevelRule {
  /** 1-based */
  level: number;
  threshold: number;
  holdMs: number;
  smoothingMs: number;
}

export interface JudgeRules {
  modes: readonly ModeRule[];
  levels: readonly LevelRule[];
  countdownMs: number;
  selectTimeoutMs: number;
  resultMs: number;
  faceLostMs: number;
  onFaceLost: 'abort' | 'ignore';
  onCameraLost: 'abort' | 'pause';
  campaign: boolean;
  baseline: boolean;
  baselineMax: number;
  baselineRescale: boolean;
  trackIou: number;
  maxRoundMs: number;
  onLookAway: 'abort' | 'warn' | 'off';
  lookAwayMs: number;
  lookAwayYawDeg: number;
  lookAwayPitchDeg: number;
}

const MODE_BUTTONS: readonly ButtonName[] = ['funny', 'scary'];

export function judgeRules(config: Pick<FrozenConfig, 'game'>): JudgeRules {
  const g = config.game;
  const entries = Object.entries(g.modes);
  const taken = new Map<ButtonName, string>();
  // explicit buttons first, so an implicit one (mode named like a button) never steals one
  for (const [name, m] of entries) {
    if (m.button === undefined) continue;
    const other = taken.get(m.button);
    if (other) throw new PokerfaceError('POKERFACE_ERR_CONFIG_INVALID', `game.modes: modes "${other}" and "${name}" both use button ${m.button}`);
    taken.set(m.button, name);
  }
  const modes: ModeRule[] = entries.map(([name, m]) => {
    let button: ButtonName | null = m.button ?? null;
    if (button === null) {
      const implicit = MODE_BUTTONS.find((b) => b === name);
      if (implicit && !taken.has(implicit)) {
        taken.set(implicit, name);
        button = implicit;
      }
    }
    return { name, targets: [...m.targets] as Emotion[], media: m.media, button };
  });
  if (modes.length === 0) throw new PokerfaceError('POKERFACE_ERR_CONFIG_INVALID', 'game.modes: at least one mode is needed');
  return {
    modes,
    levels: g.levels.map((l, i) => ({ level: i + 1, threshold: l.threshold, holdMs: l.holdMs, smoothingMs: l.smoothingMs })),
    countdownMs: g.countdownMs,
    selectTimeoutMs: g.selectTimeoutMs,
    resultMs: g.resultMs,
    faceLostMs: g.faceLostMs,
    onFaceLost: g.onFaceLost,
    onCameraLost: g.onCameraLost,
    campaign: g.campaign,
    baseline: g.baseline,
    baselineMax: g.baselineMax,
    baselineRescale: g.baselineRescale,
    trackIou: g.trackIou,
    maxRoundMs: g.maxRoundMs,
    onLookAway: g.onLookAway,
    lookAwayMs: g.lookAwayMs,
    lookAwayYawDeg: g.lookAwayYawDeg,
    lookAwayPitchDeg: g.lookAwayPitchDeg,
  };
}
