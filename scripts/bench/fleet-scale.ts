// Fleet scale bench: a real mosquitto, N simulated booths (the daemon's own MqttService,
// fed by a scripted game loop at the real rates: state on each phase change, a score per
// camera frame while a round runs, throttled to mqtt.scoreHz, events per round, stats every
// mqtt.statsIntervalS, Home Assistant discovery), and W dashboards subscribed to
// pokerface/#. It measures how long `pokerface fleet` takes to list every booth and to get
// an answer from all of them, and mosquitto's CPU and message rates ($SYS topics).
// Prints one JSON object on stdout and a summary on stderr.
//
//   npx tsx scripts/bench/fleet-scale.ts --booths 100 --seconds 30
//
// Options: --booths N (100), --seconds S (measured window, 30), --warmup S (10),
// --playing F (share of the time a booth is in a round, 0.5), --fps N (camera frames a
// second during rounds, 30), --watchers W (dashboards on pokerface/#, 1), --no-ha.
import { readFileSync } from 'node:fs';
import { parseArgs } from 'node:util';
import { setTimeout as sleep } from 'node:timers/promises';
import { listBooths, requestBooths } from '../../src/api/fleet.js';
import { MqttService, openMqttClient, type MqttClient } from '../../src/api/mqtt.js';
import { staffServices } from '../../src/api/services.js';
import { systemClock } from '../../src/clock.js';
import { parseConfig } from '../../src/config/load.js';
import { silentLogger } from '../../src/log.js';
import type { BoothControl, CommandResult, GameEvent, GameState, Off, Phase, RoundResult, ScoreSample } from '../../src/types.js';
import { Mosquitto, freePort } from '../../test/integration/api/brokers.js';

const { values: args } = parseArgs({
  options: {
    booths: { type: 'string', default: '100' },
    seconds: { type: 'string', default: '30' },
    warmup: { type: 'string', default: '10' },
    playing: { type: 'string', default: '0.5' },
    fps: { type: 'string', default: '30' },
    watchers: { type: 'string', default: '1' },
    'no-ha': { type: 'boolean', default: false },
  },
});
const N = Number(args.booths);
const SECONDS = Number(args.seconds);
const WARMUP = Number(args.warmup);
const PLAYING = Math.min(0.95, Math.max(0.05, Number(args.playing)));
const FPS = Number(args.fps);
const WATCHERS = Number(args.watchers);
const HA = !args['no-ha'];

/** A booth whose game is a script: attract, countdown, playing (a score per frame), result. */
class ScriptedBooth implements BoothControl {
  private cur: GameState = { phase: 'attract', mode: null, level: null, clip: null, since: performance.now() };
  private readonly cbs = { state: new Set<(s: GameState) => void>(), event: new Set<(e: GameEvent) => void>(), score: new Set<(s: ScoreSample) => void>(), result: new Set<(r: RoundResult) => void>() };
  private timer: NodeJS.Timeout | null = null;
  private frame: NodeJS.Timeout | null = null;
  private seq = 0;
  private roundAt = 0;
  private level = 1;

  constructor(private readonly id: string) {}

  start_(): void {
    // stagger the booths so rounds are spread over time
    this.after(Math.random() * this.idleMs(), () => this.countdown());
  }
  stop_(): void {
    if (this.timer) clearTimeout(this.timer);
    if (this.frame) clearInterval(this.frame);
  }

  private idleMs(): number {
    // a cycle is countdown 3 s + round 10-20 s (15 on average) + result 5 s + attract:
    // attract is what makes the round PLAYING of the cycle
    return Math.max(1000, 15_000 / PLAYING - 23_000);
  }
  private after(ms: number, f: () => void): void {
    this.timer = setTimeout(f, ms);
  }
  private set(phase: Phase, extra: Partial<GameState> = {}): void {
    this.cur = { ...this.cur, ...extra, phase, since: performance.now() };
    for (const cb of this.cbs.state) cb(this.cur);
    this.emit({ type: 'phase', phase });
  }
  private emit(e: Partial<GameEvent> & { type: GameEvent['type'] }): void {
    const ev: GameEvent = { id: `${this.id}-${++this.seq}`, ts: performance.now(), mode: this.cur.mode, level: this.cur.level, clip: this.cur.clip, peak: null, durationMs: null, outcome: null, ...e };
    for (const cb of this.cbs.event) cb(ev);
  }
  private countdown(): void {
    this.level = 1 + Math.floor(Math.random() * 3);
    const mode = Math.random() < 0.5 ? 'funny' : 'scary';
    this.set('countdown', { mode, level: this.level, clip: `media/${mode}/${this.level}/clip-${Math.floor(Math.random() * 20)}.mp4` });
    this.after(3000, () => this.play());
  }
  private play(): void {
    this.set('playing');
    this.emit({ type: 'round_start' });
    this.roundAt = performance.now();
    let s = 0;
    this.frame = setInterval(() => {
      s = Math.max(0, Math.min(1, s + (Math.random() - 0.45) * 0.08));
      const sample: ScoreSample = { ts: performance.now(), target: this.cur.mode === 'funny' ? 'happy' : 'fearful', value: s, smoothed: s, threshold: 0.7, holdMs: 700, heldMs: 0, faces: 1 };
      for (const cb of this.cbs.score) cb(sample);
    }, 1000 / FPS);
    this.after(10_000 + Math.random() * 10_000, () => this.finish());
  }
  private finish(): void {
    if (this.frame) clearInterval(this.frame);
    this.frame = null;
    const outcome = Math.random() < 0.6 ? 'cracked' : 'survived';
    const durationMs = performance.now() - this.roundAt;
    this.emit({ type: outcome, outcome, peak: 0.8, durationMs });
    const r: RoundResult = { id: `${this.id}-r${this.seq}`, endedAt: Date.now(), mode: this.cur.mode ?? 'funny', level: this.level, clip: this.cur.clip, outcome, peak: 0.8, durationMs };
    for (const cb of this.cbs.result) cb(r);
    this.set('result');
    this.after(5000, () => {
      this.set('attract', { mode: null, level: null, clip: null });
      this.after(Math.max(500, this.idleMs() * (0.5 + Math.random())), () => this.countdown());
    });
  }

