import { DEVICE_PATHS } from '../../../common/device/paths';
import { AppError } from '../../../common/errors';
import { uploadBundle } from '../bundle/upload';
import type { DeviceService } from '../devices';
import type { VisitStore } from '../visit-store';
import { deviceScript } from './device-scripts';
import type { DeviceLink } from './link';

const ATTEMPT_MS = 45_000;

/** A device over SSH, through DeviceService's live session (a new one after each reconnect). */
export function sshLink(deviceId: string, devices: DeviceService, store: VisitStore): DeviceLink {
  const asRoot = () => store.device(deviceId).privilege === 'root';
  const session = () => devices.session(deviceId);
  const link: DeviceLink = {
    kind: 'ssh',
    loginUser: () => {
      const c = store.device(deviceId).connection;
      return c.kind === 'ssh' ? c.user : 'root';
    },
    connected: () => devices.sessionState(deviceId) === 'connected',
    script: (s, opts) =>
      opts.root
        ? session().sudo(s.command, { stdin: s.text, asRoot: asRoot(), timeoutMs: opts.timeoutMs ?? 600_000 })
        : session().exec(s.command, { stdin: s.text, timeoutMs: opts.timeoutMs ?? 600_000 }),
    upload: (o) => uploadBundle({ session: session(), ...o }),
    async reboot({ marked }) {
      const s = session();
      const closed = new Promise<void>((resolve) => s.client.once('close', () => resolve()));
      await link.script(deviceScript('reboot', DEVICE_PATHS.rebootMarker), { root: true, timeoutMs: 30_000 }).catch((err) => {
        // On a slow link the reboot can win the race with the command's own exit status: that is the goal.
        if (!(err instanceof AppError && err.code === 'NOT_CONNECTED')) throw err;
      });
      marked();
      // The old session must drop before reconnecting, or we would talk to the system going down.
      let timer: NodeJS.Timeout | undefined;
      try {
        await Promise.race([
          closed,
          new Promise(
            (_, reject) =>
              (timer = setTimeout(
                () =>
                  reject(
                    new AppError({
                      code: 'TIMED_OUT',
                      message: 'The device did not go down for its reboot within 2 minutes.',
                      fix: 'Reboot it by hand, then retry.',
                    }),
                  ),
                120_000,
              )),
          ),
        ]);
      } finally {
        clearTimeout(timer);
      }
      return 'dropped';
    },
    async waitUntilBack({ deadlineMs, afterReboot, onAttempt, signal, moveTo, onMoved }) {
      const until = Date.now() + deadlineMs;
      let delay = 1000;
      let last = 'no answer';
      const c = store.device(deviceId).connection;
      const from = c.kind === 'ssh' ? c.host : '';
      // A device given a static address comes back there; if it comes back at the old one (the address was
      // not applied), that is said plainly and the run goes on there. Each attempt tries both.
      const addresses = moveTo && moveTo !== from ? [moveTo, from] : [undefined];
      for (let attempt = 1; ; attempt++) {
        if (signal?.aborted)
          throw new AppError({
            code: 'CANCELLED',
            message: 'Cancelled while waiting for the device.',
            fix: 'Retry the device to continue.',
          });
        if (!afterReboot && link.connected()) return;
        const tried: string[] = [];
        for (const host of addresses) {
          const attemptMs = Math.min(ATTEMPT_MS, Math.max(1000, until - Date.now())) / (host === undefined ? 1 : 2);
          const view = await devices.connectAgain(deviceId, attemptMs, host ? { host } : {});
          if (view.state === 'connected') {
            if (afterReboot) {
              const r = await link
                .script(deviceScript('rebooted', DEVICE_PATHS.rebootMarker), { root: false, timeoutMs: 15_000 })
                .catch(() => null);
              if (r?.stdout.trim() !== 'rebooted') {
                tried.push(`${host ? `at ${host}: ` : ''}reached the system that is going down; waiting for the reboot`);
                devices.disconnect(deviceId);
                continue;
              }
            }
            if (moveTo && host === from) {
              onMoved?.(
                `The device came back at its old address ${from}, not at the static address ${moveTo} the site gives it: the address was not applied. Check the interface name and the address on the Site step (and the device's console); the install goes on at ${from}.`,
              );
            } else if (moveTo && host === moveTo) {
              onMoved?.(`The device came back at its static address ${moveTo} (it was ${from}), with the same host key.`);
            }
            return;
          }
          // A changed host key or refused credentials are their own answer; anything else is "not back yet".
          const e = view.error;
          if (e && (e.code === 'HOST_KEY_CHANGED' || e.code === 'AUTH_FAILED' || view.state === 'needs-trust')) throw new AppError(e);
          tried.push(`${host ? `at ${host}: ` : ''}${e?.message ?? 'no answer'}`);
        }
        last = tried.join('; ');
        onAttempt(attempt, last);
        if (Date.now() + delay > until) {
          const rebootedNot = /reached the system/.test(last);
          throw new AppError({
            code: 'TIMED_OUT',
            message: rebootedNot
              ? 'The device did not reboot: it still runs the system from before.'
              : `The device did not come back within ${Math.round(deadlineMs / 1000)} s${afterReboot ? ' after its reboot' : ''} (last attempt: ${last}).`,
            fix: rebootedNot
              ? 'Reboot it by hand (or from its console), then retry.'
              : 'Check its console; once it answers, connect again and retry: finished steps are not repeated.',
          });
        }
        await new Promise((r) => setTimeout(r, delay));
        delay = Math.min(delay * 2, 5000);
      }
    },
  };
  return link;
}
