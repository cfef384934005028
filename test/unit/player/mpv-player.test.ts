// MpvPlayer against a scripted stand-in for mpv (injected spawn and socket): the event
// bookkeeping and the restart logic, deterministic and without a process.
import { EventEmitter } from 'node:events';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { defaultConfig } from '../../../src/config/load.js';
import { silentLogger } from '../../../src/log.js';
import { MpvPlayer } from '../../../src/player/mpv.js';
import type { PlayerEvent } from '../../../src/types.js';
import { waitFor } from '../../wait-for.js';

class FakeChild extends EventEmitter {
  pid = 4242;
  exitCode: number | null = null;
  signalCode: NodeJS.Signals | null = null;
  stdout = null;
  stderr = null;
  kills: Array<NodeJS.Signals | number | undefined> = [];
  kill(sig?: NodeJS.Signals | number): boolean {
    this.kills.push(sig);
    this.exit(null, 'SIGKILL');
    return true;
  }
  exit(code: number | null, signal: NodeJS.Signals | null): void {
    if (this.exitCode !== null || this.signalCode !== null) return;
    this.exitCode = code;
    this.signalCode = signal;
    this.emit('exit', code, signal);
  }
}

/** Answers like mpv; `silent` stops all answers, `eventsFirst` sends start-file before the loadfile reply. */
class FakeMpvSocket extends EventEmitter {
  silent = false;
  eventsFirst = false;
  sent: unknown[][] = [];
  onQuit: (() => void) | null = null;
  private entry = 0;
  write(s: string): boolean {
    const msg = JSON.parse(s) as { command: unknown[]; request_id: number };
    this.sent.push(msg.command);
    if (this.silent) return true;
    const reply = (data: unknown): void => this.push({ request_id: msg.request_id, error: 'success', data });
    if (msg.command[0] === 'loadfile') {
      const id = ++this.entry;
      const events = [{ event: 'start-file', playlist_entry_id: id }, { event: 'file-loaded' }, { event: 'playback-restart' }];
      if (this.eventsFirst) {
        events.forEach((e) => this.push(e));
        reply({ playlist_entry_id: id });
      } else {
        reply({ playlist_entry_id: id });
        events.forEach((e) => this.push(e));
      }
    } else if (msg.command[0] === 'set_property' && msg.command[1] === 'nope') {
      this.push({ request_id: msg.request_id, error: 'property not found' });
    } else {
      reply(null);
      if (msg.command[0] === 'quit') queueMicrotask(() => this.onQuit?.());
    }
    return true;
  }
  endFile(id: number, reason: string, fileError?: string): void {
    this.push({ event: 'end-file', reason, playlist_entry_id: id, ...(fileError ? { file_error: fileError } : {}) });
  }
  destroy(): void {
    this.emit('close');
  }
  private push(o: unknown): void {
    // mpv writes asynchronously; keep that ordering property
    queueMicrotask(() => this.emit('data', Buffer.from(`${JSON.stringify(o)}\n`)));
  }
}

let dir: string;
beforeEach(() => {
  dir = mkdtempSync(path.join(tmpdir(), 'pf-mpvu-'));
});
afterEach(() => rmSync(dir, { recursive: true, force: true }));

function setup(): { player: MpvPlayer; children: FakeChild[]; sockets: FakeMpvSocket[]; events: PlayerEvent[]; spawnArgs: string[][] } {
  const children: FakeChild[] = [];
  const sockets: FakeMpvSocket[] = [];
  const spawnArgs: string[][] = [];
  const events: PlayerEvent[] = [];
  const config = { ...defaultConfig().player, socketPath: path.join(dir, 'mpv.sock'), pingIntervalMs: 20, ipcTimeoutMs: 50 };
  const player = new MpvPlayer({
    config,
    log: silentLogger,
    headless: true,
    spawn: (_cmd, args) => {
      spawnArgs.push(args);
      const c = new FakeChild();
      c.pid += children.length;
      children.push(c);
      return c;
    },
    connect: async () => {
      const s = new FakeMpvSocket();
      const child = children.at(-1) as FakeChild;
      s.onQuit = () => child.exit(0, null);
      sockets.push(s);
      return s;
    },
  });
  player.onEvent((e) => events.push(e));
  return { player, children, sockets, events, spawnArgs };
}

