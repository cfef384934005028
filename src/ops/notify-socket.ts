// The only importer of unix-dgram: Node has no unix datagram sockets of its own, and the
// sd_notify protocol is one datagram per message to the path in NOTIFY_SOCKET.
import { createRequire } from 'node:module';
import { PokerfaceError } from '../errors.js';
import { Listeners, type ListenerErrorLog } from '../listeners.js';
import { silentLogger } from '../log.js';
import type { Off } from '../types.js';

/** Where notify messages go. Injected so tests and other transports can stand in. */
export interface NotifyTransport {
  send(message: string): Promise<void>;
  close(): void;
}

interface DgramSocket {
  on(event: 'error', cb: (e: Error) => void): void;
  on(event: 'message', cb: (buf: Buffer) => void): void;
  on(event: 'listening' | 'connect', cb: () => void): void;
  bind(path: string): void;
  send(buf: Buffer, offset: number, length: number, path: string, cb?: (e?: Error) => void): void;
  close(): void;
}
interface UnixDgram {
  createSocket(type: 'unix_dgram', listener?: (buf: Buffer) => void): DgramSocket;
}

let lib: UnixDgram | null = null;
function unixDgram(): UnixDgram {
  if (!lib) {
    try {
      lib = createRequire(import.meta.url)('unix-dgram') as UnixDgram;
    } catch (e) {
      throw new PokerfaceError('POKERFACE_ERR_NOTIFY_SOCKET', `unix-dgram native addon not loadable: ${(e as Error).message}`, { cause: e });
    }
  }
  return lib;
}

/**
 * A datagram sender for NOTIFY_SOCKET. Only filesystem paths: systemd gives system and
 * user services a path (/run/systemd/notify); an abstract name ("@...") is refused with
 * a clear error because the addon cannot address one.
 */
export function unixDgramTransport(path: string): NotifyTransport {
  if (!path.startsWith('/')) {
    throw new PokerfaceError('POKERFACE_ERR_NOTIFY_SOCKET', `NOTIFY_SOCKET "${path}" is not a filesystem path (abstract and vsock sockets are not supported)`);
  }
  const sock = unixDgram().createSocket('unix_dgram');
  // Errors are reported per send through the callback; this keeps an unexpected one
  // (congestion, closed receiver) from becoming an uncaught 'error' event.
  sock.on('error', () => undefined);
  let closed = false;
  return {
    send(message) {
      if (closed) return Promise.reject(new PokerfaceError('POKERFACE_ERR_NOTIFY_SOCKET', 'transport closed'));
      const buf = Buffer.from(message, 'utf8');
      return new Promise<void>((resolve, reject) => {
        sock.send(buf, 0, buf.length, path, (e) => {
          if (e) reject(new PokerfaceError('POKERFACE_ERR_NOTIFY_SOCKET', `send to ${path}: ${e.message}`, { cause: e }));
          else resolve();
        });
      });
    },
    close() {
      if (closed) return;
      closed = true;
      sock.close();
    },
  };
}

/** A bound receiver, for tests and `pokerface selftest` (plays the part of systemd). */
export interface NotifyReceiver {
  readonly path: string;
  onMessage(cb: (message: string) => void): Off;
  close(): void;
}

export function bindNotifyReceiver(path: string, log: ListenerErrorLog = silentLogger): Promise<NotifyReceiver> {
  const cbs = new Listeners<string>(log, 'notify message');
  const sock = unixDgram().createSocket('unix_dgram', (buf) => cbs.emit(buf.toString('utf8')));
  return new Promise((resolve, reject) => {
    sock.on('error', (e) => reject(new PokerfaceError('POKERFACE_ERR_NOTIFY_SOCKET', `bind ${path}: ${e.message}`, { cause: e })));
    sock.on('listening', () => {
      let closed = false;
      resolve({
        path,
        onMessage: (cb) => cbs.add(cb),
        close: () => {
          if (closed) return;
          closed = true;
          sock.close();
        },
      });
    });
    sock.bind(path);
  });
}