  state(): GameState {
    return this.cur;
  }
  lastScore(): ScoreSample | null {
    return null;
  }
  lastFaces(): null {
    return null;
  }
  onState(cb: (s: GameState) => void): Off {
    this.cbs.state.add(cb);
    return () => void this.cbs.state.delete(cb);
  }
  onEvent(cb: (e: GameEvent) => void): Off {
    this.cbs.event.add(cb);
    return () => void this.cbs.event.delete(cb);
  }
  onScore(cb: (s: ScoreSample) => void): Off {
    this.cbs.score.add(cb);
    return () => void this.cbs.score.delete(cb);
  }
  onResult(cb: (r: RoundResult) => void): Off {
    this.cbs.result.add(cb);
    return () => void this.cbs.result.delete(cb);
  }
  press(): CommandResult {
    return { ok: true };
  }
  start(): CommandResult {
    return { ok: true };
  }
  stop(): CommandResult {
    return { ok: true };
  }
}

/** utime + stime of a process in seconds */
function cpuSeconds(pid: number): number {
  const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
  const f = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
  return (Number(f[11]) + Number(f[12])) / 100; // fields 14 and 15, in clock ticks (100 Hz)
}
function rssMb(pid: number): number {
  const m = /VmRSS:\s+(\d+) kB/.exec(readFileSync(`/proc/${pid}/status`, 'utf8'));
  return m ? Math.round(Number(m[1]) / 102.4) / 10 : 0;
}

async function connected(c: MqttClient): Promise<void> {
  if (c.connected) return;
  await new Promise<void>((resolve, reject) => {
    c.once('connect', () => resolve());
    c.once('error', reject);
  });
}