describe('MpvPlayer (scripted mpv)', () => {
  it('matches events to clips by playlist entry, whichever comes first', async () => {
    const { player, sockets, events } = setup();
    await player.start();
    const sock = sockets[0] as FakeMpvSocket;
    await player.play('/m/a.mp4');
    sock.eventsFirst = true;
    await player.play('/m/b.mp4');
    await waitFor(() => events.length >= 2);
    sock.endFile(1, 'stop');
    sock.endFile(2, 'eof');
    await waitFor(() => events.length >= 3);
    expect(events.map((e) => [e.type, 'clip' in e ? e.clip : null])).toEqual([
      ['started', '/m/a.mp4'],
      ['started', '/m/b.mp4'],
      ['ended', '/m/b.mp4'],
    ]);
    expect(sock.sent.filter((c) => c[0] === 'loadfile')).toEqual([
      ['loadfile', '/m/a.mp4', 'replace'],
      ['loadfile', '/m/b.mp4', 'replace'],
    ]);
    await player.stop();
  });

  it('passes file_error on as the failure reason and sets loop-file for the attract loop', async () => {
    const { player, sockets, events } = setup();
    await player.start();
    const sock = sockets[0] as FakeMpvSocket;
    await player.playAttract('/m/loop.mp4');
    expect(sock.sent).toContainEqual(['set_property', 'loop-file', 'inf']);
    await player.play('/m/bad.mp4');
    expect(sock.sent.at(-2)).toEqual(['set_property', 'loop-file', 'no']);
    sock.endFile(2, 'error', 'unrecognized file format');
    await waitFor(() => events.some((e) => e.type === 'failed'));
    expect(events.find((e) => e.type === 'failed')).toMatchObject({ clip: '/m/bad.mp4', reason: 'unrecognized file format' });
    await player.showText('$HOME', 1000.4);
    expect(sock.sent.at(-1)).toEqual(['show-text', '$$HOME', 1000]);
    await player.setVolume(999);
    expect(sock.sent.at(-1)).toEqual(['set_property', 'volume', 130]);
    await player.stop();
  });

  it('restarts after mpv exits, re-plays the attract loop and keeps the volume', async () => {
    const { player, children, sockets, events, spawnArgs } = setup();
    await player.start();
    await player.setVolume(40);
    await player.playAttract('/m/loop.mp4');
    (children[0] as FakeChild).exit(1, null);
    expect(player.health()).toMatchObject({ healthy: false });
    await waitFor(() => events.some((e) => e.type === 'restarted'));
    expect(events.filter((e) => e.type === 'failed')).toEqual([]); // the attract loop is not a round
    expect(events.find((e) => e.type === 'restarted')).toMatchObject({ restarts: 1, reason: 'mpv exited (code 1)' });
    expect(spawnArgs[1]).toContain('--volume=40');
    await waitFor(() => (sockets[1]?.sent ?? []).some((c) => c[0] === 'loadfile'));
    expect(sockets[1]?.sent).toContainEqual(['loadfile', '/m/loop.mp4', 'replace']);
    expect(player.stats()).toMatchObject({ healthy: true, restarts: 1 });
    await player.stop();
  });

  it('kills an mpv that stops answering pings and reports a lost clip as failed', async () => {
    const { player, children, sockets, events } = setup();
    await player.start();
    await player.play('/m/a.mp4');
    await waitFor(() => events.length === 1);
    (sockets[0] as FakeMpvSocket).silent = true;
    await waitFor(() => events.some((e) => e.type === 'restarted'));
    expect((children[0] as FakeChild).kills).toEqual(['SIGKILL']);
    expect(events.map((e) => e.type)).toEqual(['started', 'failed', 'restarted']);
    expect(events[1]).toMatchObject({ clip: '/m/a.mp4', reason: expect.stringContaining('ping') as string });
    await player.stop();
  });

  it('reports a play while mpv is down as a failed clip, not a hang', async () => {
    const { player, children, events } = setup();
    await player.start();
    (children[0] as FakeChild).exit(null, 'SIGSEGV');
    await player.play('/m/a.mp4');
    expect(events[0]).toMatchObject({ type: 'failed', clip: '/m/a.mp4' });
    await player.stop();
    expect(children.every((c) => c.exitCode !== null || c.signalCode !== null || c.kills.length > 0)).toBe(true);
  });

  it('draws the HUD again on a restarted mpv: overlays die with the old IPC connection', async () => {
    const { player, children, sockets, events } = setup();
    await player.start();
    await player.overlay('{\\an5}HUD');
    const hud = (s: FakeMpvSocket): unknown[] => s.sent.filter((c) => (c as unknown as { name?: string }).name === 'osd-overlay');
    expect(hud(sockets[0]!)).toEqual([{ name: 'osd-overlay', id: 1, format: 'ass-events', data: '{\\an5}HUD', res_x: 1280, res_y: 720, z: 0 }]);
    children[0]!.exit(1, null);
    await waitFor(() => events.some((e) => e.type === 'restarted'));
    await waitFor(() => hud(sockets[1]!).length > 0);
    expect(hud(sockets[1]!)).toEqual(hud(sockets[0]!));
    // removed: not drawn again after the next restart
    await player.overlay(null);
    children[1]!.exit(1, null);
    await waitFor(() => events.filter((e) => e.type === 'restarted').length === 2);
    await new Promise((r) => setTimeout(r, 20)); // bounded: only a wait shows nothing is drawn
    expect(hud(sockets[2]!)).toEqual([]);
    await player.stop();
  });
});
