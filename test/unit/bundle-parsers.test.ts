import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { buildFixtureBundle } from '../../e2e/lab/fixture-bundle';
import { verifyBundle } from '../../main/services/bundle/verify-bundle';
import { parseFindListing, stagedDifferences } from '../../main/services/bundle/staged-listing';

/**
 * The bundle check and GNU tar on the device must read the same archive. Each case below is a hand-built
 * archive that GNU tar reads differently from a naive check (proved with GNU tar itself: it would unpack
 * etc/cron.d/evil), put in front of a good bundle; the check refuses each with a specific message.
 */
const dir = mkdtempSync(join(tmpdir(), 'eai-tarparse-'));

/** One ustar header block. */
function header(name: string, type: string, size: number, linkname = ''): Buffer {
  const h = Buffer.alloc(512);
  h.write(name, 0, 100, 'utf8');
  h.write('0000644\0', 100, 'latin1');
  h.write('0000000\0', 108, 'latin1');
  h.write('0000000\0', 116, 'latin1');
  h.write(size.toString(8).padStart(11, '0') + '\0', 124, 'latin1');
  h.write('00000000000\0', 136, 'latin1');
  h.write(type, 156, 'latin1');
  h.write(linkname, 157, 100, 'utf8');
  h.write('ustar\0', 257, 'latin1');
  h.write('00', 263, 'latin1');
  h.fill(0x20, 148, 156);
  let sum = 0;
  for (const b of h) sum += b;
  h.write(sum.toString(8).padStart(6, '0') + '\0 ', 148, 'latin1');
  return h;
}
const pad = (b: Buffer) => Buffer.concat([b, Buffer.alloc((512 - (b.length % 512)) % 512)]);
const pax = (records: Record<string, string>) =>
  Buffer.from(
    Object.entries(records)
      .map(([k, v]) => {
        const body = ` ${k}=${v}\n`;
        let len = body.length + 2;
        while (`${len}${body}`.length !== len) len++;
        return `${len}${body}`;
      })
      .join(''),
  );
/** What GNU tar would unpack if it read the data below as a header: a member the check never saw. */
const evil = () => pad(header('etc/cron.d/evil', '0', 0));

