// Real brokers for the integration tests: mosquitto (a child process) and the embedded aedes.
import { spawn, type ChildProcess } from 'node:child_process';
import { chmodSync, existsSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { createConnection, createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import mqttLib from 'mqtt';
import { waitFor } from '../../wait-for.js';

export async function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const s = createServer();
    s.once('error', reject);
    s.listen(0, '127.0.0.1', () => {
      const a = s.address();
      const port = typeof a === 'object' && a ? a.port : 0;
      s.close(() => resolve(port));
    });
  });
}

function portOpen(port: number): Promise<boolean> {
  return new Promise<boolean>((resolve) => {
    const c = createConnection({ port, host: '127.0.0.1' });
    c.once('connect', () => {
      c.destroy();
      resolve(true);
    });
    c.once('error', () => resolve(false));
  });
}

export class Mosquitto {
  private proc: ChildProcess | null = null;
  readonly dir = mkdtempSync(join(tmpdir(), 'pokerface-mosq-'));
  constructor(
    readonly port: number,
    /** keep sessions across restarts (saved on SIGTERM), so a test subscriber misses nothing */
    private readonly persistence = false,
    /** more mosquitto.conf lines for the listener (auth, TLS) */
    private readonly extra: string[] = [],
  ) {}

  /** whether mosquitto saved its sessions (persistence on, after a SIGTERM) */
  saved(): boolean {
    return existsSync(join(this.dir, 'mosquitto.db'));
  }

  /** the mosquitto process id, while it runs */
  get pid(): number | undefined {
    return this.proc?.pid;
  }

  get url(): string {
    return `mqtt://127.0.0.1:${this.port}`;
  }

  async start(): Promise<void> {
    // mosquitto started as root drops to its own user, which must still read the config
    // and write its session database here
    chmodSync(this.dir, 0o777);
    const conf = join(this.dir, 'mosquitto.conf');
    writeFileSync(
      conf,
      [
        `listener ${this.port} 127.0.0.1`,
        ...(this.extra.length > 0 ? this.extra : ['allow_anonymous true']),
        `persistence ${this.persistence ? 'true' : 'false'}`,
        `persistence_location ${this.dir}/`,
        'log_dest none',
        'max_queued_messages 100000',
        '',
      ].join('\n'),
    );
    const p = spawn('mosquitto', ['-c', conf], { stdio: 'ignore' });
    this.proc = p;
    await waitFor(() => portOpen(this.port), { timeoutMs: 5000, what: `port ${this.port} to open`, everyMs: 25 });
  }

  /** SIGTERM: mosquitto closes connections (and saves sessions when persistent) */
  async stop(signal: NodeJS.Signals = 'SIGTERM'): Promise<void> {
    const p = this.proc;
    this.proc = null;
    if (!p || p.exitCode !== null) return;
    const exited = new Promise<void>((r) => p.once('exit', () => r()));
    p.kill(signal);
    await exited;
  }

  async dispose(): Promise<void> {
    await this.stop('SIGKILL');
    rmSync(this.dir, { recursive: true, force: true });
  }
}

export interface Received {
  topic: string;
  payload: string;
  retain: boolean;
}

/** A plain test client that records what it receives. */
export class Watcher {
  readonly got: Received[] = [];
  readonly client: mqttLib.MqttClient;
  constructor(url: string, opts: mqttLib.IClientOptions = {}) {
    this.client = mqttLib.connect(url, { reconnectPeriod: 100, protocolVersion: 4, ...opts });
    this.client.on('message', (topic, payload, packet) => this.got.push({ topic, payload: payload.toString(), retain: packet.retain }));
    this.client.on('error', () => undefined);
  }
  async connected(): Promise<void> {
    if (this.client.connected) return;
    await new Promise<void>((r) => this.client.once('connect', () => r()));
  }
  async subscribe(filter: string, qos: 0 | 1 = 1): Promise<void> {
    await this.connected();
    await this.client.subscribeAsync(filter, { qos });
  }
  on(topic: string): Received[] {
    return this.got.filter((m) => m.topic === topic);
  }
  async waitFor(pred: (got: Received[]) => boolean, ms = 5000): Promise<void> {
    await waitFor(() => pred(this.got), { timeoutMs: ms, what: () => `messages; got ${JSON.stringify(this.got.slice(-10))}` });
  }
  async close(): Promise<void> {
    await this.client.endAsync(true);
  }
}

/** waitFor with the (pred, ms, what) arguments the MQTT suites pass */
export function until(pred: () => boolean, ms = 5000, what = 'condition'): Promise<void> {
  return waitFor(pred, { timeoutMs: ms, what });
}
