import { Socket } from 'node:net';
import type { Client } from 'ssh2';

/** Packets this size and up (an upload's 32 KiB data packets) are reused; small ones are not worth it. */
const MIN_REUSED = 16 * 1024;
/** Spare packet buffers kept per connection, in bytes: more than an upload has with the kernel at once. */
const MAX_SPARE_BYTES = 4 * 2 ** 20;
/** Spares are let go after this long without a packet taking one, so an idle connection holds nothing. */
const IDLE_MS = 2000;

/** What a connection's reuse has done: packets answered from spares or newly allocated, and spares held now. */
export interface PacketReuse {
  stats(): { reused: number; fresh: number; spareBytes: number };
}

interface Cipher {
  allocPacket(payloadLen: number): Buffer;
}
interface Protocol {
  _cipher?: Cipher;
}

/**
 * The buffers of big outgoing SSH packets are used again once the kernel has taken them, instead of one new
 * buffer per packet.
 *
 * Why: ssh2 allocates every packet it sends (`allocPacket`, one Buffer of the packet's size), so an upload of a
 * GiB allocates a GiB of ArrayBuffers — 32,768 of them — that V8 counts and collects. Their memory grows up to V8's
 * external-memory limit before a full collection runs (the 4 GiB upload's peak moved by ~25 MB from run to run),
 * and every collection is CPU the upload competes with (see v8-tuning.ts for the rest of that story). Measured
 * 2026-12-03 in the lab (bench/upload.run.ts), with the uploader's read buffers also reused in full: peak memory
 * 111–117 MB at 1 and 4 GiB alike (was 124–157 MB, 4 GiB/1 GiB 0.94–1.15); of a GiB's 32,770 packets, 32,709
 * were answered from ~2 MB of spares.
 *
 * How, and why it is safe: while ssh2's cipher allocates a packet, its `Buffer.allocUnsafe` is answered from
 * this connection's spares (the cipher fills every byte it sends: header, payload, random padding, tag). A packet
 * is handed back only after the socket's write callback for that very buffer says the kernel has it; a packet that
 * never reaches the socket (queued during a key exchange, or a cipher that encrypts into a new buffer) is simply
 * left to the garbage collector, as before. Reaches into ssh2's internals (`_protocol._cipher`, replaced at each
 * key exchange, and `_sock`): test/unit/ssh-packet-reuse.test.ts checks them against the installed ssh2, and if
 * they are missing this does nothing.
 */
export function reusePacketBuffers(client: Client): PacketReuse | undefined {
  const internals = client as unknown as { _sock?: unknown; _protocol?: Protocol };
  const sock = internals._sock;
  const proto = internals._protocol;
  if (!(sock instanceof Socket) || !proto || typeof proto._cipher?.allocPacket !== 'function') return undefined;

  const spares = new Map<number, Buffer<ArrayBuffer>[]>();
  let spareBytes = 0;
  const counts = { reused: 0, fresh: 0 };
  let tookSinceCheck = false;
  let idleTimer: NodeJS.Timeout | undefined;
  const ours = new WeakSet<Buffer>();

  const take = (size: number): Buffer<ArrayBuffer> => {
    const b = spares.get(size)?.pop();
    if (b) {
      spareBytes -= size;
      tookSinceCheck = true;
    }
    const buf = b ?? Buffer.allocUnsafeSlow(size);
    counts[b ? 'reused' : 'fresh']++;
    ours.add(buf);
    return buf;
  };
  const checkIdle = () => {
    idleTimer = undefined;
    if (!tookSinceCheck) {
      spares.clear();
      spareBytes = 0;
      return;
    }
    tookSinceCheck = false;
    idleTimer = setTimeout(checkIdle, IDLE_MS).unref();
  };
  const giveBack = (buf: Buffer<ArrayBuffer>) => {
    if (spareBytes + buf.length > MAX_SPARE_BYTES) return;
    const list = spares.get(buf.length);
    if (list) list.push(buf);
    else spares.set(buf.length, [buf]);
    spareBytes += buf.length;
    idleTimer ??= setTimeout(checkIdle, IDLE_MS).unref();
  };

  const wrap = (cipher: Cipher | undefined): Cipher | undefined => {
    if (!cipher || typeof cipher.allocPacket !== 'function') return cipher;
    const alloc = cipher.allocPacket;
    cipher.allocPacket = function (this: Cipher, payloadLen: number) {
      if (payloadLen < MIN_REUSED) return alloc.call(this, payloadLen);
      // Synchronous: nothing else runs while the cipher's own allocation is answered from the spares.
      const allocUnsafe = Buffer.allocUnsafe;
      Buffer.allocUnsafe = (size: number) => (size >= MIN_REUSED ? take(size) : allocUnsafe(size));
      try {
        return alloc.call(this, payloadLen);
      } finally {
        Buffer.allocUnsafe = allocUnsafe;
      }
    };
    return cipher;
  };
  let cipher = wrap(proto._cipher);
  Object.defineProperty(proto, '_cipher', {
    configurable: true,
    enumerable: true,
    get: () => cipher,
    set: (c: Cipher | undefined) => (cipher = wrap(c)),
  });

  const write = sock.write;
  sock.write = function (this: Socket, ...args: unknown[]) {
    const chunk = args[0];
    // ssh2 writes each packet alone, with no callback of its own.
    if (args.length === 1 && Buffer.isBuffer(chunk) && ours.has(chunk)) {
      ours.delete(chunk);
      return (write as (...a: unknown[]) => boolean).call(this, chunk, (err?: Error | null) => {
        if (!err) giveBack(chunk as Buffer<ArrayBuffer>);
      });
    }
    return (write as (...a: unknown[]) => boolean).apply(this, args);
  } as Socket['write'];
  return { stats: () => ({ ...counts, spareBytes }) };
}
