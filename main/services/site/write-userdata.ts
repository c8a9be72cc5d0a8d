import { AppError } from '../../../common/errors';
import type { SshSession } from '../ssh/session';

export const USERDATA_PATH = '/var/lib/spectro/userdata';

/**
 * Writes user-data to the device's fixed path atomically, root-owned, mode 0600: the text travels on
 * stdin (it holds the token), lands in a temporary file created with umask 077, then is renamed.
 */
export async function writeUserData(session: SshSession, text: string, asRoot: boolean, path = USERDATA_PATH): Promise<void> {
  const dir = path.slice(0, path.lastIndexOf('/')) || '/';
  const script = `set -e; umask 077; mkdir -p '${dir}'; t=$(mktemp '${path}.XXXXXX'); cat > "$t"; chown 0:0 "$t"; chmod 600 "$t"; mv -f "$t" '${path}'`;
  if (!/^[A-Za-z0-9/._-]+$/.test(path)) throw new Error('writeUserData: unexpected path');
  const result = await session.sudo(script, { stdin: text, timeoutMs: 30_000, asRoot });
  if (result.code !== 0) {
    throw new AppError({
      code: 'COMMAND_FAILED',
      message: `The user-data could not be written to ${path} on the device.`,
      fix: 'Check free space and that the install user may use sudo, then try again.',
      detail: result.stderr.slice(-4000),
    });
  }
}
