import { DEVICE_PATHS } from '../../../common/device/paths';
import { AppError } from '../../../common/errors';
import { deviceScriptWithInput } from '../runs/device-scripts';
import type { DeviceLink } from '../runs/link';

/**
 * Writes user-data to the device's fixed path atomically, root-owned, mode 0600 (write-userdata.sh); the
 * text holds the token, so it travels on stdin with the script, never in argv.
 */
export async function writeUserData(link: Pick<DeviceLink, 'script'>, text: string, path: string = DEVICE_PATHS.userData): Promise<void> {
  const result = await link.script(deviceScriptWithInput('writeUserdata', text, path), { root: true, timeoutMs: 30_000 });
  if (result.code !== 0) {
    throw new AppError({
      code: 'COMMAND_FAILED',
      message: `The user-data could not be written to ${path} on the device.`,
      fix: 'Check free space and that the install user may use sudo, then try again.',
      detail: result.stderr.slice(-4000),
    });
  }
}
