import type { ChecksView } from '../../../common/contract';
import type { RunContext } from '../../../common/install/model';
import type { VisitView } from '../../../common/model/device';

/**
 * What a run starts against, for its journal: the report of a past run is built from the journal alone.
 * The site config holds no secret; the Local UI password hash is left out too (it is a password's hash).
 */
export function runContext(
  kind: RunContext['kind'],
  visit: VisitView,
  deviceIds: string[],
  checks: ChecksView,
  secretsSet: Record<string, boolean>,
): RunContext {
  return {
    kind,
    siteName: visit.siteName,
    technician: visit.technician,
    plan: visit.plan,
    site: { ...visit.site, localUiUser: visit.site.localUiUser ? { name: visit.site.localUiUser.name, passwordHash: '' } : null },
    secretsSet,
    planIssues: checks.plan,
    devices: visit.devices
      .filter((d) => deviceIds.includes(d.id))
      .map((d) => ({
        id: d.id,
        label: d.label,
        address:
          d.connection.kind === 'ssh' ? `${d.connection.host}${d.connection.port === 22 ? '' : `:${d.connection.port}`}` : 'this machine',
        hostKey: d.hostKey ? `${d.hostKey.keyType} ${d.hostKey.fingerprint}` : null,
        facts: d.facts ?? null,
        checks: checks.devices.find((c) => c.deviceId === d.id)?.results ?? [],
        versionBefore: d.facts?.software.agent.installed ? d.facts.software.agent.version : null,
      })),
  };
}
