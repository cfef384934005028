// The embedded MQTT broker (mqtt.url: embedded); the only file that imports aedes.
// aedes speaks MQTT 3.1.1, so the daemon's own client uses protocolVersion 4 with it.
//
// Security (docs/api.md "Security"): with a staff login configured, every client must log
// in (constant-time compare); only staff may publish under pokerface/ (requests,
// and the booth's own state/event topics, which a viewer must not forge); a packet whose
// fixed header announces more than maxPacketBytes closes the connection before its body
// is read. Without a staff login every client is staff, which config validation allows
// on loopback only (and start() refuses otherwise).
import { createServer, type Server, type Socket } from 'node:net';
import { Aedes, type AuthenticateError, type Client } from 'aedes';
import { PokerfaceError } from '../errors.js';
import { isLoopbackHost } from '../config/sections/mqtt.js';
import type { Logger } from '../log.js';
import type { Lifecycle, ModuleHealth } from '../types.js';
import { audit } from './audit.js';
import { tokenMatches } from './auth.js';
import { LoginThrottle } from './login-throttle.js';
import { PacketSizeGuard } from './packet-guard.js';

export interface BrokerLogin {
  username: string;
  password: string;
}

export interface EmbeddedBrokerOptions {
  host: string;
  port: number;
  log: Logger;
  /** largest packet a client may send (default 65536) */
  maxPacketBytes?: number;
  /** the staff login (the daemon's own client uses it too); absent: no authentication */
  staff?: BrokerLogin | undefined;
  /** a login that may read everything but publish nothing under the booth's prefix */
  viewer?: BrokerLogin | undefined;
  /** monotonic ms, for the failed-login throttle */
  now?: () => number;
}

type Role = 'staff' | 'viewer';

/** state-changing commands, audited when they pass through the broker */
const AUDITED = new Set(['start', 'stop', 'restart', 'button']);

function authError(returnCode: 4 | 5, message: string): AuthenticateError {
  return Object.assign(new Error(message), { returnCode });
}

export class EmbeddedBroker implements Lifecycle {
  readonly name = 'broker';
  private broker: Aedes | null = null;
  private server: Server | null = null;
  private readonly sockets = new Set<Socket>();
  private boundPort = 0;
  private readonly roles = new WeakMap<Client, Role>();
  /** the last requests let through, so the daemon's audit line can name their sender */
  private readonly senders: Array<{ topic: string; payload: Buffer; clientId: string; at: number }> = [];
  private readonly throttle: LoginThrottle;
  private readonly clock: () => number;
  /** per kind of refusal: when it was last logged, and how many since were not */
  private readonly warned = new Map<string, { at: number; held: number }>();

  constructor(private readonly o: EmbeddedBrokerOptions) {
    this.clock = o.now ?? (() => performance.now());
    this.throttle = new LoginThrottle(this.clock);
  }

  async start(): Promise<void> {
    if (!this.o.staff && !isLoopbackHost(this.o.host)) {
      throw new PokerfaceError('POKERFACE_ERR_BROKER_INSECURE', `mqtt.embeddedHost is "${this.o.host}"; set mqtt.username and POKERFACE_MQTT_PASSWORD, or bind to 127.0.0.1`);
    }
    if (!this.o.staff) this.o.log.warn('embedded MQTT broker without a login (mqtt.password empty): any local process may send requests');
    const broker = await Aedes.createBroker({
      id: 'pokerface-embedded',
      authenticate: (client, username, password, done) => this.authenticate(client, username, password, done),
      authorizePublish: (client, packet, done) => done(this.authorizePublish(client, packet.topic, packet.payload)),
    });
    broker.on('clientError', (client, err) => this.o.log.debug({ client: client.id, err: err.message }, 'broker client error'));
    broker.on('connectionError', (_client, err) => this.o.log.debug({ err: err.message }, 'broker connection error'));
    const limit = this.o.maxPacketBytes ?? 65_536;
    const server = createServer((socket) => {
      this.sockets.add(socket);
      socket.once('close', () => this.sockets.delete(socket));
      broker.handle(socket);
      // aedes reads with 'readable' + read(), which takes precedence over 'data': this
      // listener sees each chunk as aedes reads it (no flowing mode), and a destroyed
      // socket delivers nothing more, so at most one read chunk of an oversized packet
      // is ever held.
      const guard = new PacketSizeGuard(limit);
      socket.on('data', (chunk: Buffer) => {
        const v = guard.feed(chunk);
        if (v.ok || socket.destroyed) return;
        this.warnLimited('packet', false, { remote: socket.remoteAddress, reason: v.reason }, 'embedded broker closed a connection: packet too large');
        socket.destroy();
      });
    });
    this.broker = broker;
    this.server = server;
    try {
      await new Promise<void>((resolve, reject) => {
        server.once('error', reject);
        server.listen(this.o.port, this.o.host, () => {
          server.off('error', reject);
          resolve();
        });
      });
    } catch (e) {
      await this.stop();
      throw new PokerfaceError('POKERFACE_ERR_BROKER', `listen ${this.o.host}:${this.o.port}: ${(e as Error).message}`, { cause: e });
    }
    const addr = server.address();
    this.boundPort = typeof addr === 'object' && addr ? addr.port : this.o.port;
    this.o.log.info({ host: this.o.host, port: this.boundPort }, 'embedded MQTT broker listening (MQTT 3.1.1)');
  }

