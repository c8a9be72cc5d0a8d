import type { DeviceView } from '../../common/model/device';
import type { VisitStore } from './visit-store';

/**
 * What a device list says a box is to become goes where the window keeps it: the role into the plan, the host
 * and edge host names and the static address into the site's per-device settings (left as typed when the list
 * has none). A static address makes the device's interface static with that address; the interface's name and
 * gateway are the device's to tell (the Site step asks for them, with the interfaces the device showed). One
 * write of each, whatever the number of rows.
 */
export function applyIntake(store: VisitStore, added: DeviceView[]): void {
  const withIntake = added.filter((d) => d.intake);
  if (!withIntake.length) return;
  const visit = store.get();
  const roles = { ...visit.plan.roles };
  for (const d of withIntake) if (d.intake!.role) roles[d.id] = d.intake!.role;
  if (withIntake.some((d) => d.intake!.role)) store.setPlan({ ...visit.plan, roles });
  const devices = { ...visit.site.devices };
  let named = false;
  for (const d of withIntake) {
    const { hostName, edgeHostName, address } = d.intake!;
    if (!hostName && !edgeHostName && !address) continue;
    const current = devices[d.id] ?? { hostName: '', edgeHostName: '', nic: null };
    devices[d.id] = {
      ...current,
      ...(hostName ? { hostName } : {}),
      ...(edgeHostName ? { edgeHostName } : {}),
      ...(address
        ? {
            nic: {
              name: current.nic?.name ?? '',
              gateway: current.nic?.gateway ?? '',
              dns: current.nic?.dns ?? [],
              mode: 'static' as const,
              address,
            },
          }
        : {}),
    };
    named = true;
  }
  if (named) store.setSite({ ...store.get().site, devices });
}
