import { RateMeter } from '../../../common/rate';
import { open as openLocal, type FileHandle } from 'node:fs/promises';
import type { ClientChannel, SFTPWrapper } from 'ssh2';
import { AppError } from '../../../common/errors';
import { shQuote } from '../../../common/shell/quote';
import {
  chooseCompression,
  hardlyCompresses,
  MIN_REMAINING,
  type CompressionChoice,
  type CompressionSample,
} from '../../../common/upload/compression';
import type { SshSession } from '../ssh/session';
import { sampleCompression, ZstdCompressor } from './zstd';

export interface UploadProgress {
  bytes: number; // on the device so far
  total: number;
  rateBytesPerSec: number;
  etaSeconds: number | null;
  /** The bytes go compressed (zstd): the rate is of the bundle's bytes, more than the link carries. */
  compressed?: boolean;
}

/** How the bytes went, and why: for the device's output, the journal and the report. */
export interface UploadCompression {
  method: 'zstd' | 'none';
  reason: string;
  /** Bytes this attempt put on the link (less than it sent of the bundle when compressed). */
  wireBytes: number;
  /** zstd's ratio on samples of the bundle, and the link's pace as measured, when they were. */
  ratio?: number;
  linkBytesPerSec?: number;
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
  compression?: UploadCompression;
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
  /**
   * 'stream' (the default): one exec channel into the device's writer, hashed on the device as the .part grows, as scp
   * streams; 'sftp': SFTP writes, then the device reads the file again to hash it (kept for comparison in
   * the benchmark and for a device whose shell lacks coreutils' truncate).
   */
  method?: 'stream' | 'sftp';
  /**
   * A streamed upload: 'auto' (the default) compresses with zstd when the link, not the CPU, is the bottleneck
   * (common/upload/compression.ts); 'zstd' and 'none' force it (tests, the benchmark).
   */
  compression?: 'auto' | 'zstd' | 'none';
  /** A sentence for the technician (the device's output): how the bundle goes, and why. */
  onNote?: (text: string) => void;
}

/**
 * Sends the bundle into a staging folder: to `<name>.part`, continued from its size after a cut or a
 * restart, progress throttled for the UI, and the sha256 computed on the device as the bytes arrive (the
 * technician does not wait for the device to read a gigabyte again) before the .part is renamed. A file
 * already there with the right sum is not sent again.
 */
