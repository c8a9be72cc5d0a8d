import type { DeviceView } from '../model/device';
import { SOURCES } from '../requirements/sources';

/**
 * Adding a host to an existing locally managed cluster (librarium clusters/edge/local-ui/cluster-management/
 * link-hosts): every host runs the same OS release on the same architecture as the members, the new host's
 * user-data says `managementMode: local` and `enableMultiNode: true`, and it reaches the leader on the
 * cluster ports and Local UI. The leader then generates a link token in Local UI that the new host enters.
 */
export interface JoinCheck {
  id: string;
  title: string;
  status: 'pass' | 'block' | 'warn';
  detail: string;
  fix: string;
  /** The public page the rule comes from. */
  source: string;
}

export const JOIN_SOURCE = 'https://docs.spectrocloud.com/clusters/edge/local-ui/cluster-management/link-hosts/';
/** Kubernetes API, etcd, kubelet: what a new node and the leader talk over (device-contract §3). */
export const JOIN_PORTS = [6443, 2379, 2380, 10250];

const osKey = (d: DeviceView) => (d.facts ? `${d.facts.os.id ?? '?'} ${d.facts.os.versionId ?? '?'}` : null);

/** The checks that need only what was read from the devices (the TCP reach is checked from the new host). */
export function joinChecks(leader: DeviceView, members: DeviceView[], candidate: DeviceView, leaderMode: string | null): JoinCheck[] {
  const out: Omit<JoinCheck, 'source'>[] = [];
  const cluster = [leader, ...members.filter((m) => m.id !== leader.id && m.id !== candidate.id && m.facts)];
  out.push({
    id: 'leader-agent',
    title: 'The leader runs a locally managed agent',
    status: leader.facts?.software.agent.installed && leaderMode === 'local' ? 'pass' : 'block',
    detail: leader.facts?.software.agent.installed
      ? `${leader.label}: agent ${leader.facts.software.agent.version ?? '?'}, ${leaderMode ?? 'unknown'} management.`
      : `${leader.label} has no agent.`,
    fix: 'Choose a leader that is already installed in local management (Install step), then add the new host.',
  });
  const oses = new Set(cluster.map(osKey).filter(Boolean));
  const mine = osKey(candidate);
  out.push({
    id: 'same-os',
    title: 'The same OS release as the cluster',
    status: mine && oses.size === 1 && oses.has(mine) ? 'pass' : 'block',
    detail: `${candidate.label}: ${mine ?? 'not read'}; cluster: ${[...oses].join(', ') || 'not read'}.`,
    fix: 'Every host of a locally managed cluster runs the same OS release: use a device with the same OS.',
  });
  const arches = new Set(cluster.map((d) => d.facts?.arch).filter(Boolean));
  out.push({
    id: 'same-arch',
    title: 'The same architecture as the cluster',
    status: candidate.facts && arches.size === 1 && arches.has(candidate.facts.arch) ? 'pass' : 'block',
    detail: `${candidate.label}: ${candidate.facts?.arch ?? 'not read'}; cluster: ${[...arches].join(', ') || 'not read'}.`,
    fix: 'Use a device of the same architecture as the cluster.',
  });
  out.push({
    id: 'new-host-free',
    title: 'The new host has no agent yet',
    status: candidate.facts?.software.agent.installed ? 'block' : 'pass',
    detail: candidate.facts?.software.agent.installed
      ? `${candidate.label} already runs agent ${candidate.facts.software.agent.version ?? '?'}.`
      : `${candidate.label} has no agent.`,
    fix: 'Uninstall its agent first (Upgrade step), or add another device.',
  });
  return out.map((c) => ({ ...c, source: JOIN_SOURCE }));
}

/** The answer of one TCP attempt from the new host: open, refused (reachable, nothing listens yet), or filtered. */
export function reachCheck(port: number, leaderAddress: string, result: string, localUi: boolean): JoinCheck {
  const open = /^open/.test(result);
  const refused = /refused/i.test(result);
  return {
    id: `reach-${port}`,
    title: `The new host reaches the leader on ${port}${localUi ? ' (Local UI)' : ''}`,
    status: open ? 'pass' : refused ? (localUi ? 'warn' : 'pass') : 'block',
    detail: open
      ? `${leaderAddress}:${port} accepted a connection.`
      : refused
        ? `${leaderAddress}:${port} answered (refused: nothing listens there yet${localUi ? '' : ', as before the cluster is created'}).`
        : `No answer from ${leaderAddress}:${port} (${result.trim() || 'timed out'}): a firewall drops it.`,
    fix: open || (refused && !localUi) ? '' : `Open tcp/${port} between the hosts (the leader's firewall, and any between them).`,
    source: SOURCES.ports.url,
  };
}
