// Head yaw and pitch from BlazeFace's six keypoints (right eye, left eye, nose tip,
// mouth, right ear tragion, left ear tragion; subject's right/left), in degrees.
//
// The points are first turned into the face's own frame (x along the eye line), so a
// tilted head (roll) does not read as a turned one. Then a small rigid model:
// - yaw: seen from above, the tragions sit at ±E and the nose tip D in front of them;
//   turned by ψ, the nose is offset from the tragions' midpoint by D·sinψ while the
//   tragions span 2E·cosψ, so offset / half-span = (D/E)·tanψ.
// - pitch: the nose tip lies P (in eye-to-mouth lengths) in front of the eye-mouth
//   plane; nodding by θ moves its projection along the eye-mouth line by P·tanθ.
// E/D and P are average adult proportions; the angles are estimates good enough to
// tell "facing the screen" from "looking away", not measurements.
import type { HeadPose } from '../types.js';

/** tragion half-span over nose-tip depth in front of the tragions (seen from above) */
const EAR_OVER_NOSE = 0.75;
/** nose-tip depth in front of the eye-mouth plane, in eye-to-mouth lengths */
const NOSE_DEPTH = 0.45;
/** where the nose tip falls between the eyes (0) and the mouth (1) on a frontal face */
const NOSE_AT = 0.55;

const DEG = 180 / Math.PI;

/**
 * Yaw (positive: the nose points to the image's right) and pitch (positive: looking
 * down) from keypoints as a flat [x0, y0, x1, y1, ...] list of at least 12 numbers in
 * any one pixel scale, or null when the points are degenerate.
 */
export function headPose(kps: ArrayLike<number>): HeadPose | null {
  if (kps.length < 12) return null;
  const rex = kps[0] as number, rey = kps[1] as number;
  const lex = kps[2] as number, ley = kps[3] as number;
  const nx = kps[4] as number, ny = kps[5] as number;
  const mx = kps[6] as number, my = kps[7] as number;
  const rtx = kps[8] as number, rty = kps[9] as number;
  const ltx = kps[10] as number, lty = kps[11] as number;
  // the face's x axis: from the eye on the image's left to the other one
  let ux = lex - rex;
  let uy = ley - rey;
  const eyeDist = Math.hypot(ux, uy);
  if (!(eyeDist > 0)) return null;
  ux /= eyeDist;
  uy /= eyeDist;
  // y axis: perpendicular, pointing down the face
  const vx = -uy;
  const vy = ux;
  const emx = (rex + lex) / 2;
  const emy = (rey + ley) / 2;

  // yaw from the nose against the tragions, along the eye line
  const earMidU = ((rtx + ltx) / 2 - emx) * ux + ((rty + lty) / 2 - emy) * uy;
  const noseU = (nx - emx) * ux + (ny - emy) * uy;
  const halfSpan = Math.abs((ltx - rtx) * ux + (lty - rty) * uy) / 2;
  // a tragion hidden behind a turned head collapses the span; the eyes bound it from below
  const span = Math.max(halfSpan, eyeDist * 0.25);
  const yaw = Math.atan(((noseU - earMidU) / span) * EAR_OVER_NOSE) * DEG;

  // pitch from the nose between the eyes and the mouth, across the eye line
  const mouthV = (mx - emx) * vx + (my - emy) * vy;
  if (!(mouthV > 0)) return { yaw, pitch: 0 };
  const noseV = ((nx - emx) * vx + (ny - emy) * vy) / mouthV;
  const pitch = Math.atan((noseV - NOSE_AT) / NOSE_DEPTH) * DEG;
  return { yaw, pitch };
}

/** The same from the Face's keypoint pairs. */
export function headPoseOf(points: ReadonlyArray<readonly [number, number]> | undefined): HeadPose | null {
  if (!points || points.length < 6) return null;
  const flat: number[] = [];
  for (let i = 0; i < 6; i++) flat.push((points[i] as readonly [number, number])[0], (points[i] as readonly [number, number])[1]);
  return headPose(flat);
}
