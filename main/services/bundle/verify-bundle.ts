import { createHash } from 'node:crypto';
import { createReadStream, existsSync, readFileSync, statSync } from 'node:fs';
import { basename, posix } from 'node:path';
import { extract } from 'tar-stream';
import { AppError } from '../../../common/errors';
import type { Arch } from '../../../common/model/host-facts';
import { TarHeaderWalker } from './tar-headers';

/**
 * The bundle check, before anything is sent: the tar is read once as a stream, never extracted. It
 * recognises the agent-mode layout, reads the agent binary's architecture from its ELF header, refuses
 * every entry that could write outside the agent's folders, and computes the sha256 on the way.
 */
export interface BundleInfo {
  fileName: string;
  path: string;
  size: number;
  sha256: string;
  checksum: { source: 'sha256-file' | 'pasted' | 'none'; expected: string | null; ok: boolean | null };
  arch: Arch;
  nameArch: Arch | null;
  /**
   * What the file NAME says. Never used to decide anything: the documented FIPS download saves a FIPS tar
   * under the standard name; the flavour is read from the staged agent's own `version` output.
   */
  nameSaysFips: boolean;
  entries: number;
  agentBinaryBytes: number;
  /** Every member as the check read it (f file or hard link, d directory, l symlink): the staged extraction must match. */
  listing: BundleMember[];
}

export interface BundleMember {
  path: string;
  type: 'f' | 'd' | 'l';
}

export const ALLOWED_ROOTS = ['var/lib/spectro/', 'etc/systemd/system/'];
const STYLUS = 'var/lib/spectro/stylus/';
const AGENT = 'var/lib/spectro/stylus/opt/spectrocloud/bin/palette-agent';
const REQUIRED = [AGENT, 'var/lib/spectro/spectro-init.sh', 'etc/systemd/system/spectro-init.service'];
const NAME = /^agent-mode-(fips-)?linux-(amd64|arm64)\.tar$/;

const reject = (
  message: string,
  fix = 'Use the agent-mode tar exactly as published by Spectro Cloud, and check how it was carried to site.',
) => new AppError({ code: 'INVALID_INPUT', message, fix, data: { check: 'bundle' } });

/** "./var/lib/x" → "var/lib/x"; null for absolute paths or any ".." (never resolved away). */
export function entryPath(raw: string): string | null {
  if (raw.startsWith('/')) return null;
  const parts = raw.split('/').filter((p) => p !== '' && p !== '.');
  if (parts.includes('..')) return null;
  return parts.join('/');
}

function insideRoots(p: string, isDir: boolean): boolean {
  const withSlash = p + '/';
  // The folders on the way to a root are fine as directories (var/, var/lib/, etc/systemd/ ...).
  if (isDir && ALLOWED_ROOTS.some((r) => r.startsWith(withSlash))) return true;
  return ALLOWED_ROOTS.some((r) => withSlash.startsWith(r));
}

/** Where a symlink points, as a path from / (a stylus-internal absolute target stays in the stylus tree). */
export function linkTarget(linkPath: string, target: string): string | null {
  if (target.startsWith('/')) {
    const abs = posix.normalize(target).slice(1);
    if (ALLOWED_ROOTS.some((r) => (abs + '/').startsWith(r))) return abs;
    // The stylus tree is an OS image: its absolute links mean paths inside that image.
    return linkPath.startsWith(STYLUS) ? posix.normalize(STYLUS + abs) : null;
  }
  const resolved = posix.normalize(posix.join(posix.dirname(linkPath), target));
  return resolved.startsWith('..') ? null : resolved;
}

export function archFromElf(head: Buffer): Arch | null {
  if (head.length < 20 || head.readUInt32BE(0) !== 0x7f454c46) return null;
  const machine = head[5] === 2 ? head.readUInt16BE(18) : head.readUInt16LE(18);
  return machine === 62 ? 'amd64' : machine === 183 ? 'arm64' : 'other';
}

export function readSha256File(path: string): string | null {
  const file = `${path}.sha256`;
  if (!existsSync(file)) return null;
  const m = /^([a-f0-9]{64})\b/i.exec(readFileSync(file, 'utf8').trim());
  return m ? m[1]!.toLowerCase() : null;
}

/** The check reads at least this fast, or it is stopped (a hostile archive can make a parser spin). */
const MIN_BYTES_PER_SEC = 20 * 1024 * 1024;

