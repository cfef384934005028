// The selftest's MQTT round trip through the mosquitto command-line clients (the only
// importer of mqtt is src/api/mqtt.ts; an outside client also proves the broker is
// reachable the way a staff dashboard reaches it). One adapter for both processes.
//
// Credentials never go on the command line (where `ps` and /proc/<pid>/cmdline show
// them to every local user): they go in the clients' own options files
// ($XDG_CONFIG_HOME/mosquitto_pub and .../mosquitto_sub, one option per line), written
// mode 0600 in a fresh 0700 folder that is removed when the round trip ends.
import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { childEnv } from '../../child-env.js';
import { stopChild } from '../../child-stop.js';
import { systemTimers, type IntervalTimers, type Timers } from '../../timers.js';

export interface BrokerAddress {
  host: string;
  port: number;
  tls: boolean;
  username: string;
  password: string;
  ca: string;
  cert: string;
  key: string;
  rejectUnauthorized: boolean;
}

export interface MqttProbe {
  /** subscribe to `subscribeTopic`, then publish `payload` to `publishTopic`; resolve with the first message received, or reject on timeout */
  roundTrip(addr: BrokerAddress, publishTopic: string, payload: string, subscribeTopic: string, timeoutMs: number): Promise<string>;
}

export type SpawnFn = (cmd: string, args: string[], env: NodeJS.ProcessEnv) => ChildProcess;

function connectionArgs(a: BrokerAddress): string[] {
  const args = ['-h', a.host, '-p', String(a.port), '-V', 'mqttv311', '-q', '1'];
  if (a.tls) {
    if (a.ca) args.push('--cafile', a.ca);
    else args.push('--capath', '/etc/ssl/certs');
    if (a.cert) args.push('--cert', a.cert);
    if (a.key) args.push('--key', a.key);
    if (!a.rejectUnauthorized) args.push('--insecure');
  }
  return args;
}

/** The login as mosquitto client options, in a private folder; null without a user name or password. */
function credentialsFolder(a: BrokerAddress): { env: NodeJS.ProcessEnv; remove(): void } | null {
  if (!a.username && !a.password) return null;
  if (/[\r\n]/.test(a.username + a.password)) throw new Error('MQTT user name or password contains a line break, which the mosquitto clients cannot read from their options file');
  const dir = mkdtempSync(join(tmpdir(), 'pokerface-selftest-')); // mode 0700
  const lines = [...(a.username ? [`-u ${a.username}`] : []), ...(a.password ? [`-P ${a.password}`] : []), ''].join('\n');
  for (const name of ['mosquitto_pub', 'mosquitto_sub']) writeFileSync(join(dir, name), lines, { mode: 0o600 });
  return { env: { ...childEnv(), XDG_CONFIG_HOME: dir }, remove: () => rmSync(dir, { recursive: true, force: true }) };
}

/** settles when the client is gone: 'close', or 'error' for one that never started */
function goneOf(c: ChildProcess): Promise<void> {
  return new Promise<void>((r) => {
    c.once('close', () => r());
    c.once('error', () => r());
  });
}

/** the mosquitto clients leave at once on SIGTERM; one that does not gets SIGKILL after this */
const CLIENT_GRACE_MS = 1000;

export function mosquittoProbe(
  spawnFn: SpawnFn = (cmd, args, env) => spawn(cmd, args, { stdio: ['ignore', 'pipe', 'pipe'], env }),
  timers: Timers & IntervalTimers = systemTimers,
): MqttProbe {
  const end = (c: { child: ChildProcess; gone: Promise<void> }): void => {
    if (c.child.exitCode === null) void stopChild(c.child, c.gone, { graceMs: CLIENT_GRACE_MS, timers });
  };
  return {
    roundTrip(addr, publishTopic, payload, subscribeTopic, timeoutMs) {
      return new Promise<string>((resolve, reject) => {
        const conn = connectionArgs(addr);
        let creds: ReturnType<typeof credentialsFolder>;
        try {
          creds = credentialsFolder(addr);
        } catch (e) {
          reject(e instanceof Error ? e : new Error(String(e)));
          return;
        }
        const env = creds?.env ?? childEnv();
        // mosquitto_sub's stdout is block-buffered on a pipe, so "subscribed" cannot be
        // seen in time: the request is sent again every 500 ms until the first answer
        // (-C 1) makes mosquitto_sub print it and exit.
        const sub = spawnFn('mosquitto_sub', [...conn, '-C', '1', '-W', String(Math.max(1, Math.ceil(timeoutMs / 1000))), '-t', subscribeTopic], env);
        const subGone = goneOf(sub);
        const pubs: Array<{ child: ChildProcess; gone: Promise<void> }> = [];
        let out = '';
        let errText = '';
        let done = false;
        const finish = (e: Error | null, msg?: string): void => {
          if (done) return;
          done = true;
          timers.clearTimeout(timer);
          timers.clearInterval(resend);
          end({ child: sub, gone: subGone });
          for (const p of pubs) end(p);
          // the clients read their options file at start; a publish still starting may
          // miss it and fail, which no longer matters
          creds?.remove();
          if (e) reject(e);
          else resolve(msg ?? '');
        };
        const publish = (): void => {
          const pub = spawnFn('mosquitto_pub', [...conn, '-t', publishTopic, '-m', payload], env);
          pubs.push({ child: pub, gone: goneOf(pub) });
          pub.on('error', (e) => finish(new Error(`mosquitto_pub: ${e.message} (install mosquitto-clients)`)));
          pub.stderr?.on('data', (x: Buffer) => (errText += x.toString()));
        };
        const timer = timers.setTimeout(() => finish(new Error(`no answer on ${subscribeTopic} within ${timeoutMs} ms${errText ? `: ${errText.trim()}` : ''}`)), timeoutMs);
        const resend = timers.setInterval(publish, 500);
        sub.on('error', (e) => finish(new Error(`mosquitto_sub: ${e.message} (install mosquitto-clients)`)));
        sub.stderr?.on('data', (d: Buffer) => (errText += d.toString()));
        sub.stdout?.on('data', (d: Buffer) => (out += d.toString()));
        sub.on('close', (code) => {
          const line = out.split('\n').find((l) => l.trim() !== '');
          if (code === 0 && line !== undefined) finish(null, line);
          else finish(new Error(`mosquitto_sub exited (${code ?? 'signal'})${errText ? `: ${errText.trim()}` : ''}`));
        });
      });
    },
  };
}
