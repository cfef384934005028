import { Type as T } from '@sinclair/typebox';

export const PlayerSchema = T.Object(
  {
    enabled: T.Boolean({ default: true }),
    mpvPath: T.String({ default: 'mpv' }),
    ffprobePath: T.String({ default: 'ffprobe', description: 'ffprobe binary used to check each clip once' }),
    socketPath: T.String({ default: '/run/pokerface/mpv.sock', description: 'JSON IPC socket path' }),
    vo: T.String({ default: 'gpu', description: 'mpv --vo (null for no screen)' }),
    gpuContext: T.String({ default: 'drm', description: 'mpv --gpu-context (drm: full screen on HDMI without a desktop)' }),
    hwdec: T.String({ default: 'auto-safe' }),
    ao: T.String({ default: '', description: 'mpv --ao; empty for the default, null for none' }),
    extraArgs: T.Array(T.String(), { default: [], description: 'more mpv options, one per item' }),
    volume: T.Integer({ minimum: 0, maximum: 130, default: 80 }),
    mediaDir: T.String({ default: 'media' }),
    noRepeat: T.Integer({ minimum: 0, maximum: 100, default: 3, description: 'never repeat any of the last N clips of a folder' }),
    watchMedia: T.Boolean({ default: true, description: 'rescan the media folder when files change' }),
    ipcTimeoutMs: T.Integer({ minimum: 50, maximum: 60_000, default: 1000, description: 'an mpv request (or ping) unanswered this long fails; with pingIntervalMs it bounds how fast a hung mpv is noticed' }),
    pingIntervalMs: T.Integer({ minimum: 50, maximum: 60_000, default: 500, description: 'how often mpv is asked whether it is alive' }),
    startTimeoutMs: T.Integer({ minimum: 500, maximum: 60_000, default: 5000, description: 'how long mpv may take to open its IPC socket' }),
    watchDebounceMs: T.Integer({ minimum: 0, maximum: 60_000, default: 500, description: 'wait this long after the last file change before rescanning' }),
    watchStableMs: T.Integer({ minimum: 0, maximum: 600_000, default: 3000, description: 'a clip copied in while running is probed only once its size and mtime have not changed for this long (a half-copied file is never offered)' }),
    hud: T.Object(
      {
        enabled: T.Boolean({ default: true, description: 'draw the HUD over the clip with mpv (meter, mode, level, time left, countdown, result, attract screen)' }),
        hz: T.Integer({ minimum: 1, maximum: 30, default: 12, description: 'most HUD redraws a second (only changes are sent to mpv)' }),
        position: T.Union([T.Literal('bottom'), T.Literal('top')], { default: 'bottom', description: 'where the meter bar sits' }),
        crackCam: T.Boolean({
          default: false,
          description: "on CRACKED, show the player's face from the deciding frame for the result time; it is kept in memory only (never written to disk, published or served)",
        }),
      },
      { additionalProperties: false, default: {} },
    ),
    createFolders: T.Boolean({ default: true, description: 'create missing media/<mode>/<level>/ and media/attract/ folders at start' }),
  },
  { additionalProperties: false, default: {} },
);