export async function uploadBundle(o: UploadOptions): Promise<UploadResult> {
  const finalPath = `${o.remoteDir}/${o.remoteName}`;
  const partPath = `${finalPath}.part`;
  const prep = await o.session.exec(
    `mkdir -p ${shQuote(o.remoteDir)} && cd ${shQuote(o.remoteDir)} && df -Pk . | tail -n 1; command -v zstd >/dev/null 2>&1 && echo zstd-present; for f in ${shQuote(o.remoteName)} ${shQuote(o.remoteName + '.part')}; do if [ -f "$f" ]; then echo "size $f $(wc -c < "$f")"; fi; done`,
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
  // Over SFTP, continue a .part from a little before its end: writes that were in flight when it was cut may
  // have landed in part (a large write is split into several requests), so the last window is sent again.
  const chunk = o.chunkBytes ?? DEFAULT_CHUNK;
  const window = chunk * (o.inFlight ?? DEFAULT_IN_FLIGHT);
  const partSize = sizes.get(o.remoteName + '.part') ?? 0;
  // A streamed .part is always a whole prefix (one writer appends in order): it continues exactly at its end.
  const start =
    partSize > o.size ? 0 : (o.method ?? 'stream') === 'stream' ? partSize : Math.max(0, Math.floor((partSize - window) / chunk) * chunk);
  const availKb = Number(prep.stdout.split('\n')[0]!.trim().split(/\s+/)[3]);
  if (Number.isFinite(availKb) && availKb * 1024 < o.size - start) {
    throw new AppError({
      code: 'COMMAND_FAILED',
      message: `The device has ${Math.floor(availKb / 1024)} MiB free in ${o.remoteDir}; the bundle needs ${Math.ceil((o.size - start) / 2 ** 20)} MiB more.`,
      fix: 'Free space on the device (or grow the filesystem holding /var), then try again. Nothing was written.',
    });
  }

  const t0 = Date.now();
  let sum: string | null;
  let placed = false;
  let t1: number;
  let compression: UploadCompression | undefined;
  if ((o.method ?? 'stream') === 'stream') {
    const r = await streamChoosing(o, partPath, start, /^zstd-present$/m.test(prep.stdout));
    ({ sum, compression } = r);
    placed = r.placed === true;
    t1 = Date.now();
  } else {
    const sftp = await openSftp(o.session);
    try {
      await sendFrom(sftp, o, partPath, start);
    } finally {
      sftp.end();
    }
    t1 = Date.now();
    sum = await remoteSha256(o.session, partPath);
  }
  const t2 = Date.now();
  if (sum !== o.sha256) {
    await o.session.exec(`rm -f ${shQuote(partPath)}`, { timeoutMs: 30_000 });
    throw new AppError({
      code: 'COMMAND_FAILED',
      message: `The bundle arrived damaged: its sha256 on the device is ${sum}, not ${o.sha256}.`,
      fix: "It was removed from the device; upload it again. If it happens again, check the network and the laptop's copy.",
    });
  }
  // The device has usually put it in place already, in the upload's own command.
  if (!placed) {
    const mv = await o.session.exec(`mv -f ${shQuote(partPath)} ${shQuote(finalPath)}`, { timeoutMs: 30_000 });
    if (mv.code !== 0)
      throw new AppError({
        code: 'COMMAND_FAILED',
        message: 'The uploaded bundle could not be put in place on the device.',
        fix: 'Try again.',
        detail: mv.stderr,
      });
  }
  return {
    remotePath: finalPath,
    resumedFrom: start,
    bytesSent: o.size - start,
    skipped: false,
    transferMs: t1 - t0,
    verifyMs: t2 - t1,
    ...(compression ? { compression } : {}),
  };
}

/**
 * The device's sha256 of stdin: OpenSSL's where it is there (it uses the CPU's SHA instructions, about three
 * times coreutils' speed), else sha256sum. Both print the hex digest first.
 */
const HASH = '{ if command -v openssl >/dev/null 2>&1; then openssl dgst -sha256 -r; else sha256sum; fi; }';

async function remoteSha256(session: SshSession, path: string): Promise<string | null> {
  const r = await session.exec(`${HASH} < ${shQuote(path)}`, {
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

/**
 * The device side of a streamed upload, for a POSIX sh with GNU coreutils (every agent-mode host: systemd
 * distributions, device-contract §3): the .part cut back to where this attempt starts (it may hold a torn tail),
 * then what arrives is appended by one writer while a reader beside it hashes the .part as it grows (from its first
 * byte, so a resumed upload's earlier bytes are read once more, from the device's own disk). The command ends once
 * the writer has seen the end of the stream and the reader has hashed everything written; it prints the sha256 and
 * the size of the .part, and exits non-zero if the writer failed (a full disk: its message is on stderr). Given the
 * bundle's size and sum (`placeAs`), a whole .part whose sum matches is renamed to the bundle's name and `placed`
 * printed. The sum goes through `<part>.sum` (the hash runs beside the writer); like `.done`, it is removed at the
 * end, and left until the next attempt only when the command is killed.
 *
 * Why not `tee` into the hash, as the bytes pass: GNU tee moves 8 KiB per read, so every 8 KiB took four system
 * calls and a hop between three processes. Measured 2026-12-03 in the lab (1 GiB with OpenSSH's own client, three
 * interleaved rounds): the tee pipeline 6.2–10.3 s and 10–17 CPU-seconds of the whole machine; this writer (`cat`,
 * 128 KiB writes) and reader (`dd` 1 MiB reads, 0.1 s behind on a fast link) 5.4–6.3 s and 9–10.5, the same as writing
 * first and hashing after, and scp 4.9–10.2 s. The reader does not hold the writer back: a slow hash catches up
 * after the last byte instead of slowing the link.
 *
 * With `zstd`, what arrives is zstd frames, unpacked by the device's own zstd as the writer: the .part and its hash
 * are of the bundle itself, and a cut leaves a whole prefix of it (zstd writes only what it has decoded).
 */
export function streamCommand(
  dir: string,
  part: string,
  start: number,
  opts: { zstd?: boolean; size?: number; placeAs?: { path: string; sha256: string } } = {},
): string {
  const p = shQuote(part);
  const pid = shQuote(`${part}.pid`);
  const done = shQuote(`${part}.done`);
  // An upload cut with the link down may leave its writer running on the device, and it would append again
  // when its old connection wakes: the new one stops that one first (sshd starts each command as the leader
  // of its own process group, and the reader and writer are in it; the cmdline check keeps a reused pid safe).
  // KILL, as a stale writer needs no cleanup and may have inherited an ignored TERM.
  const stopOld =
    `old=$(cat ${pid} 2>/dev/null) && [ -n "$old" ] && grep -qF -- ${shQuote(part)} "/proc/$old/cmdline" 2>/dev/null ` +
    `&& kill -KILL -- "-$old" 2>/dev/null && sleep 0.2; `;
  // The reader: whatever the .part has grown to since its last look, in 1 MiB reads; `done` is checked before the
  // size is taken, so the last look sees every byte the writer wrote. It looks every 0.1 s while 4 MiB or more came
  // in between, else every 0.5 s: on a slow link (hours for a bundle) the device starts a few processes a second, not
  // thirty, and the last look comes at most half a second late.
  // With the bundle's size known, the look that finds the .part whole is the last: the sum is ready as the last
  // byte lands, not a look or two later (up to 0.6 s when the last look found under 4 MiB). A stream that ends short
  // (one that goes on compressed) still ends on `done`.
  // Near the end, when what is left would come within one more look at the last look's pace, it looks every
  // 0.02 s: the sum is then ready ~0.01 s after the last byte on average, not ~0.05 s (or ~0.25 s on a slow link).
  // Not after the first look, which reads what a resumed .part already held: that is no pace.
  const size = opts.size === undefined ? null : Math.floor(opts.size);
  const full = size === null ? '' : `[ "$off" -ge ${size} ] && break; `;
  const pace = 'if [ "$n" -ge 4194304 ]; then sleep 0.1; else sleep 0.5; fi';
  const pause = size === null ? pace : `if [ "$seen" = 1 ] && [ $((${size} - off)) -le "$n" ]; then sleep 0.02; else ${pace}; fi`;
  const reader =
    `off=0; seen=0; while :; do fin=0; [ -e ${done} ] && fin=1; end=$(wc -c < ${p}) || exit 1; n=$((end - off)); ` +
    `if [ "$n" -gt 0 ]; then dd if=${p} bs=1M iflag=skip_bytes,count_bytes skip=$off count=$n status=none || exit 1; off=$end; fi; ` +
    `[ $fin = 1 ] && break; ${full}${pause}; seen=1; done`;
  const writer = opts.zstd ? `zstd -dcq >> ${p}` : `cat >> ${p}`;
  const sumFile = shQuote(`${part}.sum`);
  // A whole .part with the expected sum is put in place here, in the same command: each command on a device is a
  // session of its own (sshd forks it, PAM opens it, the user's shell starts). The caller still checks the printed sum, and
  // puts the file in place itself when `placed` is missing (a mismatch, which it reports; a failed mv).
  const place =
    opts.placeAs && size !== null && /^[a-f0-9]{64}$/.test(opts.placeAs.sha256)
      ? ` && { { [ "$sz" = ${size} ] && [ "\${s%% *}" = ${opts.placeAs.sha256} ] && mv -f ${p} ${shQuote(opts.placeAs.path)} && echo placed; } || :; }`
      : '';
  return (
    `cd ${shQuote(dir)} && umask 077 && { ${stopOld}true; } && echo $$ > ${pid} && truncate -s ${start} ${p} && rm -f ${done} || exit; ` +
    `{ { ${reader}; } | ${HASH} > ${sumFile} & } ; h=$!; ` +
    `${writer}; rc=$?; : > ${done}; wait $h; rm -f ${done}; s=$(cat ${sumFile}); rm -f ${sumFile}; printf '%s\\n' "$s"; ` +
    `[ $rc = 0 ] && sz=$(wc -c < ${p}) && printf 'size %s\\n' "$sz" && rm -f ${pid}${place}`
  );
}

/** Raw bytes per zstd frame: big enough for a good ratio, small enough for smooth progress and quick resumes. */
const ZSTD_PIECE = 2 ** 20;

interface Piece {
  buf: Buffer;
  /** Where this piece ends in the bundle. */
  rawEnd: number;
  /** Hands `buf` back for a later read, once the channel has copied it into its packets. */
  release?: () => void;
}

/**
 * The bundle from `from`, piece by piece: as it is, or compressed in the worker with up to three pieces ahead (the
 * worker compresses the next while the channel sends this one).
 */
async function* pieces(local: FileHandle, from: number, size: number, chunk: number, z: ZstdCompressor | null): AsyncGenerator<Piece> {
  const read = async (at: number, length: number, into?: Buffer) => {
    const buf = into?.length === length ? into : Buffer.allocUnsafeSlow(length);
    const { bytesRead } = await local.read(buf, 0, length, at);
    if (bytesRead !== length)
      throw new AppError({
        code: 'COMMAND_FAILED',
        message: 'The bundle on this laptop changed while it was being sent.',
        fix: 'Check the file, then try again.',
      });
    return buf;
  };
  let pos = from;
  if (!z) {
    // Read buffers are used again once the channel has copied them into packets: a gigabyte of fresh buffers is
    // a gigabyte more for V8 to count and collect (see main/services/v8-tuning.ts). No cap on the spares: there are
    // never more than were in use at once, which the channel bounds (it takes writes up to its high-water mark, 2 MiB
    // in ssh2, before asking to wait, so about ten). A cap of four dropped bursts of returns and read ~9 % of a GiB
    // into fresh buffers (measured 2026-12-03: 88 of 1,024 reads at 256 MiB).
    // The next piece is read while this one goes out: each read is a hop to libuv's thread pool and back, and on a
    // busy laptop (another program on a core) that hop waits for the scheduler while the socket could be writing.
    const spare: Buffer[] = [];
    const readAt = (at: number) => {
      const length = Math.min(chunk, size - at);
      const p = read(at, length, spare.pop()).then((buf) => ({ buf, end: at + length }));
      p.catch(() => undefined); // awaited below; one read ahead of an upload that stopped must not be an unhandled rejection
      return p;
    };
    let next = pos < size ? readAt(pos) : null;
    while (next) {
      const { buf, end } = await next;
      next = end < size ? readAt(end) : null;
      yield { buf, rawEnd: end, release: () => spare.push(buf) };
    }
    return;
  }
  const ahead: Promise<Piece>[] = [];
  while (pos < size || ahead.length) {
    while (pos < size && ahead.length < 3) {
      const at = pos;
      const length = Math.min(ZSTD_PIECE, size - at);
      pos += length;
      const p = read(at, length).then(async (buf) => ({ buf: (await z.compress(buf)).out, rawEnd: at + length }));
      p.catch(() => undefined); // awaited below; a piece left behind by a failed upload must not be an unhandled rejection
      ahead.push(p);
    }
    yield await ahead.shift()!;
  }
}

interface StreamOutcome {
  sum: string | null;
  /** The device put the whole, matching .part in place itself (see streamCommand). */
  placed?: boolean;
  /** Set when `decide` stopped this stream to go on compressed: the size of the .part it left. */
  switchedAt?: number;
  /** Bytes that went over the link. */
  wireBytes: number;
}

/**
 * Streams the file from `start` into one exec channel, as scp does: the SSH channel's window is the flow
 * control (a write waits for 'drain'), so memory stays at one read buffer plus the channel's window.
 * With `z`, each piece goes as a zstd frame. `decide` (an uncompressed stream only) is asked after each write
 * whether to stop here and go on compressed; the stream then ends cleanly, leaving a whole .part.
 * Returns the sha256 the device computed over the whole .part.
 */
async function streamFrom(
  o: UploadOptions,
  part: string,
  start: number,
  opts: { z?: ZstdCompressor; decide?: (acked: number, now: number) => boolean } = {},
): Promise<StreamOutcome> {
  const stallMs = o.stallMs ?? 20_000;
  const chunk = o.chunkBytes ?? DEFAULT_CHUNK;
  const z = opts.z ?? null;
  const channel = await new Promise<ClientChannel>((resolve, reject) =>
    o.session.client.exec(
      streamCommand(o.remoteDir, part, start, {
        zstd: !!z,
        size: o.size,
        placeAs: { path: `${o.remoteDir}/${o.remoteName}`, sha256: o.sha256 },
      }),
      (err, ch) =>
        err
          ? reject(
              new AppError({
                code: 'NOT_CONNECTED',
                message: `The device did not accept the upload channel: ${err.message}`,
                fix: 'Reconnect to the device and try again.',
              }),
            )
          : resolve(ch),
    ),
  );
  let stdout = '';
  let stderr = '';
  channel.on('data', (d: Buffer) => (stdout += d.toString('utf8')));
  channel.stderr.on('data', (d: Buffer) => (stderr = (stderr + d.toString('utf8')).slice(-4000)));
  const closed = new Promise<number | null>((resolve) => {
    let code: number | null = null;
    channel.on('exit', (c: number | null) => (code = c));
    channel.on('close', () => resolve(code));
  });
  let wireSent = 0;
  // Where each piece ends on the wire and in the bundle: what the device has taken, in bundle bytes.
  const marks: { wireEnd: number; rawEnd: number }[] = [];
  let markAt = 0;
  let rawAcked = start;
  let lastMove = Date.now();
  let lastReport = 0;
  const meter = new RateMeter(o.size, start, Date.now());
  // What the device has taken: sent into the channel, less what still waits in ssh2's buffer.
  const acked = () => {
    const wire = wireSent - channel.writableLength;
    if (!z) return Math.max(start, start + wire);
    while (markAt < marks.length && marks[markAt]!.wireEnd <= wire) rawAcked = marks[markAt++]!.rawEnd;
    if (markAt > 1024) {
      marks.splice(0, markAt);
      markAt = 0;
    }
    return rawAcked;
  };
  const report = (force = false) => {
    const now = Date.now();
    if (!o.onProgress || (!force && now - lastReport < (o.progressEveryMs ?? 250))) return;
    lastReport = now;
    const bytes = acked();
    o.onProgress({ bytes, total: o.size, ...meter.sample(bytes, now), ...(z ? { compressed: true } : {}) });
  };
  // Set from the watchdog (a timer): typed so the checks after each await are not narrowed away.
  let failure = null as AppError | null;
  let wake: (() => void) | null = null;
  const settle = () => {
    const w = wake;
    wake = null;
    w?.();
  };
  channel.on('drain', () => {
    lastMove = Date.now();
    report();
    settle();
  });
  void closed.then(settle);
  let lastAcked = start;
  // A resumed upload first hashes the .part already there, and takes nothing until then: the first move may
  // come later than the stall limit (at 50 MB/s, a slow disk's pace, on top of it).
  const firstMoveMs = stallMs + Math.ceil((start / 50e6) * 1000);
  const watchdog = setInterval(() => {
    if (failure) return;
    const a = acked();
    if (a !== lastAcked) {
      lastAcked = a;
      lastMove = Date.now();
      report();
    }
    if (o.signal?.aborted)
      failure = new AppError({
        code: 'CANCELLED',
        message: 'The upload was cancelled.',
        fix: 'Start it again to continue from where it stopped.',
      });
    else if (Date.now() - lastMove > (lastAcked === start ? firstMoveMs : stallMs))
      failure = new AppError({
        code: 'TIMED_OUT',
        message: `The device stopped acknowledging the upload at ${acked()} of ${o.size} bytes.`,
        fix: 'Check the cable and the link; the upload continues from where it stopped when you retry.',
      });
    if (failure) settle();
  }, 250);
  const local = await openLocal(o.localPath, 'r');
  let channelClosed = false;
  let switching = false;
  void closed.then(() => (channelClosed = true));
  try {
    for await (const piece of pieces(local, start, o.size, chunk, z)) {
      if (failure || channelClosed) break;
      wireSent += piece.buf.length;
      if (z) marks.push({ wireEnd: wireSent, rawEnd: piece.rawEnd });
      if (!channel.write(piece.buf, piece.release)) await new Promise<void>((r) => (wake = r));
      if (opts.decide && !failure && piece.rawEnd < o.size && opts.decide(acked(), Date.now())) {
        switching = true;
        break;
      }
    }
    if (failure) {
      // A cancel ends the channel cleanly so the .part ends on a whole write; a stall cannot be answered.
      if (failure.code === 'CANCELLED') channel.end();
      else channel.destroy();
      throw failure;
    }
    channel.end();
    const code = await Promise.race([
      closed,
      new Promise<'stall'>((r) => {
        const check = setInterval(() => {
          if (failure) {
            clearInterval(check);
            r('stall');
          }
        }, 250);
        void closed.then(() => clearInterval(check));
      }),
    ]);
    if (code === 'stall') {
      channel.destroy();
      throw failure!;
    }
    if (code !== 0)
      throw new AppError({
        code: 'COMMAND_FAILED',
        message: `Writing the bundle on the device failed (exit ${code}).`,
        fix: /No space/i.test(stderr)
          ? 'Free space on the device, then retry: the upload continues from where it stopped.'
          : 'Read the detail, then retry: the upload continues from where it stopped.',
        detail: stderr.trim(),
      });
    const written = Number(/^size (\d+)$/m.exec(stdout)?.[1]);
    if (switching && Number.isFinite(written) && written >= start) return { sum: null, switchedAt: written, wireBytes: wireSent };
    if (written !== o.size)
      throw new AppError({
        code: 'COMMAND_FAILED',
        message: `The device wrote ${Number.isFinite(written) ? written : 'an unknown number of'} of ${o.size} bytes.`,
        fix: /No space/i.test(stderr)
          ? 'Free space on the device, then retry: the upload continues from where it stopped.'
          : 'Retry: the upload continues from where it stopped.',
        detail: stderr.trim(),
      });
    report(true);
    return { sum: /^([a-f0-9]{64})/m.exec(stdout)?.[1] ?? null, placed: /^placed$/m.test(stdout), wireBytes: wireSent };
  } finally {
    clearInterval(watchdog);
    await local.close();
    // Any other way out (the local file changed, a cancel): let what was sent land briefly, then close the channel.
    if (!channelClosed) {
      await Promise.race([closed, new Promise((r) => setTimeout(r, failure?.code === 'TIMED_OUT' ? 0 : 5000))]);
      if (!channelClosed) channel.destroy();
    }
  }
}

/**
 * A streamed upload, compressed when that pays: as it is at first, while the link's pace is measured over its
 * first seconds; then, if chooseCompression says zstd is worth it, the stream ends cleanly and goes on
 * compressed from where the .part stands. The choice and why are given to `onNote` and returned for the journal.
 */
async function streamChoosing(
  o: UploadOptions,
  part: string,
  start: number,
  zstdOnDevice: boolean,
): Promise<{ sum: string | null; placed?: boolean; compression: UploadCompression }> {
  const want = o.compression ?? 'auto';
  const plain = async (reason: string) => {
    const r = await streamFrom(o, part, start);
    return { sum: r.sum, placed: r.placed, compression: { method: 'none' as const, reason, wireBytes: r.wireBytes } };
  };
  if (want === 'none') return plain('Sent as it is (compression turned off).');
  // No device zstd, or too little left: chooseCompression says so before it needs a sample or the link's pace.
  if (!zstdOnDevice || (want === 'auto' && o.size - start < MIN_REMAINING))
    return plain(chooseCompression({ zstdOnDevice, linkBytesPerSec: 0, sample: null, remainingBytes: o.size - start }).reason);
  const z = new ZstdCompressor();
  try {
    if (want === 'zstd') {
      const r = await streamFrom(o, part, start, { z });
      const reason = 'Compressed on the fly with zstd (asked for), unpacked by the device.';
      o.onNote?.(reason);
      return { sum: r.sum, placed: r.placed, compression: { method: 'zstd', reason, wireBytes: r.wireBytes } };
    }
    // The sample (~0.1 s of the worker's time) is taken while the stream starts, not before it: it is needed only
    // once the link's pace is known, a second in. A bundle that hardly compresses is decided as soon as it is in.
    let sample: CompressionSample | null | undefined;
    void sampleCompression(z, o.localPath, start, o.size)
      .catch(() => null)
      .then((s) => (sample = s));
    // The link's pace: from when the channel's window is full (the first megabytes go into buffers at once)
    // over the next second. Measured 2026-12-03 on the lab link shaped to 100 Mbit/s: 12.0 MB/s over one second,
    // 12.1 over two; waiting the second second sent 12 MB as they are that zstd would have halved (bench
    // upload-vs-scp-100mbit 1.68 → 1.74, against scp -C 0.98 → 1.01).
    let from: { t: number; bytes: number } | null = null;
    let choice: CompressionChoice | null = null;
    let link = 0;
    const first = await streamFrom(o, part, start, {
      decide: (bytes, now) => {
        if (choice || sample === undefined) return false;
        if (hardlyCompresses(sample)) {
          choice = chooseCompression({ zstdOnDevice, linkBytesPerSec: 0, sample, remainingBytes: o.size - bytes });
          return false;
        }
        if (!from) {
          if (bytes - start >= 4 * 2 ** 20) from = { t: now, bytes };
          return false;
        }
        if (now - from.t < 1000) return false;
        link = ((bytes - from.bytes) * 1000) / (now - from.t);
        choice = chooseCompression({ zstdOnDevice, linkBytesPerSec: link, sample, remainingBytes: o.size - bytes });
        o.onNote?.(choice.reason);
        return choice.method === 'zstd';
      },
    });
    const known = sample as CompressionSample | null | undefined;
    const measured = {
      ...(known ? { ratio: Math.round(known.ratio * 1000) / 1000 } : {}),
      ...(link ? { linkBytesPerSec: Math.round(link) } : {}),
    };
    const decided = choice as CompressionChoice | null;
    if (first.switchedAt === undefined) {
      const reason =
        decided?.reason ??
        (known !== undefined && hardlyCompresses(known)
          ? chooseCompression({ zstdOnDevice, linkBytesPerSec: 0, sample: known, remainingBytes: o.size - start }).reason
          : 'Sent as it is: it ended before the link could be measured.');
      return { sum: first.sum, placed: first.placed, compression: { method: 'none', reason, wireBytes: first.wireBytes, ...measured } };
    }
    const rest = await streamFrom(o, part, first.switchedAt, { z });
    return {
      sum: rest.sum,
      placed: rest.placed,
      compression: { method: 'zstd', reason: decided!.reason, wireBytes: first.wireBytes + rest.wireBytes, ...measured },
    };
  } finally {
    z.close().catch(() => undefined);
  }
}
