import { execFileSync } from 'node:child_process';
import { createHash, randomBytes } from 'node:crypto';
import { createWriteStream, existsSync, mkdirSync, readdirSync, readFileSync, statSync, truncateSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { pipeline } from 'node:stream/promises';
import { pack as tarPack, type Header } from 'tar-stream';

/**
 * Builds `agent-mode-linux-<arch>.tar` with the real layout (device-contract §6): the stylus tree with
 * opt/spectrocloud/bin/palette-agent (a real ELF that runs the fixture's shell implementation), the
 * first-boot script with the sentinel logic, spectro unit files and their wants links, and a payload of
 * any size, streamed so that multi-GiB bundles cost no memory. Hostile variants exercise the bundle check.
 */
export type HostileKind =
  | 'path-traversal'
  | 'absolute-path'
  | 'escaping-symlink'
  | 'escaping-hardlink'
  | 'write-through-symlink'
  | 'device-node'
  | 'duplicate'
  | 'outside-roots'
  | 'truncated';

export interface FixtureBundleOptions {
  dir: string;
  arch?: 'amd64' | 'arm64';
  /** The architecture written in the agent binary's ELF header (default: arch). */
  binaryArch?: 'amd64' | 'arm64';
  version?: string;
  fips?: boolean;
  payloadBytes?: number;
  /**
   * 'pattern' (the default): a fixed 1 MiB pattern, which zstd shrinks too little per frame to ever be worth it.
   * 'realistic': like a real bundle, executables and libraries from this machine's own /usr/bin and /usr/lib
   * (which compress) mixed one to two with random bytes standing for container layers (already compressed).
   * Not known: how far a published agent-mode tar compresses (its contents and their mix are not documented);
   * this mix (zstd -3: about 0.51) is an assumption for the slow-link benchmark, not a measurement of one.
   */
  payload?: 'pattern' | 'realistic';
  fileName?: string;
  hostile?: HostileKind;
  /** Write a .sha256 beside the tar: its true sum, or a wrong one. */
  sha256File?: 'right' | 'wrong' | 'none';
  /** An agent whose install fails (it never starts): what a rollback is for. */
  failInstall?: boolean;
  /**
   * How long `palette-agent install` takes (seconds). A few by default, enough that sshd answers after the
   * reboot while the first-boot step still installs, as on a real host; tests of a long first boot use minutes.
   */
  installSeconds?: number;
}

export interface FixtureBundle {
  path: string;
  sha256: string;
  size: number;
  version: string;
}

const FIXTURE = join(__dirname, 'fixture');
const UNITS = [
  'spectro-init',
  'spectro-stylus-agent',
  'spectro-stylus-operator',
  ...['start', 'initramfs', 'boot', 'network', 'bootstrap'].map((u) => `spectro-palette-agent-${u}`),
];
const DEFAULTS = { mtime: new Date('2026-01-01T00:00:00Z'), uid: 0, gid: 0, uname: 'root', gname: 'root' };
const ELF_MACHINE = { amd64: 62, arm64: 183 } as const;

/** The wrapper ELF, compiled once per run with the machine's C compiler; arm64 differs only in e_machine. */
function agentBinary(cacheDir: string, arch: 'amd64' | 'arm64'): Buffer {
  const out = join(cacheDir, 'palette-agent-wrapper');
  if (!existsSync(out)) execFileSync('cc', ['-O2', '-o', out, join(FIXTURE, 'palette-agent-wrapper.c')]);
  const elf = Buffer.from(readFileSync(out));
  elf.writeUInt16LE(ELF_MACHINE[arch], 18);
  return elf;
}

/**
 * The first-boot unit behaves as the published one (device-contract §1): no Type= (a simple service:
 * started as soon as the script is forked, so the boot and sshd carry on while it installs), restarted
 * 5 s after a failure, and kept "active" after the script exits. The lab's boot (device-boot.sh) runs it so.
 */
const unitFile = (name: string) =>
  name === 'spectro-init'
    ? [
        '[Unit]',
        'Description=Palette agent first-boot install (fixture)',
        'Before=local-fs.target spectro-palette-agent-bootstrap.service',
        '',
        '[Service]',
        'ExecStart=/var/lib/spectro/spectro-init.sh',
        'User=root',
        'RemainAfterExit=yes',
        'Restart=on-failure',
        'RestartSec=5s',
        '',
        '[Install]',
        'WantedBy=local-fs.target',
        '',
      ].join('\n')
    : `[Unit]\nDescription=${name} (fixture)\n\n[Service]\nExecStart=/bin/sleep infinity\n\n[Install]\nWantedBy=multi-user.target\n`;

export async function buildFixtureBundle(opts: FixtureBundleOptions): Promise<FixtureBundle> {
  const arch = opts.arch ?? 'amd64';
  const version = opts.version ?? '4.7.9';
  const fips = opts.fips ?? false;
  const fileName = opts.fileName ?? `agent-mode-${fips ? 'fips-' : ''}linux-${arch}.tar`;
  mkdirSync(opts.dir, { recursive: true });
  const path = join(opts.dir, fileName);
  const pack = tarPack();
  const sink = createWriteStream(path);
  const hash = createHash('sha256');
  const done = pipeline(
    pack,
    async function* (source) {
      for await (const chunk of source) {
        hash.update(chunk as Buffer);
        yield chunk;
      }
    },
    sink,
  );

  const entry = (header: Partial<Header> & { name: string }, body: string | Buffer = '') =>
    new Promise<void>((resolve, reject) =>
      pack.entry({ ...DEFAULTS, ...header } as Header, body, (err) => (err ? reject(err) : resolve())),
    );
  const dir = (name: string) => entry({ name: `./${name}/`, type: 'directory', mode: 0o755 });
  const file = (name: string, body: string | Buffer, mode = 0o644) => entry({ name: `./${name}`, type: 'file', mode }, body);
  const link = (name: string, target: string) => entry({ name: `./${name}`, type: 'symlink', linkname: target, mode: 0o777 });

  const stylus = 'var/lib/spectro/stylus';
  for (const d of [
    'var',
    'var/lib',
    'var/lib/spectro',
    stylus,
    `${stylus}/opt`,
    `${stylus}/opt/spectrocloud`,
    `${stylus}/opt/spectrocloud/bin`,
    `${stylus}/opt/spectrocloud/scripts`,
    'etc',
    'etc/systemd',
    'etc/systemd/system',
  ])
    await dir(d);
  await file(`${stylus}/opt/spectrocloud/bin/palette-agent`, agentBinary(opts.dir, opts.binaryArch ?? arch), 0o755);
  await file(
    `${stylus}/opt/spectrocloud/bin/palette-agent.sh`,
    readFileSync(join(FIXTURE, 'palette-agent.sh'), 'utf8')
      .replace('@VERSION@', version)
      .replace('@FIPS@', String(fips))
      .replace('@FAIL_INSTALL@', String(!!opts.failInstall))
      .replace('@INSTALL_SECONDS@', String(opts.installSeconds ?? 3)),
    0o755,
  );
  await file(`${stylus}/opt/spectrocloud/scripts/support-bundle-edge.sh`, readFileSync(join(FIXTURE, 'support-bundle-edge.sh')), 0o755);
  await link(`${stylus}/opt/spectrocloud/bin/stylus-agent`, 'palette-agent'); // ordinary links exist in the real tree
  await file('var/lib/spectro/spectro-init.sh', readFileSync(join(FIXTURE, 'spectro-init.sh')), 0o755);
  for (const u of UNITS) await file(`etc/systemd/system/${u}.service`, unitFile(u));
  for (const [target, units] of [
    ['multi-user.target.wants', UNITS.filter((u) => u !== 'spectro-init')],
    ['local-fs.target.wants', ['spectro-init']],
    ['sysinit.target.wants', ['spectro-palette-agent-initramfs']],
  ] as const) {
    await dir(`etc/systemd/system/${target}`);
    for (const u of units) await link(`etc/systemd/system/${target}/${u}.service`, `/etc/systemd/system/${u}.service`);
  }

  switch (opts.hostile) {
    case 'path-traversal':
      await file('var/lib/spectro/../../../etc/cron.d/evil', '* * * * * root touch /tmp/pwned\n');
      break;
    case 'absolute-path':
      await entry({ name: '/etc/cron.d/evil', type: 'file', mode: 0o644 }, 'evil\n');
      break;
    case 'escaping-symlink':
      await link('var/lib/spectro/stylus/escape', '../../../../etc');
      break;
    case 'escaping-hardlink':
      await entry({ name: './var/lib/spectro/shadow-copy', type: 'link', linkname: 'etc/shadow', mode: 0o644 });
      break;
    case 'write-through-symlink':
      await link('var/lib/spectro/stylus/hop', '/etc/cron.d');
      await file('var/lib/spectro/stylus/hop/evil', 'evil\n');
      break;
    case 'device-node':
      await entry({ name: './var/lib/spectro/stylus/dev-sda', type: 'block-device', devmajor: 8, devminor: 0, mode: 0o660 });
      break;
    case 'duplicate':
      await file('var/lib/spectro/spectro-init.sh', '#!/bin/sh\necho replaced\n', 0o755);
      break;
    case 'outside-roots':
      await file('usr/local/bin/extra-tool', '#!/bin/sh\n', 0o755);
      break;
  }

  const payload = opts.payloadBytes ?? 64 * 1024;
  if (payload > 0)
    await streamEntry(
      pack,
      `./${stylus}/opt/spectrocloud/payload.img`,
      payload,
      opts.payload === 'realistic' ? realisticChunks() : undefined,
    );
  pack.finalize();
  await done;
  const sha256 = hash.digest('hex');
  if (opts.hostile === 'truncated') truncateSync(path, Math.floor(statSync(path).size / 2));
  const finalSha = opts.hostile === 'truncated' ? createHash('sha256').update(readFileSync(path)).digest('hex') : sha256;
  if ((opts.sha256File ?? 'right') !== 'none') {
    const sum = opts.sha256File === 'wrong' ? createHash('sha256').update('not this bundle').digest('hex') : finalSha;
    writeFileSync(`${path}.sha256`, `${sum}  ${fileName}\n`);
  }
  return { path, sha256: finalSha, size: statSync(path).size, version };
}

/** A large entry written chunk by chunk (deterministic bytes), honouring back-pressure. */
/** This machine's executables and libraries over 64 KiB, in a fixed order. */
function systemFiles(): string[] {
  const out: string[] = [];
  const walk = (dir: string, depth: number) => {
    let names: string[];
    try {
      names = readdirSync(dir).sort();
    } catch {
      return;
    }
    for (const n of names) {
      const p = join(dir, n);
      try {
        const st = statSync(p);
        if (st.isDirectory() && depth < 2) walk(p, depth + 1);
        else if (st.isFile() && st.size > 64 * 1024) out.push(p);
      } catch {
        // unreadable or vanished: skip
      }
    }
  };
  for (const d of ['/usr/bin', '/usr/sbin', '/usr/lib']) walk(d, 0);
  return out;
}

/** 1 MiB chunks: 8 MiB of system files, then 4 MiB of random bytes, and again (the files are reused in a cycle). */
function realisticChunks(): () => Buffer {
  const files = systemFiles();
  if (!files.length) throw new Error('fixture: no system files to build a realistic payload from');
  let file = 0;
  let current = Buffer.alloc(0);
  let at = 0;
  let n = 0;
  return () => {
    if (n++ % 12 >= 8) return randomBytes(2 ** 20);
    const chunk = Buffer.allocUnsafe(2 ** 20);
    let filled = 0;
    while (filled < chunk.length) {
      if (at >= current.length) {
        try {
          current = readFileSync(files[file++ % files.length]!);
        } catch {
          current = Buffer.alloc(0);
        }
        at = 0;
        continue;
      }
      const take = Math.min(chunk.length - filled, current.length - at);
      current.copy(chunk, filled, at, at + take);
      filled += take;
      at += take;
    }
    return chunk;
  };
}

async function streamEntry(pack: ReturnType<typeof tarPack>, name: string, size: number, next?: () => Buffer): Promise<void> {
  const fixed = Buffer.alloc(1024 * 1024);
  for (let i = 0; i < fixed.length; i += 4) fixed.writeUInt32LE((i * 2654435761) >>> 0, i);
  await new Promise<void>((resolve, reject) => {
    const stream = pack.entry({ name, size, type: 'file', mode: 0o644, mtime: new Date('2026-01-01T00:00:00Z') }, (err) =>
      err ? reject(err) : resolve(),
    );
    let left = size;
    const write = () => {
      while (left > 0) {
        const chunk = next ? next() : fixed;
        const part = left >= chunk.length ? chunk : chunk.subarray(0, left);
        left -= part.length;
        if (!stream.write(part)) {
          stream.once('drain', write);
          return;
        }
      }
      stream.end(Buffer.alloc(0));
    };
    write();
  });
}
