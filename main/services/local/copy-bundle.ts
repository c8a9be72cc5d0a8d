import { createHash } from 'node:crypto';
import { createReadStream, createWriteStream, existsSync, renameSync, statSync } from 'node:fs';
import { Transform } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import { AppError } from '../../../common/errors';
import type { UploadOptions, UploadResult } from '../bundle/upload';

/**
 * "Upload" on this machine: a copy into the staging folder with the same contract as the SFTP upload
 * (resumable .part, throttled progress, sha256 checked, skipped when the same file is there).
 */
export async function copyBundle(o: Omit<UploadOptions, 'session'>): Promise<UploadResult> {
  const finalPath = `${o.remoteDir}/${o.remoteName}`;
  const partPath = `${finalPath}.part`;
  if (existsSync(finalPath) && statSync(finalPath).size === o.size && (await sha256Of(finalPath)) === o.sha256) {
    return { remotePath: finalPath, resumedFrom: o.size, bytesSent: 0, skipped: true, transferMs: 0, verifyMs: 0 };
  }
  const partSize = existsSync(partPath) ? statSync(partPath).size : 0;
  const start = partSize > o.size ? 0 : partSize;
  const t0 = Date.now();
  let copied = start;
  let lastReport = 0;
  const progress = new Transform({
    transform(chunk: Buffer, _enc, done) {
      copied += chunk.length;
      const now = Date.now();
      if (o.onProgress && now - lastReport >= (o.progressEveryMs ?? 250)) {
        lastReport = now;
        const rate = ((copied - start) / Math.max(1, now - t0)) * 1000;
        o.onProgress({ bytes: copied, total: o.size, rateBytesPerSec: rate, etaSeconds: rate > 0 ? (o.size - copied) / rate : null });
      }
      done(null, chunk);
    },
  });
  try {
    await pipeline(
      createReadStream(o.localPath, { start }),
      progress,
      createWriteStream(partPath, { flags: start > 0 ? 'r+' : 'w', start, mode: 0o600 }),
      { signal: o.signal },
    );
  } catch (err) {
    if (o.signal?.aborted)
      throw new AppError({
        code: 'CANCELLED',
        message: 'The copy was cancelled.',
        fix: 'Start it again to continue from where it stopped.',
      });
    throw new AppError({
      code: 'COMMAND_FAILED',
      message: `The bundle could not be copied into ${o.remoteDir}: ${(err as Error).message}`,
      fix: 'Check free space on this machine, then try again.',
    });
  }
  const t1 = Date.now();
  const sum = await sha256Of(partPath);
  if (sum !== o.sha256)
    throw new AppError({
      code: 'COMMAND_FAILED',
      message: `The copy is damaged: its sha256 is ${sum}, not ${o.sha256}.`,
      fix: 'Copy it again; if it happens again, check the disk.',
    });
  renameSync(partPath, finalPath);
  return {
    remotePath: finalPath,
    resumedFrom: start,
    bytesSent: o.size - start,
    skipped: false,
    transferMs: t1 - t0,
    verifyMs: Date.now() - t1,
  };
}

async function sha256Of(path: string): Promise<string> {
  const hash = createHash('sha256');
  await pipeline(createReadStream(path), hash);
  return hash.digest('hex');
}
