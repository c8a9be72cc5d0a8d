import { Socket } from 'node:net';
import type { Client } from 'ssh2';

/**
 * The writes ssh2 makes while it handles one read from the socket go to the kernel as one writev, not one write per
 * SSH packet. During an upload the device's window adjustments arrive as reads, and each releases up to the
 * channel's window (2 MiB with OpenSSH) as 32 KiB packets: written one by one, that was 64 system calls and as many
 * small TCP pushes per adjustment. Measured 2026-12-03, 512 MiB streamed into a lab device, median of seven: the
 * installer's CPU fell from 1.84 s to 1.29 s (OpenSSH's own client, same stream into the same device command: 1.19 s).
 *
 * ssh2 opens the TCP socket itself (its connect errors and timeouts are the ones the app explains), so the socket
 * is reached through its `_sock` field; a hop carried inside a jump host's channel has no socket of its own (the
 * jump host's connection is batched instead) and is left alone.
 */
export function batchWritesPerRead(client: Client): void {
  const sock = (client as unknown as { _sock?: unknown })._sock;
  if (!(sock instanceof Socket)) return;
  sock.prependListener('data', () => {
    if (sock.writableCorked) return;
    sock.cork();
    process.nextTick(() => sock.uncork());
  });
}
