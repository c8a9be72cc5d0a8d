import { spawn, spawnSync } from 'node:child_process';
import { createHash, randomBytes } from 'node:crypto';
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { streamCommand } from '../../main/services/bundle/upload';
import { sampleCompression, ZstdCompressor } from '../../main/services/bundle/zstd';

/** The device side of a streamed upload, run by this machine's /bin/sh (dash on Debian) as a device's sshd would. */
describe('streamed upload command', () => {
  const dir = mkdtempSync(join(tmpdir(), "eai-stream it's-"));
  const part = join(dir, "agent mode 'x'.tar.part");
  const data = randomBytes(3_000_000);
  const sha = (b: Buffer) => createHash('sha256').update(b).digest('hex');
  /** The bundle's size is `data`'s unless said otherwise. */
  const run = (start: number, input: Buffer, o: { zstd?: boolean; size?: number } = {}) =>
    spawnSync('/bin/sh', ['-c', streamCommand(dir, part, start, { size: data.length, ...o })], { input });

  it('writes what arrives, 0600, and prints the sha256 and size of the whole file', () => {
    // One line: sshd hands it to the login shell as it is.
    expect(streamCommand(dir, part, 0)).not.toContain('\n');
    const r = run(0, data);
    expect(r.status).toBe(0);
    expect(r.stdout.toString()).toMatch(new RegExp(`^${sha(data)}.*\\nsize ${data.length}\\n$`));
    expect(readFileSync(part).equals(data)).toBe(true);
  });

  it('continues a .part: cuts a torn tail back to where it starts, and hashes what was there with what came', () => {
    writeFileSync(part, Buffer.concat([data.subarray(0, 1_000_000), Buffer.from('torn tail')]));
    const r = run(1_000_000, data.subarray(1_000_000));
    expect(r.status).toBe(0);
    expect(r.stdout.toString()).toMatch(new RegExp(`^${sha(data)}`));
    expect(readFileSync(part).equals(data)).toBe(true);
  });

  it('hashes the .part as it grows: bytes arriving in pieces, with pauses longer than the reader waits between looks', async () => {
    const child = spawn('/bin/sh', ['-c', streamCommand(dir, part, 0)]);
    let out = '';
    child.stdout.on('data', (d: Buffer) => (out += d.toString()));
    const exited = new Promise<number | null>((r) => child.on('close', r));
    for (let at = 0; at < data.length; at += 1_000_000) {
      child.stdin.write(data.subarray(at, at + 1_000_000));
      await new Promise((r) => setTimeout(r, 600));
    }
    child.stdin.end();
    expect(await exited).toBe(0);
    expect(out).toMatch(new RegExp(`^${sha(data)}.*\\nsize ${data.length}\\n$`));
    // Nothing of the run is left beside the .part.
    expect(existsSync(`${part}.done`) || existsSync(`${part}.pid`)).toBe(false);
  });

  it("with the bundle's size known, the sum is ready as soon as the .part is whole, before the stream ends", async () => {
    const child = spawn('/bin/sh', ['-c', streamCommand(dir, part, 0, { size: data.length })]);
    let out = '';
    child.stdout.on('data', (d: Buffer) => (out += d.toString()));
    const exited = new Promise<number | null>((r) => child.on('close', r));
    child.stdin.write(data);
    // The stream is still open (the last byte is in, the channel's end has not come): the reader has finished anyway.
    let early = '';
    for (let i = 0; i < 50 && !early.includes(sha(data)); i++) {
      await new Promise((r) => setTimeout(r, 100));
      early = existsSync(`${part}.sum`) ? readFileSync(`${part}.sum`, 'utf8') : '';
    }
    expect(early).toMatch(new RegExp(`^${sha(data)}`));
    child.stdin.end();
    expect(await exited).toBe(0);
    expect(out).toMatch(new RegExp(`^${sha(data)}.*\\nsize ${data.length}\\n$`));
    expect(existsSync(`${part}.sum`)).toBe(false);
  });

  it('puts a whole .part with the expected sum in place itself, and says so; leaves a wrong or short one', () => {
    const final = join(dir, "agent mode 'x'.tar");
    const placeAs = { path: final, sha256: sha(data) };
    const r = spawnSync('/bin/sh', ['-c', streamCommand(dir, part, 0, { size: data.length, placeAs })], { input: data });
    expect(r.status).toBe(0);
    expect(r.stdout.toString()).toMatch(new RegExp(`^${sha(data)}.*\\nsize ${data.length}\\nplaced\\n$`));
    expect(readFileSync(final).equals(data)).toBe(true);
    expect(existsSync(part) || existsSync(`${part}.pid`) || existsSync(`${part}.sum`)).toBe(false);
    rmSync(final);

    // Other bytes than expected: the sum is printed for the caller to refuse, the .part stays, the command succeeds.
    const wrong = spawnSync(
      '/bin/sh',
      ['-c', streamCommand(dir, part, 0, { size: data.length, placeAs: { path: final, sha256: 'a'.repeat(64) } })],
      {
        input: data,
      },
    );
    expect(wrong.status).toBe(0);
    expect(wrong.stdout.toString()).not.toMatch(/placed/);
    expect(existsSync(final)).toBe(false);
    expect(readFileSync(part).equals(data)).toBe(true);

    // A short stream (one that goes on compressed after) is not placed either.
    const short = spawnSync('/bin/sh', ['-c', streamCommand(dir, part, 0, { size: data.length, placeAs })], {
      input: data.subarray(0, 10),
    });
    expect(short.status).toBe(0);
    expect(short.stdout.toString()).toMatch(/\nsize 10\n$/);
    expect(existsSync(final)).toBe(false);
  });

  it('a writer that fails (here: a file size limit, as a full disk would) fails the command, with no size line', () => {
    // 1 MB limit (ulimit -f counts 1024-byte blocks), and its signal ignored so the write fails with an error.
    const r = spawnSync('/bin/sh', ['-c', `trap '' XFSZ; ulimit -f 1000; exec /bin/sh -c "$0"`, streamCommand(dir, part, 0)], {
      input: data,
    });
    expect(r.status).not.toBe(0);
    expect(r.stdout.toString()).not.toMatch(/size/);
    expect(r.stderr.toString()).toMatch(/File too large/);
    expect(existsSync(`${part}.done`)).toBe(false);
  });

  it('a short stream shows in the size line (the caller refuses it)', () => {
    const r = run(0, data.subarray(0, 10));
    expect(r.stdout.toString()).toMatch(/\nsize 10\n$/);
  });

  it("compressed: frames from the worker, unpacked by the device's zstd, continued after a cut mid-frame", async () => {
    // Text-like data compresses: a bundle's binaries do too.
    const text = Buffer.from(Array.from({ length: 120_000 }, (_, i) => `line ${i} of the agent's files\n`).join(''));
    const z = new ZstdCompressor();
    try {
      const frames: Buffer[] = [];
      for (let at = 0; at < text.length; at += 2 ** 20) frames.push((await z.compress(Buffer.from(text.subarray(at, at + 2 ** 20)))).out);
      const wire = Buffer.concat(frames);
      expect(wire.length).toBeLessThan(text.length / 3);
      // Cut in the middle of the second frame: zstd leaves a whole prefix of the bundle, never a wrong byte.
      const cut = frames[0]!.length + Math.floor(frames[1]!.length / 2);
      run(0, wire.subarray(0, cut), { zstd: true, size: text.length });
      const kept = readFileSync(part);
      expect(kept.length).toBeGreaterThanOrEqual(2 ** 20);
      expect(kept.equals(text.subarray(0, kept.length))).toBe(true);
      // The retry compresses again from where the .part ends.
      const rest: Buffer[] = [];
      for (let at = kept.length; at < text.length; at += 2 ** 20)
        rest.push((await z.compress(Buffer.from(text.subarray(at, at + 2 ** 20)))).out);
      const r = run(kept.length, Buffer.concat(rest), { zstd: true, size: text.length });
      expect(r.status).toBe(0);
      expect(r.stdout.toString()).toMatch(new RegExp(`^${sha(text)}.*\nsize ${text.length}\n$`));
      expect(readFileSync(part).equals(text)).toBe(true);

      const file = join(dir, 'sample.bin');
      writeFileSync(file, Buffer.concat([text, randomBytes(text.length)]));
      const s = await sampleCompression(z, file, 0, 2 * text.length);
      // Two samples of text, two of random bytes: the ratio is of the mix.
      expect(s!.ratio).toBeGreaterThan(0.4);
      expect(s!.ratio).toBeLessThan(0.75);
      expect(s!.bytesPerSec).toBeGreaterThan(0);
    } finally {
      await z.close();
    }
  });
});
