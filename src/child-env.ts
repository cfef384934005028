// The environment every child process (mpv, ffmpeg, ffprobe, gst-launch, gpiomon, the
// OpenCV helper, mosquitto_pub) gets: the daemon's, without the POKERFACE_* variables
// (the API token and MQTT password come in that way from the unit's EnvironmentFile)
// and without the sd_notify variables (only the daemon itself may talk to systemd).

const DROP = new Set(['NOTIFY_SOCKET', 'WATCHDOG_USEC', 'WATCHDOG_PID']);

export function childEnv(extra: NodeJS.ProcessEnv = {}, from: NodeJS.ProcessEnv = process.env): NodeJS.ProcessEnv {
  const env: NodeJS.ProcessEnv = {};
  for (const [k, v] of Object.entries(from)) {
    if (v === undefined || k.startsWith('POKERFACE_') || DROP.has(k)) continue;
    env[k] = v;
  }
  return { ...env, ...extra };
}
