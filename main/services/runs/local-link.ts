import { userInfo } from 'node:os';
import { DEVICE_PATHS } from '../../../common/device/paths';
import { AppError } from '../../../common/errors';
import type { DeviceService } from '../devices';
import { copyBundle } from '../local/copy-bundle';
import { localRunner } from '../local/exec-local';
import { sudoExec } from '../ssh/sudo';
import type { VisitStore } from '../visit-store';
import { deviceScript } from './device-scripts';
import type { DeviceLink } from './link';

/**
 * "This machine": the wizard runs on the device it commissions. Commands are child processes, the bundle
 * is copied rather than uploaded, sudo is asked for as over SSH. The reboot takes the wizard down with
 * the device: the run is left suspended in its journal, and the next start of the wizard resumes it
 * (the reboot marker tells it the reboot happened) and verifies.
 */
export function localLink(deviceId: string, devices: DeviceService, store: VisitStore): DeviceLink {
  const privilege = () => store.device(deviceId).privilege;
  const link: DeviceLink = {
    kind: 'local',
    loginUser: () => userInfo().username,
    connected: () => true,
    script: (s, opts) => {
      const timeoutMs = opts.timeoutMs ?? 600_000;
      if (!opts.root || privilege() === 'root') return localRunner(s.command, { stdin: s.text, timeoutMs });
      return sudoExec(localRunner, s.command, devices.sudoPasswordFor(deviceId), { stdin: s.text, timeoutMs });
    },
    upload: (o) => copyBundle(o),
    async reboot({ marked }) {
      const r = await link.script(deviceScript('reboot', DEVICE_PATHS.rebootMarker), { root: true, timeoutMs: 30_000 });
      if (r.code !== 0)
        throw new AppError({
          code: 'COMMAND_FAILED',
          message: 'This machine did not accept the reboot.',
          fix: 'Reboot it yourself, then start the wizard again and resume the run.',
          detail: r.stderr,
        });
      marked();
      return 'suspended';
    },
    async waitUntilBack({ afterReboot }) {
      if (!afterReboot) return;
      const r = await link.script(deviceScript('rebooted', DEVICE_PATHS.rebootMarker), { root: false, timeoutMs: 15_000 });
      if (r.stdout.trim() !== 'rebooted')
        throw new AppError({
          code: 'TIMED_OUT',
          message: 'This machine has not rebooted yet.',
          fix: 'Reboot it, then start the wizard again and resume the run.',
        });
    },
  };
  return link;
}
