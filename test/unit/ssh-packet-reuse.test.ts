import { createHash } from 'node:crypto';
import type { AddressInfo } from 'node:net';
import { afterEach, expect, it } from 'vitest';
import { Client, Server, utils, type Connection } from 'ssh2';
import { reusePacketBuffers, type PacketReuse } from '../../main/services/ssh/packet-reuse';
import { batchWritesPerTick } from '../../main/services/ssh/write-batching';

/**
 * A real ssh2 server in this process: each exec channel's bytes are hashed as they arrive and the sum is sent back,
 * so a packet buffer reused too early (before the kernel took it) would show as a wrong sum or a broken MAC.
 */
async function serverAndClient() {
  const hostKey = utils.generateKeyPairSync('ed25519').private;
  const conns: Connection[] = [];
  const server = new Server({ hostKeys: [hostKey] }, (conn) => {
    conns.push(conn);
    conn.on('error', () => undefined);
    conn.on('authentication', (ctx) => ctx.accept());
    conn.on('ready', () =>
      conn.on('session', (accept) =>
        accept().on('exec', (acceptExec) => {
          const ch = acceptExec();
          const hash = createHash('sha256');
          ch.on('data', (d: Buffer) => hash.update(d));
          ch.on('end', () => {
            ch.write(hash.digest('hex'));
            ch.exit(0);
            ch.end();
          });
        }),
      ),
    );
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  const client = new Client();
  client.on('error', () => undefined);
  const ready = new Promise<void>((r) => client.once('ready', r));
  client.connect({ host: '127.0.0.1', port: (server.address() as AddressInfo).port, username: 'u', password: 'p' });
  // As connect.ts does, straight after connect(): the socket and the protocol exist, the key exchange has not run.
  batchWritesPerTick(client);
  const reuse = reusePacketBuffers(client);
  await ready;
  return { client, reuse, rekey: () => conns[0]!.rekey(), close: () => (client.end(), server.close()) };
}

let close = () => {};
afterEach(() => close());

/** Sends `mib` MiB of bytes that differ from packet to packet, in 256 KiB writes as the uploader makes them. */
async function send(client: Client, mib: number, midway?: () => void): Promise<{ sent: string; received: string }> {
  const ch = await new Promise<import('ssh2').ClientChannel>((resolve, reject) =>
    client.exec('hash', (err, c) => (err ? reject(err) : resolve(c))),
  );
  let received = '';
  ch.on('data', (d: Buffer) => (received += d.toString()));
  // A connection broken by a bad packet (a MAC that does not match) ends the wait too, and the sums then differ.
  const closed = new Promise<void>((r) => (ch.on('close', () => r()), client.once('close', () => r())));
  const hash = createHash('sha256');
  const chunk = 256 * 1024;
  for (let i = 0; i < (mib * 2 ** 20) / chunk; i++) {
    const buf = Buffer.alloc(chunk);
    for (let at = 0; at < chunk; at += 4) buf.writeUInt32LE((i * chunk + at) >>> 2, at);
    hash.update(buf);
    if (i === (mib * 2 ** 20) / chunk / 2) midway?.();
    if (!ch.write(buf)) await new Promise((r) => ch.once('drain', r));
  }
  ch.end();
  await closed;
  return { sent: hash.digest('hex'), received };
}

it("reuses the data packets' buffers, and every byte arrives as sent", async () => {
  const s = await serverAndClient();
  close = s.close;
  // The ssh2 internals the reuse reaches into are there in the installed version (else it returns nothing).
  expect(s.reuse).toBeDefined();
  const { sent, received } = await send(s.client, 32);
  expect(received).toBe(sent);
  const { reused, fresh } = (s.reuse as PacketReuse).stats();
  // 32 MiB is ~1,024 packets of 32 KiB; only those in flight at the busiest moment were allocated.
  expect(reused + fresh).toBeGreaterThan(1000);
  expect(fresh).toBeLessThan(200);
});

it('goes on reusing, with the right bytes, across a key exchange in the middle of the stream (a new cipher)', async () => {
  const s = await serverAndClient();
  close = s.close;
  let atRekey = { reused: 0, fresh: 0 };
  const { sent, received } = await send(s.client, 16, () => {
    atRekey = s.reuse!.stats();
    // The device asks for new keys, as OpenSSH does after its RekeyLimit: both sides switch ciphers.
    s.rekey();
  });
  expect(received).toBe(sent);
  const after = s.reuse!.stats();
  expect(atRekey.reused).toBeGreaterThan(0);
  // The new cipher's packets are answered from the spares too (the `_cipher` setter wrapped it).
  expect(after.reused - atRekey.reused).toBeGreaterThan(200);
});

it('lets its spare buffers go when the connection has been idle for a few seconds', async () => {
  const s = await serverAndClient();
  close = s.close;
  await send(s.client, 4);
  expect(s.reuse!.stats().spareBytes).toBeGreaterThan(0);
  await new Promise((r) => setTimeout(r, 4500));
  expect(s.reuse!.stats().spareBytes).toBe(0);
});

it('does nothing for a hop carried in a jump host channel (no socket of its own)', () => {
  expect(reusePacketBuffers({ _sock: { on() {} }, _protocol: { _cipher: { allocPacket() {} } } } as unknown as Client)).toBeUndefined();
});