export async function verifyBundle(
  path: string,
  opts: { expectedSha256?: string; deviceArch?: Arch; deadlineMs?: number } = {},
): Promise<BundleInfo> {
  if (!existsSync(path) || !statSync(path).isFile())
    throw reject(`No bundle file at ${path}.`, 'Choose the agent-mode-linux-<arch>.tar file.');
  const fileName = basename(path);
  const nameMatch = NAME.exec(fileName);
  const size = statSync(path).size;
  const hash = createHash('sha256');
  const seen = new Map<string, 'file' | 'directory' | 'symlink' | 'link'>();
  const symlinks: string[] = [];
  let agentHead: Buffer | null = null;
  let agentBytes = 0;
  let entries = 0;
  const listing: BundleMember[] = [];
  const walker = new TarHeaderWalker();
  const deadlineMs = opts.deadlineMs ?? 60_000 + (size / MIN_BYTES_PER_SEC) * 1000;

  await new Promise<void>((resolve, rejectPromise) => {
    const ex = extract();
    const input = createReadStream(path, { highWaterMark: 1024 * 1024 });
    let failed = false;
    const deadline = setTimeout(
      () =>
        fail(
          reject(
            `The bundle check did not finish within ${Math.round(deadlineMs / 1000)} s: the archive is damaged or built to stall a reader.`,
          ),
        ),
      deadlineMs,
    );
    const fail = (err: Error) => {
      if (failed) return;
      failed = true;
      clearTimeout(deadline);
      input.destroy();
      ex.destroy();
      rejectPromise(err);
    };
    input.on('data', (chunk) => {
      hash.update(chunk as Buffer);
      try {
        walker.write(chunk as Buffer);
      } catch (err) {
        fail(err as Error);
      }
    });
    ex.on('entry', (header, stream, next) => {
      entries++;
      const p = entryPath(header.name);
      const check = (): AppError | null => {
        if (p === null)
          return reject(
            header.name.startsWith('/')
              ? `The bundle has an absolute path, ${header.name}: it would write outside the agent's folders.`
              : `The bundle has a path that climbs out with "..": ${header.name}.`,
          );
        if (p === '') return null; // "./" itself
        const type = header.type ?? 'file';
        // GNU tar reads no data for these whatever the size field says; tar-stream would: refuse the difference.
        if ((type === 'directory' || type === 'symlink' || type === 'link') && (header.size ?? 0) > 0)
          return reject(
            `The bundle's ${type} ${p} declares ${header.size} bytes of data: GNU tar and the bundle check would read the rest differently.`,
          );
        if (type === 'character-device' || type === 'block-device' || type === 'fifo')
          return reject(`The bundle holds a device node or pipe, ${p}: an agent bundle never does.`);
        if (!['file', 'contiguous-file', 'directory', 'symlink', 'link'].includes(type))
          return reject(`The bundle holds an entry of an unexpected type (${type}): ${p}.`);
        if (!insideRoots(p, type === 'directory'))
          return reject(`The bundle writes outside /var/lib/spectro and /etc/systemd/system: ${p}.`);
        if (seen.has(p)) return reject(`The bundle has ${p} twice: a later copy would silently replace the first.`);
        const through = symlinks.find((l) => p.startsWith(l + '/'));
        if (through)
          return reject(
            `The bundle writes ${p} through the symlink ${through} it created earlier: that could land anywhere on the device.`,
          );
        if (type === 'symlink') {
          const target = linkTarget(p, header.linkname ?? '');
          if (target === null || !insideRoots(target, false))
            return reject(`The symlink ${p} → ${header.linkname} points outside the agent's folders.`);
          symlinks.push(p);
        }
        if (type === 'link') {
          const target = entryPath(header.linkname ?? '');
          if (target === null || seen.get(target) !== 'file')
            return reject(`The hard link ${p} → ${header.linkname} does not point to a file of the bundle.`);
        }
        seen.set(p, type === 'contiguous-file' ? 'file' : (type as 'file'));
        listing.push({ path: p, type: type === 'directory' ? 'd' : type === 'symlink' ? 'l' : 'f' });
        return null;
      };
      const problem = check();
      if (problem) {
        stream.resume();
        fail(problem);
        return;
      }
      const isAgent = p === AGENT;
      stream.on('data', (data: unknown) => {
        const chunk = data as Buffer;
        if (isAgent) {
          agentBytes += chunk.length;
          if (!agentHead || agentHead.length < 64) agentHead = Buffer.concat([agentHead ?? Buffer.alloc(0), chunk]).subarray(0, 64);
        }
      });
      stream.on('end', next);
      stream.on('error', fail);
    });
    // Done only when the archive has ended AND every byte of the file was hashed (tar-stream may
    // finish at the end-of-archive blocks, before the padding after them has been read).
    let finished = false;
    let hashed = false;
    const maybeDone = () => {
      if (!finished || !hashed || failed) return;
      clearTimeout(deadline);
      resolve();
    };
    ex.on('finish', () => {
      finished = true;
      maybeDone();
    });
    input.on('end', () => {
      hashed = true;
      maybeDone();
    });
    ex.on('error', (err) =>
      fail(
        /Unexpected end|premature|truncat|Invalid tar header/i.test(err.message)
          ? reject(
              `The bundle is truncated or damaged (${err.message}): it was not copied completely.`,
              'Copy the bundle again from its source and compare its sha256.',
            )
          : err,
      ),
    );
    input.on('error', fail);
    input.pipe(ex);
  });

  // The two readers must have read the same members, in the same order.
  walker.end();
  const raw = walker.members.map((m) => entryPath(m.name)).filter((p): p is string => p !== null && p !== '');
  const mine = listing.map((m) => m.path);
  const differs = raw.findIndex((p, i) => p !== mine[i]);
  if (raw.length !== mine.length || differs >= 0)
    throw reject(
      `The bundle's members read differently by two tar readers (${differs >= 0 ? `${raw[differs]} / ${mine[differs] ?? 'nothing'}` : `${raw.length} / ${mine.length} members`}): GNU tar on the device could unpack something the check never saw.`,
    );
  const missing = REQUIRED.filter((r) => seen.get(r) !== 'file');
  if (missing.length)
    throw reject(
      `This is not an agent-mode bundle: ${missing.join(', ')} ${missing.length > 1 ? 'are' : 'is'} missing.`,
      'Choose the agent-mode-linux-<arch>.tar release file.',
    );
  const arch = agentHead ? archFromElf(agentHead) : null;
  if (!arch || arch === 'other') throw reject('The agent binary in the bundle is not an AMD64 or ARM64 Linux program.');
  const nameArch = nameMatch ? (nameMatch[2] as Arch) : null;
  if (nameArch && nameArch !== arch)
    throw reject(
      `The file is named for ${nameArch} but its agent is built for ${arch}.`,
      `Use agent-mode-linux-${arch}.tar under its own name, or the ${nameArch} bundle.`,
    );
  if (opts.deviceArch && opts.deviceArch !== arch)
    throw reject(
      `The bundle's agent is built for ${arch}, the device is ${opts.deviceArch}.`,
      `Use agent-mode-linux-${opts.deviceArch}.tar.`,
    );

  const sha256 = hash.digest('hex');
  const pasted = opts.expectedSha256?.trim().toLowerCase();
  const fromFile = readSha256File(path);
  const expected = pasted || fromFile;
  const checksum = {
    source: pasted ? ('pasted' as const) : fromFile ? ('sha256-file' as const) : ('none' as const),
    expected: expected ?? null,
    ok: expected ? expected === sha256 : null,
  };
  if (checksum.ok === false) {
    throw reject(
      `The bundle's sha256 is ${sha256}, not ${expected} (${checksum.source === 'pasted' ? 'the value you pasted' : `${fileName}.sha256`}).`,
      'The file was damaged or replaced on its way: copy it again from its source.',
    );
  }
  // Without a sha256 to compare, a damaged or swapped file would be installed on every device of the visit.
  if (checksum.source === 'none')
    throw reject(
      `There is no sha256 to compare ${fileName} with (its sha256 is ${sha256}).`,
      `Paste the sha256 published with the release into "Expected sha256", or put ${fileName}.sha256 (from the release) beside the bundle.`,
    );
  return {
    fileName,
    path,
    size,
    sha256,
    checksum,
    arch,
    nameArch,
    nameSaysFips: !!nameMatch?.[1],
    entries,
    agentBinaryBytes: agentBytes,
    listing,
  };
}
