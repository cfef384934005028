// The embedded MQTT broker (mqtt.url: embedded); the only file that imports aedes.
// aedes speaks MQTT 3.1.1, so the daemon's own client uses protocolVersion 4 with it.
import { createServer, type Server, type Socket } from 'node:net';
import { Aedes } from 'aedes';
import { PokerfaceError } from '../errors.js';
import type { Logger } from '../log.js';
import type { Lifecycle, ModuleHealth } from '../types.js';

export interface EmbeddedBrokerOptions {
  host: string;
  port: number;
  log: Logger;
}

export class EmbeddedBroker implements Lifecycle {
  readonly name = 'broker';
  private broker: Aedes | null = null;
  private server: Server | null = null;
  private readonly sockets = new Set<Socket>();
  private boundPort = 0;

  constructor(private readonly o: EmbeddedBrokerOptions) {}

  async start(): Promise<void> {
    const broker = await Aedes.createBroker({ id: 'pokerface-embedded' });
    broker.on('clientError', (client, err) => this.o.log.debug({ client: client.id, err: err.message }, 'broker client error'));
    broker.on('connectionError', (_client, err) => this.o.log.debug({ err: err.message }, 'broker connection error'));
    const server = createServer((socket) => {
      this.sockets.add(socket);
      socket.once('close', () => this.sockets.delete(socket));
      broker.handle(socket);
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

  health(): ModuleHealth {
    const ok = this.server?.listening === true;
    return { name: this.name, healthy: ok, reasons: ok ? [] : ['embedded broker is not listening'] };
  }
}
