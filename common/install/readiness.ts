import type { ChecksView } from '../contract';
import type { VisitView } from '../model/device';
import { planIssues } from '../plan/rules';
import { CATALOG_VERSION } from '../requirements/catalog';
import { checkDevice, deviceCleared } from '../requirements/evaluate';
import { siteNeeds } from '../site/issues';
import { identityCheck } from '../devices/identity';

/** The checks of every read device and the cluster rules: the same pure evaluation in the window and in main. */
export function evaluateChecks(visit: VisitView): ChecksView {
  return {
    catalogVersion: CATALOG_VERSION,
    devices: visit.devices
      .filter((d) => d.facts)
      .map((d) => {
        const identity = identityCheck(d.intake, d.facts!);
        const results = [
          ...(identity ? [identity] : []),
          ...checkDevice(d.id, d.facts!, visit.plan, visit.overrides, siteNeeds(visit.site, d.id)),
        ];
        return { deviceId: d.id, results, cleared: deviceCleared(results) };
      }),
    plan: planIssues(visit.plan, visit.devices),
  };
}

/**
 * Everything that keeps an install from starting on these devices, each in words with what to do: the
 * Install button shows them all beside it, and main refuses with all of them (never only the first).
 */
export function installBlockers(visit: VisitView, deviceIds: string[], checks: ChecksView = evaluateChecks(visit)): string[] {
  const out: string[] = [];
  for (const i of checks.plan.filter((x) => x.severity === 'block')) out.push(`The plan is blocked: ${i.message} ${i.fix}`);
  for (const id of deviceIds) {
    const d = visit.devices.find((x) => x.id === id);
    if (!d) continue;
    if (d.state !== 'connected') out.push(`${d.label} is not connected: connect it on the Devices step.`);
    if (!visit.plan.roles[id]) out.push(`${d.label} has no role in the plan: give it one on the Plan step.`);
    const result = checks.devices.find((x) => x.deviceId === id);
    if (!result) {
      out.push(`${d.label} has not been checked yet: read it on the Check step.`);
      continue;
    }
    for (const r of result.results.filter((x) => x.status === 'block' && !x.override)) {
      out.push(
        `${d.label} is blocked: ${r.title} (measured ${r.measured}, required ${r.required}). ${r.fix}${r.overridable ? ' Or override it on the Check step with a reason.' : ' This one cannot be overridden.'}`,
      );
    }
  }
  return out;
}
