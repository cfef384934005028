// A real daemon set up like the demo config (file camera of a face that is neutral for
// 12 s and then smiles for 8 s, on a loop; embedded broker; mpv with no screen) for the
// staff console's browser test and its screenshot script. Clips are 25 s long, so every
// round sees the smile and a funny round cracks.
import { rmSync } from 'node:fs';
import { join } from 'node:path';
import { DaemonProcess, makeCamera, makeMedia, ports, requireBuilt, tempDir, TOKEN, writeConfig } from './harness.js';

export { TOKEN };

export interface ConsoleBooth {
  daemon: DaemonProcess;
  url: string;
  dispose(): Promise<void>;
}

export async function startConsoleBooth(clipSeconds = 25): Promise<ConsoleBooth> {
  requireBuilt();
  const dir = tempDir('console');
  try {
    const mediaDir = join(dir, 'media');
    await makeMedia(mediaDir, clipSeconds);
    const camera = join(dir, 'demo-camera.mp4');
    await makeCamera(camera, 12, 8);
    const p = await ports();
    const cfg = writeConfig({
      dir,
      camera: { backend: 'file', file: { path: camera, loop: true, pace: 'realtime' } },
      mediaDir,
      mqttUrl: 'embedded',
      ports: p,
      game: { countdownMs: 2000, resultMs: 1500 },
      extra: {
        boothId: 'demo-console',
        logLevel: 'warn',
        mqtt: { url: 'embedded', embeddedHost: '127.0.0.1', embeddedPort: p.mqtt, statsIntervalS: 1 },
        api: { host: '127.0.0.1', port: p.api, token: TOKEN },
      },
    });
    const daemon = new DaemonProcess(cfg, p.api);
    daemon.start();
    await daemon.ready(90_000);
    return {
      daemon,
      url: `http://127.0.0.1:${p.api}/`,
      dispose: async () => {
        await daemon.stop();
        rmSync(dir, { recursive: true, force: true });
      },
    };
  } catch (e) {
    rmSync(dir, { recursive: true, force: true });
    throw e;
  }
}
