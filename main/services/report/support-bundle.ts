import { createHash, randomBytes } from 'node:crypto';
import { createWriteStream, existsSync, mkdirSync, readFileSync, renameSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { pipeline } from 'node:stream/promises';
import { createGunzip, createGzip } from 'node:zlib';
import { Readable } from 'node:stream';
import type { SFTPWrapper } from 'ssh2';
import tar from 'tar-stream';
import type { SupportBundleView } from '../../../common/contract';
import { AppError } from '../../../common/errors';
import { redact } from '../../../common/redact';
import { shQuote } from '../../../common/shell/quote';
import type { SshSession } from '../ssh/session';

/** Largest file kept from the device, after unpacking: a support bundle has to travel by mail or USB stick. */
const MAX_ENTRY = 32 * 2 ** 20;
const MAX_DOWNLOAD = 512 * 2 ** 20;

/**
 * Runs on the device as root. The device's own support-bundle script runs when it is there (its tar.gz
 * is found as the newest under /tmp after it); the basics support asks for first are always collected
 * beside it. Everything is packed into one tar.gz readable by the login user, for SFTP.
 */
export function collectScript(loginUser: string): string {
  return `set -u; PATH=$PATH:/usr/local/sbin:/usr/sbin:/sbin; export LC_ALL=C
d=$(mktemp -d /tmp/eai-support.XXXXXX) || exit 1; chmod 700 "$d"; mkdir -p "$d/logs" "$d/state"
root=$(sed -n 's/^[[:space:]]*\\(export[[:space:]]*\\)\\{0,1\\}STYLUS_ROOT=["\\x27]*\\(\\/[^"\\x27]*\\).*/\\2/p' /etc/spectro/environment 2>/dev/null | tail -n 1); root=\${root:-/}
script="$root/opt/spectrocloud/scripts/support-bundle-edge.sh"
if [ -x "$script" ]; then
  touch "$d/.mark"; (cd /tmp && timeout 600 "$script") > "$d/state/support-bundle-edge.out" 2>&1
  newest=$(find /tmp -maxdepth 1 -name '*.tar.gz' -newer "$d/.mark" -type f 2>/dev/null | head -n 1)
  [ -n "$newest" ] && mv "$newest" "$d/device-support-bundle.tar.gz"
fi
journalctl -u 'spectro*' --no-pager -n 20000 > "$d/logs/journal-spectro.txt" 2>&1
for f in /var/log/stylus-upgrade.log /var/log/kube-init.log /var/log/kube-join.log /var/log/kube-upgrade.log /var/log/stylus-audit.log; do [ -f "$f" ] && tail -c 16000000 "$f" > "$d/logs/\${f##*/}"; done
lsblk > "$d/state/lsblk.txt" 2>&1; ip addr > "$d/state/ip-addr.txt" 2>&1; df -h > "$d/state/df.txt" 2>&1
cat /etc/os-release > "$d/state/os-release.txt" 2>&1
systemctl status --no-pager 'spectro*' > "$d/state/units.txt" 2>&1
"$root/opt/spectrocloud/bin/palette-agent" version > "$d/state/agent-version.txt" 2>&1
[ -f /var/lib/spectro/userdata ] && cp /var/lib/spectro/userdata "$d/state/userdata.yaml"
rm -f "$d/.mark"; out=$(mktemp /tmp/eai-support-XXXXXX.tar.gz) || exit 1
tar -czf "$out" -C "$d" . && rm -rf "$d" && chown ${shQuote(loginUser)} "$out" && chmod 600 "$out" && echo "EAI-BUNDLE $out"`;
}

interface Entry {
  name: string;
  data: Buffer;
}

/** Collects one device's support bundle: run the script, download, unpack, redact each text file, pack with a manifest. */
export async function collectSupportBundle(o: {
  session: SshSession;
  asRoot: boolean;
  loginUser: string;
  label: string;
  outDir: string;
  secrets: (string | undefined)[];
  journal?: { runId: string; text: string };
}): Promise<SupportBundleView> {
  const r = await o.session.sudo(collectScript(o.loginUser), { asRoot: o.asRoot, timeoutMs: 900_000 });
  const remote = /^EAI-BUNDLE (\/tmp\/eai-support-[A-Za-z0-9]+\.tar\.gz)$/m.exec(r.stdout)?.[1];
  if (!remote) {
    throw new AppError({
      code: 'COMMAND_FAILED',
      message: `Collecting the support bundle failed on ${o.label} (exit ${r.code}).`,
      fix: 'Check free space under /tmp on the device, then try again.',
      detail: redact(r.stderr || r.stdout, o.secrets).slice(-4000),
    });
  }
  let packed: Buffer;
  try {
    packed = await download(o.session, remote);
  } finally {
    await o.session.exec(`rm -f ${shQuote(remote)}`).catch(() => undefined);
  }

  const kept: Entry[] = [];
  const notes: SupportBundleView['entries'] = [];
  for (const e of await untar(packed)) {
    if (e.name === 'device-support-bundle.tar.gz') {
      // The device's own bundle is unpacked one level so that each of its files is redacted too.
      for (const inner of await untar(e.data).catch(() => [])) keep(`device/support-bundle-edge/${inner.name}`, inner.data);
    } else keep(`device/${e.name}`, e.data);
  }
  if (o.journal) keep(`journal/${o.journal.runId}.jsonl`, Buffer.from(o.journal.text));

  function keep(name: string, data: Buffer) {
    if (data.length > MAX_ENTRY)
      return notes.push({ name, size: data.length, sha256: sha(data), note: `left out: larger than ${MAX_ENTRY / 2 ** 20} MiB` });
    if (!isText(data))
      return notes.push({ name, size: data.length, sha256: sha(data), note: 'left out: binary content cannot be checked for secrets' });
    kept.push({ name, data: Buffer.from(redact(data.toString('utf8'), o.secrets)) });
  }

  const entries = [...kept.map((e) => ({ name: e.name, size: e.data.length, sha256: sha(e.data) })), ...notes];
  const manifest = { format: 'eai-support-bundle/1', device: o.label, createdAt: new Date().toISOString(), redacted: true, entries };
  mkdirSync(o.outDir, { recursive: true, mode: 0o700 });
  const fileName = `${o.label.replace(/[^A-Za-z0-9.-]+/g, '_').slice(0, 60)}-${new Date().toISOString().replace(/[:.]/g, '-')}-${randomBytes(2).toString('hex')}.tar.gz`;
  const path = join(o.outDir, fileName);
  await pack([{ name: 'manifest.json', data: Buffer.from(JSON.stringify(manifest, null, 2) + '\n') }, ...kept], path);
  return { fileName, path, size: statSync(path).size, sha256: sha(readFileSync(path)), entries };
}

function sha(b: Buffer): string {
  return createHash('sha256').update(b).digest('hex');
}

function isText(b: Buffer): boolean {
  if (b.subarray(0, 65536).includes(0)) return false;
  return !b.toString('utf8').includes('\uFFFD');
}

function download(session: SshSession, remote: string): Promise<Buffer> {
  return new Promise((resolve, reject) =>
    session.client.sftp((err, sftp: SFTPWrapper) => {
      if (err)
        return reject(
          new AppError({
            code: 'NOT_CONNECTED',
            message: `The device refused a file transfer session: ${err.message}`,
            fix: 'Check that sshd has the sftp subsystem enabled.',
          }),
        );
      const chunks: Buffer[] = [];
      let size = 0;
      const stream = sftp.createReadStream(remote);
      stream.on('data', (c: Buffer) => {
        size += c.length;
        if (size > MAX_DOWNLOAD) stream.destroy(new Error(`the support bundle is larger than ${MAX_DOWNLOAD / 2 ** 20} MiB`));
        else chunks.push(c);
      });
      stream.on('error', (e: Error) => {
        sftp.end();
        reject(
          new AppError({
            code: 'COMMAND_FAILED',
            message: `Downloading the support bundle failed: ${e.message}.`,
            fix: 'Try again; if it is too large, clear old logs on the device.',
          }),
        );
      });
      stream.on('end', () => {
        sftp.end();
        resolve(Buffer.concat(chunks));
      });
    }),
  );
}

/** Reads a tar.gz held in memory; regular files only (links and devices carry nothing to read). */
async function untar(gz: Buffer): Promise<Entry[]> {
  const out: Entry[] = [];
  const extract = tar.extract();
  extract.on('entry', (header, stream, next) => {
    const chunks: Buffer[] = [];
    stream.on('data', (c: unknown) => void chunks.push(c as Buffer));
    stream.on('end', () => {
      const name = header.name.replace(/^\.\//, '');
      if (header.type === 'file' && name && !name.split('/').includes('..')) out.push({ name, data: Buffer.concat(chunks) });
      next();
    });
    stream.resume();
  });
  await pipeline(Readable.from([gz]), createGunzip(), extract);
  return out;
}

async function pack(entries: Entry[], path: string): Promise<void> {
  const p = tar.pack();
  const part = `${path}.part`;
  const done = pipeline(p, createGzip(), createWriteStream(part, { mode: 0o600 }));
  for (const e of entries) p.entry({ name: e.name, size: e.data.length, mode: 0o600, mtime: new Date() }, e.data);
  p.finalize();
  await done;
  renameSync(part, path);
}

export function supportBundlePath(outDir: string, fileName: string): string {
  const path = join(outDir, fileName);
  if (!existsSync(path))
    throw new AppError({ code: 'NOT_FOUND', message: `There is no support bundle ${fileName}.`, fix: 'Collect it again.' });
  return path;
}
