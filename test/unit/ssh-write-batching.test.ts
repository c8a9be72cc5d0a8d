import { createServer, Socket, type AddressInfo } from 'node:net';
import { afterEach, expect, it } from 'vitest';
import { Client } from 'ssh2';
import { batchWritesPerTick } from '../../main/services/ssh/write-batching';

/** A loopback pair: the socket under test, and the server end that talks to it. */
async function pair() {
  let serverEnd!: Socket;
  const server = createServer((s) => (serverEnd = s));
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  const sock = new Socket();
  await new Promise<void>((r) => sock.connect((server.address() as AddressInfo).port, '127.0.0.1', r));
  while (!serverEnd) await new Promise((r) => setTimeout(r, 5));
  return { sock, serverEnd, close: () => (sock.destroy(), serverEnd.destroy(), server.close()) };
}

let close = () => {};
afterEach(() => close());

/** What reaches the kernel: one call per write, or one writev for several. */
function countCalls(sock: Socket) {
  const calls = { write: 0, writev: 0 };
  const s = sock as unknown as { _write: (...a: unknown[]) => void; _writev: (...a: unknown[]) => void };
  const write = s._write.bind(sock);
  const writev = s._writev.bind(sock);
  s._write = (...a) => (calls.write++, write(...a));
  s._writev = (...a) => (calls.writev++, writev(...a));
  return calls;
}

async function packetsOnRead(batched: boolean) {
  const p = await pair();
  close = p.close;
  if (batched) batchWritesPerTick({ _sock: p.sock } as unknown as Client);
  const calls = countCalls(p.sock);
  const received = new Promise<number>((resolve) => {
    let n = 0;
    p.serverEnd.on('data', (d) => (n += d.length) === 64 * 32768 && resolve(n));
  });
  // As ssh2 does when a window adjustment arrives: many packets written from inside the socket's data handler.
  p.sock.on('data', () => {
    for (let i = 0; i < 64; i++) p.sock.write(Buffer.alloc(32768, i));
  });
  p.serverEnd.write('window adjust');
  expect(await received).toBe(64 * 32768);
  return calls;
}

it('sends the packets written while one read is handled in one writev', async () => {
  const calls = await packetsOnRead(true);
  expect(calls.writev).toBe(1);
  expect(calls.write).toBe(0);
});

it("sends the packets of one write made outside a read (the uploader's own chunk, eight packets) in one writev", async () => {
  const p = await pair();
  close = p.close;
  batchWritesPerTick({ _sock: p.sock } as unknown as Client);
  const calls = countCalls(p.sock);
  const received = new Promise<number>((resolve) => {
    let n = 0;
    p.serverEnd.on('data', (d) => (n += d.length) === 2 * 8 * 32768 && resolve(n));
  });
  // Two chunks a tick apart, as the uploader hands them over: one writev each.
  for (let i = 0; i < 8; i++) p.sock.write(Buffer.alloc(32768, i));
  await new Promise((r) => setImmediate(r));
  for (let i = 0; i < 8; i++) p.sock.write(Buffer.alloc(32768, i));
  expect(await received).toBe(2 * 8 * 32768);
  expect(calls).toEqual({ write: 0, writev: 2 });
});

it('without it, each packet is its own write (what the batching saves)', async () => {
  const calls = await packetsOnRead(false);
  // Node itself gathers what queues behind a write the kernel did not take at once; the first ones go alone.
  expect(calls.write).toBeGreaterThan(1);
});

it('leaves a hop carried in a jump host channel alone (it has no socket of its own)', () => {
  expect(() => batchWritesPerTick({ _sock: { on() {} } } as unknown as Client)).not.toThrow();
});

it('reaches the socket ssh2 itself opens (its private _sock: an ssh2 upgrade that renames it would fail here, not go slow unnoticed)', async () => {
  const server = createServer((s) => s.on('error', () => undefined));
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  const client = new Client();
  client.on('error', () => undefined);
  try {
    client.connect({ host: '127.0.0.1', port: (server.address() as AddressInfo).port, username: 'x', readyTimeout: 2000 });
    const sock = (client as unknown as { _sock?: unknown })._sock;
    expect(sock).toBeInstanceOf(Socket);
    const before = (sock as Socket).write;
    batchWritesPerTick(client);
    expect((sock as Socket).write).not.toBe(before);
  } finally {
    client.end();
    server.close();
  }
});
