import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { buildFixtureBundle, type HostileKind } from '../../e2e/lab/fixture-bundle';
import { archFromElf, entryPath, linkTarget, verifyBundle } from '../../main/services/bundle/verify-bundle';

const dir = mkdtempSync(join(tmpdir(), 'eai-bundle-'));
const at = (name: string) => join(dir, name);

describe('bundle check', () => {
  let good: Awaited<ReturnType<typeof buildFixtureBundle>>;
  beforeAll(async () => {
    good = await buildFixtureBundle({ dir: at('good'), payloadBytes: 3 * 1024 * 1024 + 17 });
  });

  it('accepts the real layout, reads the architecture from the ELF header, checks the .sha256 beside it', async () => {
    const info = await verifyBundle(good.path, { deviceArch: 'amd64' });
    expect(info).toMatchObject({
      fileName: 'agent-mode-linux-amd64.tar',
      arch: 'amd64',
      nameArch: 'amd64',
      nameSaysFips: false,
      sha256: good.sha256,
      size: good.size,
    });
    expect(info.checksum).toEqual({ source: 'sha256-file', expected: good.sha256, ok: true });
    expect(info.agentBinaryBytes).toBeGreaterThan(1000);
  });

  it('a pasted sha256 is compared too, and wins over the file', async () => {
    await expect(verifyBundle(good.path, { expectedSha256: 'f'.repeat(64) })).rejects.toThrow(/not f{64} \(the value you pasted\)/);
    expect((await verifyBundle(good.path, { expectedSha256: good.sha256.toUpperCase() })).checksum.source).toBe('pasted');
  });

  it('refuses a device of another architecture, and a file named for another', async () => {
    await expect(verifyBundle(good.path, { deviceArch: 'arm64' })).rejects.toThrow(/built for amd64, the device is arm64/);
    const renamed = await buildFixtureBundle({ dir: at('renamed'), arch: 'amd64', binaryArch: 'arm64' });
    await expect(verifyBundle(renamed.path)).rejects.toThrow(/named for amd64 but its agent is built for arm64/);
  });

  const HOSTILE: [HostileKind, RegExp][] = [
    ['path-traversal', /climbs out with "\.\."/],
    ['absolute-path', /absolute path, \/etc\/cron\.d\/evil/],
    ['escaping-symlink', /symlink var\/lib\/spectro\/stylus\/escape → \.\.\/\.\.\/\.\.\/\.\.\/etc points outside/],
    ['escaping-hardlink', /hard link var\/lib\/spectro\/shadow-copy → etc\/shadow/],
    ['write-through-symlink', /writes var\/lib\/spectro\/stylus\/hop\/evil through the symlink var\/lib\/spectro\/stylus\/hop/],
    ['device-node', /device node or pipe, var\/lib\/spectro\/stylus\/dev-sda/],
    ['duplicate', /has var\/lib\/spectro\/spectro-init\.sh twice/],
    ['outside-roots', /outside \/var\/lib\/spectro and \/etc\/systemd\/system: usr\/local\/bin\/extra-tool/],
    ['truncated', /truncated or damaged/],
  ];
  it.each(HOSTILE)('refuses a %s bundle with a specific message', async (kind, message) => {
    const b = await buildFixtureBundle({ dir: at(kind), hostile: kind });
    await expect(verifyBundle(b.path)).rejects.toThrow(message);
  });

  it('refuses a checksum mismatch with the .sha256 beside it', async () => {
    const b = await buildFixtureBundle({ dir: at('wrong-sum'), sha256File: 'wrong' });
    await expect(verifyBundle(b.path)).rejects.toThrow(/agent-mode-linux-amd64\.tar\.sha256/);
  });

  it('says when the file is not an agent bundle at all', async () => {
    await expect(verifyBundle(at('nothing.tar'))).rejects.toThrow(/No bundle file/);
  });
});

describe('bundle path rules', () => {
  it('normalises entry names and never resolves ".." away', () => {
    expect(entryPath('./var/lib/spectro/x')).toBe('var/lib/spectro/x');
    expect(entryPath('var//lib/./spectro')).toBe('var/lib/spectro');
    expect(entryPath('var/lib/spectro/../../../etc')).toBeNull();
    expect(entryPath('/etc/passwd')).toBeNull();
  });
  it('resolves link targets; absolute ones inside the stylus image stay inside it', () => {
    expect(linkTarget('etc/systemd/system/multi-user.target.wants/a.service', '/etc/systemd/system/a.service')).toBe(
      'etc/systemd/system/a.service',
    );
    expect(linkTarget('var/lib/spectro/stylus/bin/sh', '/bin/busybox')).toBe('var/lib/spectro/stylus/bin/busybox');
    expect(linkTarget('var/lib/spectro/stylus/x', '../../../../etc')).toBe('etc');
    expect(linkTarget('etc/systemd/system/x', '/etc/passwd')).toBeNull();
  });
  it('reads ELF machine types', () => {
    const h = Buffer.alloc(20);
    h.writeUInt32BE(0x7f454c46, 0);
    h[4] = 2;
    h[5] = 1;
    h.writeUInt16LE(183, 18);
    expect(archFromElf(h)).toBe('arm64');
    h.writeUInt16LE(62, 18);
    expect(archFromElf(h)).toBe('amd64');
    expect(archFromElf(Buffer.from('#!/bin/sh\necho hi\n'))).toBeNull();
  });
});

describe('bundle sha256', () => {
  it('hashes every byte, the padding after the end of the archive included', async () => {
    const { createHash } = await import('node:crypto');
    const { readFileSync, appendFileSync } = await import('node:fs');
    const b = await buildFixtureBundle({ dir: at('padded'), payloadBytes: 5 * 1024 * 1024 + 3, sha256File: 'none' });
    appendFileSync(b.path, Buffer.alloc(3 * 1024 * 1024)); // more zero records than tar itself writes
    const whole = createHash('sha256').update(readFileSync(b.path)).digest('hex');
    for (let i = 0; i < 5; i++) expect((await verifyBundle(b.path, { expectedSha256: whole })).sha256).toBe(whole);
  });

  it('is required: a bundle with no sha256 to compare (pasted or beside it) is refused, naming its own', async () => {
    const b = await buildFixtureBundle({ dir: at('no-sum'), sha256File: 'none' });
    await expect(verifyBundle(b.path)).rejects.toThrow(
      new RegExp(`no sha256 to compare agent-mode-linux-amd64\\.tar with \\(its sha256 is ${b.sha256}\\)`),
    );
    expect((await verifyBundle(b.path, { expectedSha256: b.sha256 })).checksum).toEqual({ source: 'pasted', expected: b.sha256, ok: true });
  });
});
