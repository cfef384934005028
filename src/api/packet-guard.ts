// Reads MQTT fixed headers as the bytes arrive, so a connection announcing a packet over
// the limit can be closed before the packet is buffered (aedes' parser, mqtt-packet,
// collects a whole packet in memory before it looks at it). Pure: no sockets here.
//
// Fixed header: 1 byte type/flags, then the remaining length as a base-128 varint of at
// most 4 bytes (MQTT 3.1.1 §2.2.3, MQTT 5 §1.5.5). The body that follows is skipped.

export type GuardVerdict = { ok: true } | { ok: false; reason: string; announced: number };

const OK: GuardVerdict = { ok: true };

export class PacketSizeGuard {
  /** 0: expecting the type byte; 1..4: reading length byte n; -1: skipping the body */
  private state = 0;
  private length = 0;
  private multiplier = 1;
  private headerBytes = 0;
  private bodyLeft = 0;
  private failed: GuardVerdict | null = null;

  constructor(private readonly maxPacketBytes: number) {}

  /** Look at the next chunk of the stream; once a verdict is not ok it stays so. */
  feed(chunk: Uint8Array): GuardVerdict {
    if (this.failed) return this.failed;
    let i = 0;
    const n = chunk.length;
    while (i < n) {
      if (this.state === -1) {
        const take = Math.min(this.bodyLeft, n - i);
        this.bodyLeft -= take;
        i += take;
        if (this.bodyLeft === 0) this.state = 0;
        continue;
      }
      if (this.state === 0) {
        i++;
        this.state = 1;
        this.length = 0;
        this.multiplier = 1;
        this.headerBytes = 1;
        continue;
      }
      const b = chunk[i++] as number;
      this.headerBytes++;
      this.length += (b & 0x7f) * this.multiplier;
      if (b & 0x80) {
        if (this.state === 4) return (this.failed = { ok: false, reason: 'malformed remaining length (more than 4 bytes)', announced: -1 });
        this.multiplier *= 128;
        this.state++;
        continue;
      }
      const total = this.headerBytes + this.length;
      if (total > this.maxPacketBytes) {
        return (this.failed = { ok: false, reason: `packet of ${total} bytes announced; the limit is ${this.maxPacketBytes}`, announced: total });
      }
      this.bodyLeft = this.length;
      this.state = this.length === 0 ? 0 : -1;
    }
    return OK;
  }
}
