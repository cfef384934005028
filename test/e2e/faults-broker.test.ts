// Faults around the network and the camera, end to end:
// - the MQTT broker stops for 10 s mid-round (the round ends meanwhile) and comes back:
//   every game event arrives after the reconnect, in order, none lost; `available` is
//   `online` again. The watcher keeps a persistent session on a persistent mosquitto,
//   so what the daemon publishes while the watcher is still reconnecting waits for it.
// - the capture child (ffmpeg) is killed with the default onCameraLost: abort: the
//   round is aborted (camera_lost), never won, and frames flow again.
import { cpSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Mosquitto, Watcher } from '../integration/api/brokers.js';
import {
  DaemonProcess,
  childPid,
  eventSeq,
  logTime,
  logsWith,
  makeCamera,
  makeMedia,
  ports,
  pressRound,
  requireBuilt,
  sleep,
  tempDir,
  waitUntil,
  writeConfig,
  type GameEventMsg,
} from './harness.js';

interface Got {
  at: number;
  topic: string;
  payload: string;
  retain: boolean;
}

const T = 'pokerface/e2e/';
const END = ['cracked', 'survived', 'aborted'];
const OUTAGE_MS = 10_000;

describe('faults: broker outage and capture kill (abort)', () => {
  const dir = tempDir('faults-broker');
  let broker: Mosquitto;
  let watcher: Watcher;
  let daemon: DaemonProcess;
  const got: Got[] = [];

  const events = (after = 0): Array<GameEventMsg & { at: number }> =>
    got.filter((m) => m.topic === `${T}event` && m.at >= after).map((m) => ({ ...(JSON.parse(m.payload) as GameEventMsg), at: m.at }));
  const phase = (): string | undefined => {
    const s = got.filter((m) => m.topic === `${T}state`).at(-1);
    return s ? (JSON.parse(s.payload) as { phase: string }).phase : undefined;
  };

  beforeAll(async () => {
    requireBuilt();
    const p = await ports();
    broker = new Mosquitto(p.mqtt, true);
    await broker.start();
    // funny: 3 s clips, so the round ends during the outage; scary: long enough to kill the camera mid-clip
    const media = join(dir, 'media');
    const long = join(dir, 'media-long');
    await makeMedia(media, 3);
    await makeMedia(long, 15);
    rmSync(join(media, 'scary'), { recursive: true });
    cpSync(join(long, 'scary'), join(media, 'scary'), { recursive: true });
    const camera = join(dir, 'neutral.mp4');
    await makeCamera(camera, 6, 0);
    const cfg = writeConfig({
      dir,
      camera: { backend: 'ffmpeg', ffmpeg: { input: camera, loop: true, realtime: true } },
      mediaDir: media,
      mqttUrl: broker.url,
      ports: p,
      game: { onCameraLost: 'abort' },
    });
    // a persistent session (clean: false, fixed client id, QoS 1) survives the broker restart
    watcher = new Watcher(broker.url, { protocolVersion: 4, clean: false, clientId: `e2e-faults-watch-${process.pid}`, reconnectPeriod: 100 });
    watcher.client.on('message', (topic, payload, packet) => got.push({ at: Date.now(), topic, payload: payload.toString(), retain: packet.retain }));
    await watcher.subscribe(`${T}#`, 1);
    daemon = new DaemonProcess(cfg, p.api);
    await daemon.startOnline(got, T);
  }, 120_000);

  afterAll(async () => {
    await daemon?.stop();
    await watcher?.close();
    await broker?.dispose();
    rmSync(dir, { recursive: true, force: true });
  });

  it('broker stopped for 10 s mid-round: every event arrives after the reconnect, in order; available is online again', async () => {
    await waitUntil(() => phase() === 'attract', 15_000, 'attract');
    const t0 = Date.now();
    await pressRound(daemon, 'funny', 'level1');
    await waitUntil(() => events(t0).some((e) => e.type === 'round_start'), 30_000, `round_start\n${daemon.tail()}`);

    await broker.stop(); // SIGTERM: mosquitto saves the watcher's session
    const downAt = Date.now();
    expect(broker.saved()).toBe(true);
    await sleep(OUTAGE_MS);
    const upAt = Date.now();
    await broker.start();

    await waitUntil(() => got.some((m) => m.topic === `${T}available` && m.payload === 'online' && !m.retain && m.at >= upAt), 20_000, `available online after the restart\n${daemon.tail()}`);
    const onlineAt = (got.find((m) => m.topic === `${T}available` && m.payload === 'online' && !m.retain && m.at >= upAt) as Got).at;
    // the round ended during the outage; its end, the result screen and the return to attract follow
    await waitUntil(() => events(upAt).some((e) => e.type === 'phase' && e.phase === 'attract'), 20_000, `attract event after the restart\n${daemon.tail()}`);

    const all = events();
    const end = all.find((e) => END.includes(e.type) && e.at >= t0) as GameEventMsg & { at: number };
    expect(end.type, JSON.stringify(all)).toBe('survived');
    expect(end.ts, 'the round ended while the broker was away').toBeGreaterThan(downAt);
    expect(end.ts).toBeLessThan(upAt);
    expect(end.at).toBeGreaterThanOrEqual(upAt);
    const during = all.filter((e) => e.ts > downAt && e.ts < upAt).map((e) => e.type === 'phase' ? `phase:${e.phase}` : e.type);
    expect(during).toEqual(expect.arrayContaining(['survived', 'phase:result', 'phase:attract']));
    for (const e of all.filter((x) => x.ts > downAt && x.ts < upAt)) expect(e.at, `${e.id} ${e.type}`).toBeGreaterThanOrEqual(upAt);

    // in order and none lost: the judge numbers its events; duplicates only as QoS 1 allows (same id, same payload)
    const firstOf = new Map<string, string>();
    const order: number[] = [];
    for (const m of got.filter((x) => x.topic === `${T}event`)) {
      const e = JSON.parse(m.payload) as GameEventMsg;
      const seen = firstOf.get(e.id);
      if (seen !== undefined) {
        expect(m.payload, `duplicate ${e.id} differs`).toBe(seen);
        continue;
      }
      firstOf.set(e.id, m.payload);
      order.push(eventSeq(e));
    }
    // (the judge's first event, attract at start-up, comes before the MQTT module subscribes;
    // the retained state covers it)
    expect(order[0]).toBeLessThanOrEqual(2);
    const first = order[0] as number;
    expect(order, 'events first..n, each once, in order').toEqual(order.map((_, i) => first + i));
    const dups = got.filter((x) => x.topic === `${T}event`).length - order.length;
    console.log(
      `broker outage ${upAt - downAt} ms: ${order.length} events in order (${dups} duplicates), ${during.length} published during the outage (${during.join(', ')}); online again ${onlineAt - upAt} ms after the broker restarted; round end arrived ${end.at - upAt} ms after it`,
    );
    // every event acknowledged: nothing left queued or in flight, nothing dropped
    let st: { mqtt: { connected: boolean; queued: number; dropped: number } } | null = null;
    await waitUntil(
      async () => {
        st = (await daemon.api('GET', '/api/status')).json as { mqtt: { connected: boolean; queued: number; dropped: number } };
        return st.mqtt.queued === 0;
      },
      5000,
      'the MQTT event queue drained',
    ).catch(() => undefined);
    expect(st).toMatchObject({ mqtt: { connected: true, queued: 0, dropped: 0 } });
  }, 90_000);

  it('capture child killed with onCameraLost: abort: the round is aborted, never won; frames flow again', async () => {
    await waitUntil(() => phase() === 'attract', 15_000, 'attract');
    const t0 = Date.now();
    await pressRound(daemon, 'scary', 'level1');
    await waitUntil(() => events(t0).some((e) => e.type === 'round_start'), 30_000, `round_start\n${daemon.tail()}`);
    await sleep(300); // into the round: the kill is to land mid-round
    const ffmpeg = childPid(daemon.pid, 'ffmpeg');
    expect(ffmpeg).not.toBeNull();
    const killAt = Date.now();
    process.kill(ffmpeg as number, 'SIGKILL');

    await waitUntil(() => events(killAt).some((e) => END.includes(e.type)), 10_000, `the round ends\n${daemon.tail()}`);
    const end = events(killAt).find((e) => END.includes(e.type)) as GameEventMsg & { at: number };
    expect(end.type).toBe('aborted');
    expect(end.reason).toMatch(/^camera_lost/);
    await waitUntil(() => logsWith(daemon, 'camera frames flowing', killAt).length > 0, 10_000, 'frames flowing again');
    const flowingAt = logTime(logsWith(daemon, 'camera frames flowing', killAt)[0] as Record<string, unknown>);
    expect(childPid(daemon.pid, 'ffmpeg')).not.toBe(ffmpeg);
    console.log(`capture kill (abort): aborted "${end.reason}" received ${end.at - killAt} ms after SIGKILL; frames flowing again after ${flowingAt - killAt} ms`);
    expect(flowingAt - killAt).toBeLessThanOrEqual(2000);
    await sleep(1500); // bounded: only a wait shows that no late win follows the abort
    expect(events(killAt).filter((e) => e.type === 'survived' || e.type === 'cracked')).toEqual([]);
  }, 60_000);
});
