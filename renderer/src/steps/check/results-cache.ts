import type { DeviceView } from '../../../../common/model/device';
import type { Plan } from '../../../../common/plan/model';
import { checkDevice, type CheckResult, type Override } from '../../../../common/requirements/evaluate';
import { siteNeeds } from '../../../../common/site/issues';
import type { SiteConfig } from '../../../../common/site/model';

interface Entry {
  plan: Plan;
  overrides: Override[];
  site: SiteConfig;
  results: CheckResult[] | null;
}

/**
 * The Check step's results per device object: the store replaces only the device that changed, so with a rack of
 * devices one state change re-evaluates one device, not all of them, and unchanged devices keep the same results
 * array (their memoised cards do not render again). Keyed weakly: a replaced device's entry goes with it.
 */
const cache = new WeakMap<DeviceView, Entry>();

export function resultsFor(d: DeviceView, plan: Plan, overrides: Override[], site: SiteConfig): CheckResult[] | null {
  const hit = cache.get(d);
  if (hit && hit.plan === plan && hit.overrides === overrides && hit.site === site) return hit.results;
  const results = d.facts ? checkDevice(d.id, d.facts, plan, overrides, siteNeeds(site, d.id)) : null;
  cache.set(d, { plan, overrides, site, results });
  return results;
}
