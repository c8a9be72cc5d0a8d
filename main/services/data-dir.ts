import { chmodSync, mkdirSync, statSync } from 'node:fs';
import { homedir } from 'node:os';
import { join } from 'node:path';
import { AppError } from '../../common/errors';

/** Where pins, the visit and run journals live when Electron's userData is not available. */
export function defaultDataDir(): string {
  return process.env.EAI_DATA_DIR || join(process.env.XDG_DATA_HOME || join(homedir(), '.local', 'share'), 'edge-agent-installer');
}

/**
 * The data folder holds pinned host keys and run journals: it must be this user's alone. A folder made
 * beforehand keeps whatever mode it had (mkdir's mode applies only to new folders), so the mode is set to
 * 0700 at every start, and a folder another user owns is refused rather than trusted.
 */
export function secureDataDir(dir: string): string {
  mkdirSync(dir, { recursive: true, mode: 0o700 });
  const st = statSync(dir);
  const uid = process.getuid?.();
  if (uid !== undefined && st.uid !== uid) {
    throw new AppError({
      code: 'PRECONDITION',
      message: `The data folder ${dir} belongs to another user (uid ${st.uid}); this app runs as uid ${uid}.`,
      fix: 'Choose a folder of your own (EAI_DATA_DIR), or fix its owner, then start again.',
    });
  }
  if ((st.mode & 0o777) !== 0o700) chmodSync(dir, 0o700);
  return dir;
}
