import { spawnSync } from 'node:child_process';
import { createHash, randomBytes } from 'node:crypto';
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { streamCommand } from '../../main/services/bundle/upload';

/** The device side of a streamed upload, run by this machine's /bin/sh (dash on Debian) as a device's sshd would. */
describe('streamed upload command', () => {
  const dir = mkdtempSync(join(tmpdir(), "eai-stream it's-"));
  const part = join(dir, "agent mode 'x'.tar.part");
  const data = randomBytes(3_000_000);
  const sha = (b: Buffer) => createHash('sha256').update(b).digest('hex');
  const run = (start: number, input: Buffer) => spawnSync('/bin/sh', ['-c', streamCommand(dir, part, start)], { input });

  it('writes what arrives, 0600, and prints the sha256 and size of the whole file', () => {
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

  it('a short stream shows in the size line (the caller refuses it)', () => {
    const r = run(0, data.subarray(0, 10));
    expect(r.stdout.toString()).toMatch(/\nsize 10\n$/);
  });
});
