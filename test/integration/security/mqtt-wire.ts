// Raw MQTT 3.1.1 bytes for the security tests: a hand-built CONNECT, and a PUBLISH whose
// body is streamed from one reused buffer, so the attacker side holds no big allocation.
import { createConnection, type Socket } from 'node:net';
import { readFileSync } from 'node:fs';
import mqttLib from 'mqtt';

function varint(n: number): number[] {
  const out: number[] = [];
  do {
    let b = n % 128;
    n = Math.floor(n / 128);
    if (n > 0) b |= 0x80;
    out.push(b);
  } while (n > 0);
  return out;
}

function str(s: string): Buffer {
  const b = Buffer.from(s, 'utf8');
  return Buffer.concat([Buffer.from([b.length >> 8, b.length & 0xff]), b]);
}

export function connectPacket(clientId: string, login?: { username: string; password: string }): Buffer {
  const flags = 0x02 | (login ? 0xc0 : 0);
  const variable = Buffer.concat([str('MQTT'), Buffer.from([4, flags, 0, 30])]);
  const payload = Buffer.concat([str(clientId), ...(login ? [str(login.username), str(login.password)] : [])]);
  const rest = Buffer.concat([variable, payload]);
  return Buffer.concat([Buffer.from([0x10, ...varint(rest.length)]), rest]);
}

export function publishHeader(topic: string, payloadBytes: number): Buffer {
  const t = str(topic);
  return Buffer.concat([Buffer.from([0x30, ...varint(t.length + payloadBytes)]), t]);
}

export interface FloodResult {
  /** bytes the kernel took before the broker closed the connection */
  sent: number;
  closedByPeer: boolean;
  connack: number | null;
}

/**
 * Connect (optionally log in), then announce a PUBLISH of `announced` payload bytes and
 * stream up to `announced` zeros; stops when the peer closes the connection.
 */
export async function flood(port: number, announced: number, login?: { username: string; password: string }): Promise<FloodResult> {
  const sock: Socket = createConnection({ port, host: '127.0.0.1' });
  await new Promise<void>((resolve, reject) => {
    sock.once('connect', resolve);
    sock.once('error', reject);
  });
  let closed = false;
  let connack: number | null = null;
  sock.on('error', () => undefined);
  sock.once('close', () => (closed = true));
  if (login) {
    const got = new Promise<void>((resolve) => {
      sock.once('data', (d: Buffer) => {
        connack = d[0] === 0x20 ? (d[3] ?? null) : null;
        resolve();
      });
    });
    sock.write(connectPacket('flooder', login));
    await got;
  }
  const chunk = Buffer.alloc(1 << 20);
  let sent = 0;
  const write = (b: Buffer): Promise<void> =>
    new Promise<void>((resolve) => {
      if (closed) return resolve();
      const ok = sock.write(b, () => undefined);
      sent += b.length;
      if (ok) return resolve();
      const done = (): void => {
        sock.off('drain', done);
        sock.off('close', done);
        resolve();
      };
      sock.once('drain', done);
      sock.once('close', done);
    });
  await write(publishHeader('pokerface/sec/request/start', announced));
  while (!closed && sent < announced) await write(chunk.subarray(0, Math.min(chunk.length, announced - sent + 64)));
  // a broker that took the whole packet may keep the connection open: give it 3 s
  if (!closed) {
    await new Promise<void>((resolve) => {
      const t = setTimeout(resolve, 3000);
      sock.once('close', () => {
        clearTimeout(t);
        resolve();
      });
    });
  }
  sock.destroy();
  return { sent, closedByPeer: closed, connack };
}

/** resident and peak resident memory of a process, MB */
export function memoryOf(pid: number): { rssMb: number; hwmMb: number } {
  const status = readFileSync(`/proc/${pid}/status`, 'utf8');
  const kb = (key: string): number => Number(new RegExp(`^${key}:\\s+(\\d+) kB`, 'm').exec(status)?.[1] ?? NaN);
  return { rssMb: kb('VmRSS') / 1024, hwmMb: kb('VmHWM') / 1024 };
}

/** A client that does not reconnect and swallows its errors (the test reads them from loginOutcome). */
export function client(port: number, opts: mqttLib.IClientOptions = {}): mqttLib.MqttClient {
  const c = mqttLib.connect(`mqtt://127.0.0.1:${port}`, { protocolVersion: 4, reconnectPeriod: 0, connectTimeout: 5000, ...opts });
  c.on('error', () => undefined);
  return c;
}

/** the CONNACK refusal, or 'connected' */
export function loginOutcome(c: mqttLib.MqttClient): Promise<string> {
  return new Promise((resolve) => {
    c.once('connect', () => resolve('connected'));
    c.once('error', (e) => resolve(e.message));
  });
}