  async stop(): Promise<void> {
    const { server, broker } = this;
    this.server = null;
    this.broker = null;
    if (server) {
      const closed = new Promise<void>((resolve) => server.close(() => resolve()));
      for (const s of this.sockets) s.destroy();
      this.sockets.clear();
      if (server.listening) await closed;
    }
    if (broker) await new Promise<void>((resolve) => broker.close(() => resolve()));
  }

  /** the port actually bound (embeddedPort 0 picks a free one) */
  port(): number {
    return this.boundPort;
  }

  /** the URL a local client uses to reach this broker */
  url(): string {
    const host = this.o.host === '0.0.0.0' || this.o.host === '::' || this.o.host === '' ? '127.0.0.1' : this.o.host;
    return `mqtt://${host.includes(':') ? `[${host}]` : host}:${this.boundPort}`;
  }

  private authenticate(client: Client, username: string | undefined, password: Buffer | undefined, done: (error: AuthenticateError | null, success: boolean | null) => void): void {
    const { staff, viewer } = this.o;
    if (!staff) {
      this.roles.set(client, 'staff');
      return done(null, true);
    }
    // Off loopback, an address with 10 failed logins in the last minute is refused
    // without a look at its password. Loopback is exempt: the daemon's own client
    // connects from there and must not be locked out by a local process guessing.
    const remote = remoteOf(client) ?? '';
    const throttled = !isLoopbackHost(remote);
    if (throttled && !this.throttle.allowed(remote)) {
      return done(authError(5, 'too many failed logins'), null);
    }
    const user = username ?? '';
    const pass = password ? password.toString('utf8') : '';
    // both logins are always compared, so the time taken does not tell which one matched
    const staffUser = tokenMatches(user, staff.username);
    const staffPass = tokenMatches(pass, staff.password);
    const viewerUser = viewer ? tokenMatches(user, viewer.username) : false;
    const viewerPass = viewer ? tokenMatches(pass, viewer.password) : false;
    const isStaff = staffUser && staffPass;
    const isViewer = viewerUser && viewerPass;
    const role: Role | null = isStaff ? 'staff' : isViewer ? 'viewer' : null;
    if (role === null) {
      const blocked = throttled && this.throttle.failed(remote);
      this.warnLimited(
        'login',
        blocked,
        { clientId: client.id, remote, anonymous: username === undefined, ...(blocked ? { blockedForS: 60 } : {}) },
        blocked ? 'embedded broker refused a login; this address is refused for a minute' : 'embedded broker refused a login',
      );
      return done(authError(username === undefined ? 5 : 4, 'bad username or password'), null);
    }
    this.roles.set(client, role);
    done(null, true);
  }

  /** At most one line a second per kind (with the count held back), so an attacker cannot flood the journal. */
  private warnLimited(kind: string, always: boolean, fields: Record<string, unknown>, msg: string): void {
    const t = this.clock();
    const w = this.warned.get(kind) ?? { at: -Infinity, held: 0 };
    this.warned.set(kind, w);
    if (!always && t - w.at < 1000) {
      w.held++;
      return;
    }
    const held = w.held;
    w.at = t;
    w.held = 0;
    this.o.log.warn(held > 0 ? { ...fields, alsoRefusedSinceLastLine: held } : fields, msg);
  }

  /** null when allowed; an error closes the client's connection (MQTT 3.1.1 has no per-publish refusal) */
  private authorizePublish(client: Client | null, topic: string, payload: Buffer | string): Error | null {
    // client null: the broker's own publishes ($SYS and the like)
    if (!client) return null;
    const role = this.roles.get(client);
    // the broker serves one booth; every pokerface/ topic is the staff's to publish
    const own = topic.startsWith('pokerface/');
    const parts = topic.split('/');
    const cmd = own && parts.length === 4 && parts[2] === 'request' ? (parts[3] as string) : null;
    if (own && role !== 'staff') {
      this.o.log.warn({ clientId: client.id, remote: remoteOf(client), topic }, 'embedded broker refused a publish: only the staff login may publish under the booth prefix');
      if (cmd !== null && AUDITED.has(cmd)) audit(this.o.log, { action: cmd, via: 'broker', who: client.id, outcome: 'refused' });
      return new Error('not authorized');
    }
    if (cmd !== null) {
      if (this.senders.length >= 64) this.senders.shift();
      this.senders.push({ topic, payload: typeof payload === 'string' ? Buffer.from(payload) : payload, clientId: client.id, at: this.clock() });
    }
    return null;
  }

  /** The client id that published this request (each match is used once), or undefined. */
  whoSent(topic: string, payload: Buffer): string | undefined {
    // a request nobody received (the daemon was not subscribed) must not be matched later
    const stale = this.clock() - 10_000;
    while (this.senders.length > 0 && (this.senders[0] as { at: number }).at < stale) this.senders.shift();
    const i = this.senders.findIndex((s) => s.topic === topic && s.payload.equals(payload));
    if (i < 0) return undefined;
    const [hit] = this.senders.splice(i, 1);
    return hit?.clientId;
  }

  health(): ModuleHealth {
    const ok = this.server?.listening === true;
    return { name: this.name, healthy: ok, reasons: ok ? [] : ['embedded broker is not listening'] };
  }
}

function remoteOf(client: Client): string | undefined {
  const conn = client.conn as { remoteAddress?: string };
  return conn.remoteAddress;
}
