import { RateMeter } from '../../../common/rate';
import { open as openLocal } from 'node:fs/promises';
import type { SFTPWrapper } from 'ssh2';
import { AppError } from '../../../common/errors';
import { shQuote } from '../../../common/shell/quote';
import type { SshSession } from '../ssh/session';

export interface UploadProgress {
  bytes: number; // on the device so far
  total: number;
  rateBytesPerSec: number;
  etaSeconds: number | null;
}

export interface UploadResult {
  remotePath: string;
  /** Where this attempt started: > 0 when an earlier .part was continued. */
  resumedFrom: number;
  /** Bytes this attempt sent (a matching file already there sends none). */
  bytesSent: number;
  skipped: boolean;
  /** Time on the wire, and time the device took to hash what it received. */
  transferMs: number;
  verifyMs: number;
}

export interface UploadOptions {
  session: SshSession;
  localPath: string;
  size: number;
  sha256: string;
  remoteDir: string;
  remoteName: string;
  onProgress?: (p: UploadProgress) => void;
  signal?: AbortSignal;
  /** No acknowledgement from the device for this long means the link is gone. */
  stallMs?: number;
  chunkBytes?: number;
  inFlight?: number;
  /** Progress at most this often (the UI needs no more than a few a second). */
  progressEveryMs?: number;
}

/**
 * Sends the bundle over SFTP into a staging folder: to `<name>.part`, continued from its size after a
 * cut or a restart, with many writes in flight (chunk size matters most for speed), progress throttled
 * for the UI, then the sha256 computed on the device before the .part is renamed. A file already there
 * with the right sum is not sent again.
 */
export async function uploadBundle(o: UploadOptions): Promise<UploadResult> {
  const finalPath = `${o.remoteDir}/${o.remoteName}`;
  const partPath = `${finalPath}.part`;
  const prep = await o.session.exec(
    `mkdir -p ${shQuote(o.remoteDir)} && cd ${shQuote(o.remoteDir)} && df -Pk . | tail -n 1; for f in ${shQuote(o.remoteName)} ${shQuote(o.remoteName + '.part')}; do if [ -f "$f" ]; then echo "size $f $(wc -c < "$f")"; fi; done`,
    { timeoutMs: 30_000 },
  );
  if (prep.code !== 0) {
    throw new AppError({
      code: 'COMMAND_FAILED',
      message: `The staging folder ${o.remoteDir} could not be prepared on the device.`,
      fix: 'Check that the install user may write there.',
      detail: prep.stderr,
    });
  }
  const sizes = new Map([...prep.stdout.matchAll(/^size (\S+) (\d+)$/gm)].map((m) => [m[1]!, Number(m[2])]));
  if (sizes.get(o.remoteName) === o.size && (await remoteSha256(o.session, finalPath)) === o.sha256) {
    return { remotePath: finalPath, resumedFrom: o.size, bytesSent: 0, skipped: true, transferMs: 0, verifyMs: 0 };
  }
  // Continue a .part from a little before its end: writes that were in flight when it was cut may have
  // landed in part (a large write is split into several requests), so the last window is sent again.
  const chunk = o.chunkBytes ?? DEFAULT_CHUNK;
  const window = chunk * (o.inFlight ?? DEFAULT_IN_FLIGHT);
  const partSize = sizes.get(o.remoteName + '.part') ?? 0;
  const start = partSize > o.size ? 0 : Math.max(0, Math.floor((partSize - window) / chunk) * chunk);
  const availKb = Number(prep.stdout.split('\n')[0]!.trim().split(/\s+/)[3]);
  if (Number.isFinite(availKb) && availKb * 1024 < o.size - start) {
    throw new AppError({
      code: 'COMMAND_FAILED',
      message: `The device has ${Math.floor(availKb / 1024)} MiB free in ${o.remoteDir}; the bundle needs ${Math.ceil((o.size - start) / 2 ** 20)} MiB more.`,
      fix: 'Free space on the device (or grow the filesystem holding /var), then try again. Nothing was written.',
    });
  }

  const sftp = await openSftp(o.session);
  const t0 = Date.now();
  try {
    await sendFrom(sftp, o, partPath, start);
  } finally {
    sftp.end();
  }
  const t1 = Date.now();
  const sum = await remoteSha256(o.session, partPath);
  const t2 = Date.now();
  if (sum !== o.sha256) {
    await o.session.exec(`rm -f ${shQuote(partPath)}`, { timeoutMs: 30_000 });
    throw new AppError({
      code: 'COMMAND_FAILED',
      message: `The bundle arrived damaged: its sha256 on the device is ${sum}, not ${o.sha256}.`,
      fix: "It was removed from the device; upload it again. If it happens again, check the network and the laptop's copy.",
    });
  }
  const mv = await o.session.exec(`mv -f ${shQuote(partPath)} ${shQuote(finalPath)}`, { timeoutMs: 30_000 });
  if (mv.code !== 0)
    throw new AppError({
      code: 'COMMAND_FAILED',
      message: 'The uploaded bundle could not be put in place on the device.',
      fix: 'Try again.',
      detail: mv.stderr,
    });
  return { remotePath: finalPath, resumedFrom: start, bytesSent: o.size - start, skipped: false, transferMs: t1 - t0, verifyMs: t2 - t1 };
}