async function main(): Promise<void> {
  const port = await freePort();
  const broker = new Mosquitto(port, false, ['allow_anonymous true', 'sys_interval 1', 'max_connections -1']);
  await broker.start();
  const pid = broker.pid as number;
  const booths: Array<{ sim: ScriptedBooth; svc: MqttService }> = [];
  const watchers: MqttClient[] = [];
  /** what the first dashboard received, by topic kind (score, state, ...) */
  const byKind = new Map<string, number>();
  const sys = new Map<string, number>();
  const sysClient = openMqttClient(broker.url, { protocolVersion: 4, clientId: 'bench-sys' });
  sysClient.on('message', (topic, payload) => sys.set(topic, Number(payload.toString())));
  try {
    await connected(sysClient);
    await sysClient.subscribeAsync('$SYS/broker/#', { qos: 0 });
    const t0 = performance.now();
    for (let i = 0; i < N; i++) {
      const id = `booth-${String(i + 1).padStart(3, '0')}`;
      const sim = new ScriptedBooth(id);
      const svc = new MqttService({
        config: parseConfig(`boothId: ${id}\nmqtt:\n  url: ${broker.url}\n  homeAssistant:\n    enabled: ${HA}\n`, 'bench'),
        log: silentLogger,
        clock: systemClock,
        services: staffServices({ booth: sim }),
        requestExit: () => undefined,
        version: '0.1.0',
      });
      await svc.start();
      booths.push({ sim, svc });
    }
    while (!booths.every((b) => b.svc.status().connected)) await sleep(50);
    const connectS = (performance.now() - t0) / 1000;
    for (let i = 0; i < WATCHERS; i++) {
      const w = openMqttClient(broker.url, { protocolVersion: 4, clientId: `bench-dashboard-${i}` });
      await connected(w);
      await w.subscribeAsync('pokerface/#', { qos: 1 });
      if (i === 0) w.on('message', (topic) => {
        const kind = topic.split('/').slice(2).join('/');
        byKind.set(kind, (byKind.get(kind) ?? 0) + 1);
      });
      watchers.push(w);
    }
    for (const b of booths) b.sim.start_();
    process.stderr.write(`${N} booths connected in ${connectS.toFixed(1)} s; warming up ${WARMUP} s\n`);
    await sleep(WARMUP * 1000);

    const read = (): { at: number; cpu: number; recv: number; sent: number; bytesIn: number; bytesOut: number } => ({
      at: performance.now(),
      cpu: cpuSeconds(pid),
      recv: sys.get('$SYS/broker/messages/received') ?? Number.NaN,
      sent: sys.get('$SYS/broker/messages/sent') ?? Number.NaN,
      bytesIn: sys.get('$SYS/broker/bytes/received') ?? Number.NaN,
      bytesOut: sys.get('$SYS/broker/bytes/sent') ?? Number.NaN,
    });
    const benchCpu0 = process.cpuUsage();
    const kinds0 = new Map(byKind);
    const a = read();
    await sleep(SECONDS * 1000);
    const b = read();
    const dashboardPerS = Object.fromEntries([...byKind].map(([k, n]) => [k, Math.round(((n - (kinds0.get(k) ?? 0)) / ((b.at - a.at) / 1000)) * 10) / 10]));
    const benchCpu = process.cpuUsage(benchCpu0);
    const dt = (b.at - a.at) / 1000;
    const playingNow = booths.filter((x) => x.sim.state().phase === 'playing').length;

    // `pokerface fleet` as a user runs it: connect, list, and a request to all of them
    const fleetRuns: Array<{ listMs: number; found: number; requestMs: number; answered: number }> = [];
    for (let run = 0; run < 3; run++) {
      const c0 = performance.now();
      const client = openMqttClient(broker.url, { protocolVersion: 4, clientId: `bench-fleet-${run}`, clean: true });
      await connected(client);
      const list = await listBooths(client, { quietMs: 200, maxMs: 10_000, now: () => performance.now(), sleep });
      const listMs = performance.now() - c0;
      const r0 = performance.now();
      const answers = await requestBooths(client, list.filter((x) => x.available === 'online').map((x) => x.boothId), {
        cmd: 'stop',
        body: {},
        timeoutMs: 10_000,
        now: () => performance.now(),
        sleep,
        tag: `bench-${run}`,
      });
      const requestMs = performance.now() - r0;
      await client.endAsync();
      fleetRuns.push({ listMs: Math.round(listMs), found: list.length, requestMs: Math.round(requestMs), answered: answers.filter((x) => x.response?.ok).length });
    }

    const round1 = (x: number): number => Math.round(x * 10) / 10;
    const report = {
      booths: N,
      watchers: WATCHERS,
      homeAssistant: HA,
      playingShare: PLAYING,
      /** what the booths would send with every timer on time: score at mqtt.scoreHz (10) while playing, plus state, stats, events and ha/score */
      nominalScorePerS: Math.round(N * PLAYING * 10),
      cameraFps: FPS,
      windowS: round1(dt),
      boothsPlayingAtEnd: playingNow,
      broker: {
        cpuPercentOfOneCore: round1(((b.cpu - a.cpu) / dt) * 100),
        rssMb: rssMb(pid),
        messagesReceivedPerS: round1((b.recv - a.recv) / dt),
        messagesSentPerS: round1((b.sent - a.sent) / dt),
        kBReceivedPerS: round1((b.bytesIn - a.bytesIn) / dt / 1024),
        kBSentPerS: round1((b.bytesOut - a.bytesOut) / dt / 1024),
        clients: sys.get('$SYS/broker/clients/connected') ?? null,
        retainedMessages: sys.get('$SYS/broker/retained messages/count') ?? null,
      },
      dashboardMessagesPerSByTopic: dashboardPerS,
      benchProcessCpuPercentOfOneCore: round1(((benchCpu.user + benchCpu.system) / 1e6 / dt) * 100),
      fleet: fleetRuns,
      fleetWorstMs: Math.max(...fleetRuns.map((r) => r.listMs + r.requestMs)),
      machine: { cpus: (await import('node:os')).cpus().length, loadavg: (await import('node:os')).loadavg().map(round1) },
    };
    process.stdout.write(`${JSON.stringify(report, null, 2)}\n`);
    process.stderr.write(
      `fleet of ${N}: list ${fleetRuns.map((r) => `${r.listMs} ms (${r.found} found)`).join(', ')}; request to all ${fleetRuns.map((r) => `${r.requestMs} ms (${r.answered} answered)`).join(', ')}\n` +
        `mosquitto: ${report.broker.cpuPercentOfOneCore}% of one core, ${report.broker.messagesReceivedPerS} msg/s in, ${report.broker.messagesSentPerS} msg/s out, ${report.broker.kBReceivedPerS} kB/s in, RSS ${report.broker.rssMb} MB\n`,
    );
  } finally {
    for (const b of booths) b.sim.stop_();
    await Promise.all(booths.map((b) => b.svc.stop()));
    for (const w of watchers) await w.endAsync();
    await sysClient.endAsync();
    await broker.dispose();
  }
}

await main();