describe('the bundle check reads the archive as GNU tar does, or refuses it', () => {
  let good: Buffer;
  let goodPath: string;
  beforeAll(async () => {
    const b = await buildFixtureBundle({ dir: join(dir, 'good') });
    goodPath = b.path;
    good = readFileSync(b.path);
  });
  const write = (name: string, front: Buffer) => {
    const p = join(dir, name, 'agent-mode-linux-amd64.tar');
    execFileSync('mkdir', ['-p', join(dir, name)]);
    writeFileSync(p, Buffer.concat([front, good]));
    return p;
  };

  it('GNU tar itself unpacks the hidden member from these archives (the cases are real), though `tar -t` may not list it', () => {
    for (const [name, entry] of [
      ['proof-symlink', header('var/lib/spectro/stylus/l', '2', 1024, 'x')],
      ['proof-dir', header('var/lib/spectro/d/', '5', 1024)],
    ] as const) {
      const p = write(name, Buffer.concat([entry, evil(), Buffer.alloc(512)]));
      const out = join(dir, name, 'x');
      execFileSync('mkdir', ['-p', out]);
      execFileSync('tar', ['-xf', p, '-C', out]);
      expect(execFileSync('find', [out, '-path', '*etc/cron.d/evil'], { encoding: 'utf8' }), name).toContain('etc/cron.d/evil');
    }
    // Listing and extracting differ in GNU tar itself for the symlink: hence the comparison of the staged tree.
    expect(execFileSync('tar', ['-tf', join(dir, 'proof-symlink', 'agent-mode-linux-amd64.tar')], { encoding: 'utf8' })).not.toContain(
      'evil',
    );
  });

  const CASES: [string, () => Buffer, RegExp][] = [
    [
      'a global pax header carrying path=',
      () => {
        const data = pax({ path: 'etc/cron.d/evil' });
        return Buffer.concat([header('pax_global_header', 'g', data.length), pad(data)]);
      },
      /global pax header: GNU tar and the bundle check would read different member names/,
    ],
    [
      'a symlink that declares a size',
      () => Buffer.concat([header('var/lib/spectro/stylus/l', '2', 1024, 'x'), evil(), Buffer.alloc(512)]),
      /symlink var\/lib\/spectro\/stylus\/l declares 1024 bytes of data/,
    ],
    [
      'a hard link that declares a size',
      () => Buffer.concat([header('var/lib/spectro/h', '1', 1024, 'var/lib/spectro/spectro-init.sh'), evil(), Buffer.alloc(512)]),
      /hard link var\/lib\/spectro\/h declares 1024 bytes of data/,
    ],
    [
      'a directory that declares a size (it also hung the old check)',
      () => Buffer.concat([header('var/lib/spectro/d/', '5', 1024), evil(), Buffer.alloc(512)]),
      /directory var\/lib\/spectro\/d\/ declares 1024 bytes of data/,
    ],
    [
      'a pax keyword the check does not handle',
      () => {
        const data = pax({ 'SCHILY.xattr.security.capability': 'x', path: 'var/lib/spectro/cap' });
        return Buffer.concat([header('PaxHeaders/cap', 'x', data.length), pad(data), header('var/lib/spectro/cap', '0', 0)]);
      },
      /pax keywords the bundle check does not handle \(SCHILY\.xattr\.security\.capability\)/,
    ],
  ];
  it.each(CASES)('refuses %s', async (name, front, message) => {
    await expect(verifyBundle(write(name.replace(/\W+/g, '-'), front()))).rejects.toThrow(message);
  });

  it('accepts the pax keywords it handles (a long path through pax, mtime) and lists the member by that path', async () => {
    const long = `var/lib/spectro/stylus/${'deep/'.repeat(25)}file`;
    const data = pax({ path: long, mtime: '1700000000.5' });
    const p = write('pax-ok', Buffer.concat([header('PaxHeaders/f', 'x', data.length), pad(data), header('short-name', '0', 0)]));
    const { createHash } = await import('node:crypto');
    const info = await verifyBundle(p, { expectedSha256: createHash('sha256').update(readFileSync(p)).digest('hex') });
    expect(info.listing[0]).toEqual({ path: long, type: 'f' });
    expect(execFileSync('tar', ['-tf', p], { encoding: 'utf8' }).split('\n')[0]).toBe(long);
  });

  it('stops at its deadline instead of reading on', async () => {
    await expect(verifyBundle(goodPath, { deadlineMs: 1 })).rejects.toThrow(/did not finish within 0 s/);
  });

  it('lists exactly what GNU tar lists for the good fixture, with the same types', async () => {
    const info = await verifyBundle(goodPath);
    const gnu = execFileSync('tar', ['-tvf', goodPath], { encoding: 'utf8' })
      .trim()
      .split('\n')
      .map((l) => {
        const name = l
          .split(/\s+/)
          .slice(5)
          .join(' ')
          .replace(/ -> .*$/, '')
          .replace(/ link to .*$/, '');
        const t = l[0] === 'd' ? 'd' : l[0] === 'l' ? 'l' : 'f';
        return { path: name.replace(/^\.\//, '').replace(/\/$/, ''), type: t };
      })
      .filter((m) => m.path !== '' && m.path !== '.');
    expect(info.listing).toEqual(gnu);
  });
});

describe('the staged extraction against the verified listing', () => {
  const verified = [
    { path: 'var/lib/spectro/spectro-init.sh', type: 'f' as const },
    { path: 'var/lib/spectro/stylus/opt', type: 'd' as const },
    { path: 'var/lib/spectro/stylus/link', type: 'l' as const },
  ];
  it('accepts the same members, and folders tar made on the way to them', () => {
    const staged = parseFindListing(
      'd var\nd var/lib\nd var/lib/spectro\nf var/lib/spectro/spectro-init.sh\nd var/lib/spectro/stylus\nd var/lib/spectro/stylus/opt\nl var/lib/spectro/stylus/link\n',
    );
    expect(stagedDifferences(verified, staged)).toEqual([]);
  });
  it('names what is missing, extra, or of another type', () => {
    const staged = parseFindListing('f var/lib/spectro/spectro-init.sh\nf var/lib/spectro/stylus/opt\nd etc\nf etc/cron.d/evil\n');
    expect(stagedDifferences(verified, staged)).toEqual([
      'var/lib/spectro/stylus/opt is a file, not a directory',
      'var/lib/spectro/stylus/link is missing',
      'etc was not in the verified bundle',
      'etc/cron.d/evil was not in the verified bundle',
    ]);
  });
});
