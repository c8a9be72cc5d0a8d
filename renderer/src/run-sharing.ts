import type { DeviceRunView, RunView } from '../../common/install/model';

/**
 * A run's new view keeps the device objects of the previous one where nothing changed, so that the cards of the
 * devices that did not move are not rendered again (they are memoised on their device object). A device's output
 * only grows, so its length and last line stand for it.
 */
export function shareUnchanged(prev: RunView | null, next: RunView): RunView {
  if (!prev || prev.runId !== next.runId) return next;
  const before = new Map(prev.devices.map((d) => [d.deviceId, d]));
  let same = 0;
  const devices = next.devices.map((d) => {
    const old = before.get(d.deviceId);
    if (old && fingerprint(old) === fingerprint(d)) {
      same++;
      return old;
    }
    return d;
  });
  return same ? { ...next, devices } : next;
}

function fingerprint(d: DeviceRunView): string {
  const { log, ...rest } = d;
  return `${log.length}\u0000${log.at(-1) ?? ''}\u0000${JSON.stringify(rest)}`;
}
