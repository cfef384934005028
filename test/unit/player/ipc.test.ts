import { EventEmitter } from 'node:events';
import { describe, expect, it } from 'vitest';
import { MpvIpcClient, type MpvEvent } from '../../../src/player/ipc.js';
import { systemTimers } from '../../../src/timers.js';

class FakeSocket extends EventEmitter {
  written: string[] = [];
  destroyed = false;
  write(s: string): boolean {
    this.written.push(s);
    return true;
  }
  destroy(): void {
    this.destroyed = true;
  }
  feed(s: string): void {
    this.emit('data', Buffer.from(s));
  }
}

function make(timeoutMs = 1000): { sock: FakeSocket; client: MpvIpcClient; events: MpvEvent[]; closes: string[] } {
  const sock = new FakeSocket();
  const events: MpvEvent[] = [];
  const closes: string[] = [];
  const client = new MpvIpcClient(sock, { timeoutMs, timers: systemTimers, onEvent: (e) => events.push(e), onClose: (r) => closes.push(r) });
  client.attach();
  return { sock, client, events, closes };
}

describe('MpvIpcClient', () => {
  it('sends one JSON line per command with a request_id and resolves with data', async () => {
    const { sock, client } = make();
    const p = client.request(['loadfile', `/m/it's "a" clip.mp4`, 'replace']);
    const sent = JSON.parse(sock.written[0] as string) as { command: unknown[]; request_id: number };
    expect(sock.written[0]?.endsWith('\n')).toBe(true);
    expect(sent.command).toEqual(['loadfile', `/m/it's "a" clip.mp4`, 'replace']);
    sock.feed(`{"data":{"playlist_entry_id":7},"request_id":${sent.request_id},"error":"success"}\n`);
    await expect(p).resolves.toEqual({ playlist_entry_id: 7 });
  });

  it('reassembles lines split across chunks, including split UTF-8, and passes events on', async () => {
    const { sock, client, events } = make();
    const p = client.request(['get_property', 'media-title']);
    const line = Buffer.from('{"event":"end-file","reason":"eof","playlist_entry_id":1}\n{"data":"Grüße","request_id":1,"error":"success"}\n');
    const cut = line.indexOf(Buffer.from('ü')) + 1; // inside the two-byte ü
    sock.emit('data', line.subarray(0, 10));
    sock.emit('data', line.subarray(10, cut));
    sock.emit('data', line.subarray(cut));
    await expect(p).resolves.toBe('Grüße');
    expect(events).toEqual([{ event: 'end-file', reason: 'eof', playlist_entry_id: 1 }]);
  });

  it('rejects on an mpv error, ignores garbage, times out when unanswered', async () => {
    const { sock, client } = make(50);
    const bad = client.request(['set_property', 'nope', 1]);
    sock.feed('not json\n{"request_id":1,"error":"property not found"}\n');
    await expect(bad).rejects.toMatchObject({ code: 'POKERFACE_ERR_PLAYER_IPC', message: expect.stringContaining('property not found') as string });
    await expect(client.request(['get_version'])).rejects.toMatchObject({ code: 'POKERFACE_ERR_PLAYER_IPC' });
    expect(client.inFlight).toBe(0);
  });

  it('fails waiting requests when the socket closes, once', async () => {
    const { sock, client, closes } = make();
    const p = client.request(['get_version']);
    sock.emit('close');
    sock.emit('error', new Error('late'));
    await expect(p).rejects.toMatchObject({ code: 'POKERFACE_ERR_PLAYER_DIED' });
    await expect(client.request(['get_version'])).rejects.toMatchObject({ code: 'POKERFACE_ERR_PLAYER_DIED' });
    expect(closes).toEqual(['socket closed']);
    expect(sock.destroyed).toBe(true);
  });
});
