import type { HostFacts } from '../model/host-facts';
import { kubeAtLeast, type Plan, type Role } from '../plan/model';
import { formatBytes } from '../format';
import { CATALOG, NO_SITE_NEEDS, type Requirement, type SiteNeeds, type Threshold } from './catalog';
import { measure } from './measures';

export type CheckStatus = 'pass' | 'warn' | 'block' | 'unknown';

export interface Override {
  deviceId: string;
  checkId: string;
  reason: string;
  technician: string;
  at: string;
}

export interface CheckResult {
  id: string;
  title: string;
  status: CheckStatus;
  severity: Requirement['severity'];
  measured: string;
  required: string;
  why: string; // the source and any note
  sourceUrl: string;
  fix: string;
  overridable: boolean;
  override?: Override;
}

/** Does the requirement concern this device in this plan? */
export function applies(req: Requirement, facts: HostFacts, plan: Plan, role: Role | undefined, needs: SiteNeeds = NO_SITE_NEEDS): boolean {
  const a = req.appliesTo;
  if (!a) return true;
  if (a.distributions && !a.distributions.includes(plan.distribution)) return false;
  if (a.modes && !a.modes.includes(plan.mode)) return false;
  if (a.flavours && !a.flavours.includes(plan.flavour)) return false;
  if (a.cnis && !a.cnis.includes(plan.cni)) return false;
  if (a.topologies && !a.topologies.includes(plan.topology)) return false;
  if (a.arches && !a.arches.includes(facts.arch)) return false;
  if (a.roles && (!role || !a.roles.includes(role))) return false;
  if (a.minKubernetes) {
    const [maj, min] = a.minKubernetes.split('.').map(Number) as [number, number];
    if (!kubeAtLeast(plan.kubernetesVersion, maj, min)) return false;
  }
  if (a.planFlags && !a.planFlags.some((flag) => plan[flag])) return false;
  if (a.siteNeeds && !a.siteNeeds.some((n) => needs[n])) return false;
  return true;
}

export function meets(t: Threshold, value: unknown): boolean | null {
  if (value === null || value === undefined) return null;
  switch (t.kind) {
    case 'atLeast':
      return typeof value === 'number' && value >= t.value;
    case 'atMostAbs':
      return typeof value === 'number' && Math.abs(value) <= t.value;
    case 'is':
      return value === t.value;
    case 'oneOf':
      return t.values.includes(String(value));
    case 'noneOf':
      return !t.values.includes(String(value));
    case 'empty':
      return Array.isArray(value) && value.length === 0;
  }
}

export function describeThreshold(t: Threshold): string {
  switch (t.kind) {
    case 'atLeast':
      return t.unit === 'bytes' ? `at least ${formatBytes(t.value)}` : `at least ${t.value} ${t.unit}`;
    case 'atMostAbs':
      return t.value >= 60_000 ? `within ${t.value / 60_000} min` : `within ${t.value / 1000} s`;
    case 'is':
      return typeof t.value === 'boolean' ? (t.value ? 'yes' : 'no') : t.value;
    case 'oneOf':
      return t.values.join(' or ');
    case 'noneOf':
      return `not ${t.values.join(' or ')}`;
    case 'empty':
      return 'none in use';
  }
}

/** Every requirement that applies to one device, with its measured and required values. */
export function checkDevice(
  deviceId: string,
  facts: HostFacts,
  plan: Plan,
  overrides: Override[],
  needs: SiteNeeds = NO_SITE_NEEDS,
  catalog: Requirement[] = CATALOG,
): CheckResult[] {
  const role = plan.roles[deviceId];
  return catalog
    .filter((req) => applies(req, facts, plan, role, needs))
    .map((req) => {
      const m = measure(req.measure, facts);
      const ok = meets(req.threshold, m.value);
      const status: CheckStatus = ok === null ? 'unknown' : ok ? 'pass' : req.severity;
      const override = status === 'block' ? overrides.find((o) => o.deviceId === deviceId && o.checkId === req.id) : undefined;
      return {
        id: req.id,
        title: req.title,
        status,
        severity: req.severity,
        measured: m.shown,
        required: describeThreshold(req.threshold),
        why: `${req.source.title}${req.note ? ` — ${req.note}` : ''}`,
        sourceUrl: req.source.url,
        fix: req.fix,
        overridable: req.overridable,
        ...(override && req.overridable ? { override } : {}),
      };
    });
}

/** A device may go on when nothing blocks it, or every block is overridden (and may be). */
export function deviceCleared(results: CheckResult[]): boolean {
  return results.every((r) => r.status !== 'block' || (r.overridable && !!r.override));
}
