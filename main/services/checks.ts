import type { CrossCheckView } from '../../common/contract';
import { AppError } from '../../common/errors';
import type { VisitView } from '../../common/model/device';
import type { Override } from '../../common/requirements/evaluate';
import type { DeviceService } from './devices';
import { clusterAddress, probeFrom } from './reachability';
import type { VisitStore } from './visit-store';

/** Main's own evaluation of the checks (the window computes the same pure function for display). */
export { evaluateChecks } from '../../common/install/readiness';
import { evaluateChecks } from '../../common/install/readiness';

/** Records an override only for a block that exists now and may be overridden. */
export function overrideCheck(store: VisitStore, input: Omit<Override, 'at'>): VisitView {
  const visit = store.get();
  const device = store.device(input.deviceId);
  const result = evaluateChecks(visit)
    .devices.find((d) => d.deviceId === input.deviceId)
    ?.results.find((r) => r.id === input.checkId);
  if (!result) {
    throw new AppError({
      code: 'NOT_FOUND',
      message: `${device.label} has no check "${input.checkId}" in this plan.`,
      fix: 'Read the device again, then choose the check from the list.',
    });
  }
  if (result.status !== 'block') {
    throw new AppError({
      code: 'INVALID_INPUT',
      message: `"${result.title}" does not block ${device.label}, so there is nothing to override.`,
      fix: 'Only blocks need an override.',
    });
  }
  if (!result.overridable) {
    throw new AppError({
      code: 'INVALID_INPUT',
      message: `"${result.title}" cannot be overridden: no reason makes it work on this device.`,
      fix: result.fix,
    });
  }
  return store.setOverride({ ...input, at: new Date().toISOString() });
}

/** From every connected cluster member, try every other member on the cluster ports, in parallel. */
export async function crossCheck(store: VisitStore, devices: DeviceService): Promise<CrossCheckView> {
  const visit = store.get();
  const members = visit.devices.filter((d) => visit.plan.roles[d.id] && d.connection.kind === 'ssh');
  const errors: CrossCheckView['errors'] = [];
  const all = await Promise.all(
    members.map(async (from) => {
      const peers = members
        .filter((p) => p.id !== from.id)
        .map((p) => ({ id: p.id, address: clusterAddress(p) }))
        .filter((p): p is { id: string; address: string } => !!p.address);
      if (peers.length === 0) return [];
      try {
        return await probeFrom(devices.session(from.id), from, peers);
      } catch (err) {
        errors.push({ deviceId: from.id, message: err instanceof Error ? err.message : String(err) });
        return [];
      }
    }),
  );
  return { checkedAt: new Date().toISOString(), results: all.flat(), errors };
}