async function remoteSha256(session: SshSession, path: string): Promise<string | null> {
  const r = await session.exec(`sha256sum ${shQuote(path)} 2>/dev/null || openssl dgst -sha256 -r ${shQuote(path)}`, {
    timeoutMs: 600_000,
  });
  return /^([a-f0-9]{64})/m.exec(r.stdout)?.[1] ?? null;
}

function openSftp(session: SshSession): Promise<SFTPWrapper> {
  return new Promise((resolve, reject) =>
    session.client.sftp((err, sftp) =>
      err
        ? reject(
            new AppError({
              code: 'NOT_CONNECTED',
              message: `The device refused a file transfer session: ${err.message}`,
              fix: 'Check that sshd has the sftp subsystem enabled.',
            }),
          )
        : resolve(sftp),
    ),
  );
}

const DEFAULT_CHUNK = 256 * 1024;
const DEFAULT_IN_FLIGHT = 32;

async function sendFrom(sftp: SFTPWrapper, o: UploadOptions, remote: string, start: number): Promise<void> {
  const chunk = o.chunkBytes ?? DEFAULT_CHUNK;
  const inFlight = o.inFlight ?? DEFAULT_IN_FLIGHT;
  const stallMs = o.stallMs ?? 20_000;
  const handle = await new Promise<Buffer>((resolve, reject) =>
    // 'a' would ignore positions on some servers; open for writing without truncation, 0600 like any secret-bearing file.
    sftp.open(remote, start > 0 ? 'r+' : 'w', { mode: 0o600 }, (err, h) => (err ? reject(err) : resolve(h))),
  );
  const local = await openLocal(o.localPath, 'r');
  let next = start;
  let acked = start;
  let lastAck = Date.now();
  let lastReport = 0;
  const meter = new RateMeter(o.size, start, Date.now());
  const report = (force = false) => {
    const now = Date.now();
    if (!o.onProgress || (!force && now - lastReport < (o.progressEveryMs ?? 250))) return;
    lastReport = now;
    o.onProgress({ bytes: acked, total: o.size, ...meter.sample(acked, now) });
  };
  // Writes are issued strictly in file order (reads are sequential; only the acknowledgements overlap),
  // and the server handles them in order: the .part is always a whole prefix, whenever it is cut off.
  let failure: Error | null = null;
  let active = 0;
  let wake: (() => void) | null = null;
  const settle = () => {
    const w = wake;
    wake = null;
    w?.();
  };
  const watchdog = setInterval(() => {
    if (failure) return;
    if (o.signal?.aborted)
      failure = new AppError({
        code: 'CANCELLED',
        message: 'The upload was cancelled.',
        fix: 'Start it again to continue from where it stopped.',
      });
    else if (active > 0 && Date.now() - lastAck > stallMs)
      failure = new AppError({
        code: 'TIMED_OUT',
        message: `The device stopped acknowledging the upload at ${acked} of ${o.size} bytes.`,
        fix: 'Check the cable and the link; the upload continues from where it stopped when you retry.',
      });
    if (failure) settle();
  }, 250);
  try {
    while (next < o.size && !failure) {
      while (active >= inFlight && !failure) await new Promise<void>((r) => (wake = r));
      if (failure) break;
      const position = next;
      const length = Math.min(chunk, o.size - position);
      const buf = Buffer.allocUnsafe(length);
      await local.read(buf, 0, length, position);
      next += length;
      active++;
      sftp.write(handle, buf, 0, length, position, (err) => {
        active--;
        if (err) failure ??= err;
        else {
          acked = Math.max(acked, position + length);
          lastAck = Date.now();
          report();
        }
        settle();
      });
    }
    while (active > 0 && !failure) await new Promise<void>((r) => (wake = r));
    if (failure && (failure as AppError).code === 'CANCELLED') {
      // A cancel is not a cut: let what is in flight land, so the .part ends cleanly.
      const until = Date.now() + 5000;
      while (active > 0 && Date.now() < until) await new Promise((r) => setTimeout(r, 20));
    }
    if (failure) throw failure;
    report(true);
  } finally {
    clearInterval(watchdog);
    await local.close();
    // After a cut the close may never be answered: do not wait for it forever.
    await Promise.race([
      new Promise<void>((resolve) => sftp.close(handle, () => resolve())),
      new Promise<void>((resolve) => setTimeout(resolve, 2000)),
    ]);
  }
}
