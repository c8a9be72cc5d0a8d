import type { HostFacts } from '../model/host-facts';
import { SOURCES } from '../requirements/sources';
import { DISTRIBUTIONS, parseKubeVersion, type Plan } from './model';

/** A rule about the cluster as a whole (the catalog covers each device on its own). */
export interface PlanIssue {
  id: string;
  severity: 'block' | 'warn';
  message: string; // what is not allowed, and why
  fix: string;
  source: string;
  sourceUrl: string;
  devices?: string[];
}

// Rules about one device (OS, architecture, FIPS, ARM64 airgap) live in the requirements catalog.

export interface PlanDevice {
  id: string;
  label: string;
  facts?: HostFacts;
}

const issue = (
  id: string,
  severity: PlanIssue['severity'],
  message: string,
  fix: string,
  src: { title: string; url: string },
  devices?: string[],
): PlanIssue => ({
  id,
  severity,
  message,
  fix,
  source: src.title,
  sourceUrl: src.url,
  ...(devices && { devices }),
});

/** Pure: the same plan and devices always give the same issues, in the same order. */
export function planIssues(plan: Plan, devices: PlanDevice[]): PlanIssue[] {
  const out: PlanIssue[] = [];
  const members = devices.filter((d) => plan.roles[d.id]);
  const controlPlanes = members.filter((d) => plan.roles[d.id] === 'control-plane');
  const dist = DISTRIBUTIONS.find((d) => d.id === plan.distribution)!;
  const canonical = plan.distribution === 'canonical';

  if (!parseKubeVersion(plan.kubernetesVersion)) {
    out.push(
      issue(
        'kubernetes-version',
        'block',
        `"${plan.kubernetesVersion}" is not a Kubernetes version.`,
        'Type it as major.minor.patch, for example 1.32.8.',
        SOURCES.installer,
      ),
    );
  }
  if (members.length === 0) {
    out.push(issue('no-members', 'block', 'No device is in the cluster yet.', 'Give at least one device a role.', SOURCES.installer));
  }
  if (plan.topology === 'single' && members.length > 1) {
    out.push(
      issue(
        'single-one-device',
        'block',
        `A single-node cluster has one device; ${members.length} have roles.`,
        'Choose multi-node, or give only one device a role.',
        SOURCES.installer,
      ),
    );
  }
  if (plan.topology === 'single' && members.length === 1 && controlPlanes.length !== 1) {
    out.push(
      issue(
        'single-control-plane',
        'block',
        'The device of a single-node cluster is its control plane.',
        'Set its role to control plane.',
        SOURCES.installer,
      ),
    );
  }
  if (plan.topology === 'multi') {
    if (controlPlanes.length === 0) {
      out.push(
        issue(
          'no-control-plane',
          'block',
          'A cluster needs at least one control-plane node.',
          'Give one device (or three) the control-plane role.',
          SOURCES.etcdQuorum,
        ),
      );
    } else if (controlPlanes.length === 2) {
      // Whatever the distribution: two-node HA relies on Kairos and exists in appliance mode only.
      out.push(
        issue(
          'two-node-ha',
          'block',
          `Two control-plane nodes (a two-node cluster) are not supported in agent mode, with ${dist.name} or any other distribution: two-node high availability exists in appliance mode only.`,
          'Use one or three control-plane nodes.',
          SOURCES.twoNode,
        ),
      );
    } else if (controlPlanes.length % 2 === 0) {
      out.push(
        issue(
          'odd-control-planes',
          'block',
          `${controlPlanes.length} control-plane nodes: etcd needs an odd number to keep quorum.`,
          `Use ${controlPlanes.length - 1} or ${controlPlanes.length + 1} control-plane nodes.`,
          SOURCES.etcdQuorum,
        ),
      );
    }
    if (!plan.leader || plan.roles[plan.leader] !== 'control-plane') {
      out.push(
        issue(
          'leader',
          'block',
          'A multi-node cluster needs a leader, and it must be a control-plane node.',
          'Choose the leader among the control-plane nodes.',
          SOURCES.multiNode,
        ),
      );
    }
  }

  // Palette Optimized Canonical and its documented limitations (the newest page no longer calls it a Tech Preview).
  if (canonical) {
    if (plan.flavour === 'fips')
      out.push(
        issue(
          'canonical-fips',
          'block',
          'Palette Optimized Canonical does not support Palette VerteX (FIPS).',
          'Choose the standard agent, or PXK-E.',
          SOURCES.limitations,
        ),
      );
    if (plan.customInstallPath)
      out.push(
        issue(
          'canonical-install-path',
          'block',
          'Palette Optimized Canonical does not support a custom installation path.',
          'Install to the default path (/).',
          SOURCES.limitations,
        ),
      );
    if (plan.overlay && plan.mode === 'local')
      out.push(
        issue(
          'canonical-overlay-local',
          'block',
          'Palette Optimized Canonical does not support the network overlay in locally managed clusters.',
          'Turn the overlay off, or manage the cluster centrally.',
          SOURCES.limitations,
        ),
      );
    if (plan.topology === 'multi' && members.length > 0 && members.length <= 2) {
      out.push(
        issue(
          'canonical-small-ha',
          'block',
          `Palette Optimized Canonical does not support high availability with one or two nodes (this plan has ${members.length}).`,
          'Use three or more nodes, or a single-node cluster.',
          SOURCES.limitations,
        ),
      );
    }
  }

  if (plan.mode === 'local' && plan.cni === 'flannel') {
    out.push(
      issue(
        'flannel-local',
        'warn',
        'Flannel is not verified with local management.',
        'Prefer Calico or Cilium for locally managed clusters.',
        SOURCES.verified,
      ),
    );
  }
  if (members.length > 1) {
    const known = members.filter((d) => d.facts);
    if (plan.mode === 'local') {
      const osKeys = new Set(known.map((d) => `${d.facts!.os.id} ${d.facts!.os.versionId}`));
      const arches = new Set(known.map((d) => d.facts!.arch));
      if (osKeys.size > 1 || arches.size > 1) {
        out.push(
          issue(
            'same-os-arch',
            'block',
            `Every host of a locally managed multi-node cluster must run the same OS on the same architecture; found ${[...osKeys].join(', ')} on ${[...arches].join(', ')}.`,
            'Use devices with the same OS release and architecture.',
            SOURCES.multiNode,
            ids(known),
          ),
        );
      }
    }
    for (const [field, label] of [
      ['hostname', 'host name'],
      ['machineId', 'machine-id'],
    ] as const) {
      const seen = new Map<string, PlanDevice[]>();
      for (const d of known) {
        const v = d.facts![field];
        if (v) seen.set(v, [...(seen.get(v) ?? []), d]);
      }
      for (const [value, dups] of seen) {
        if (dups.length > 1) {
          out.push(
            issue(
              `unique-${field}`,
              'block',
              `${names(dups)} share the ${label} ${value}; every host needs its own.`,
              field === 'machineId'
                ? 'Regenerate it on cloned devices: rm /etc/machine-id && systemd-machine-id-setup, then reboot.'
                : 'Give each device its own host name (hostnamectl set-hostname).',
              SOURCES.multiNode,
              ids(dups),
            ),
          );
        }
      }
    }
    if (known.length < members.length) {
      out.push(
        issue(
          'facts-missing',
          'warn',
          `${names(members.filter((d) => !d.facts))} ${members.length - known.length > 1 ? 'have' : 'has'} not been read yet, so cluster-wide rules could not check ${members.length - known.length > 1 ? 'them' : 'it'}.`,
          'Connect and read the hardware of every device.',
          SOURCES.installer,
        ),
      );
    }
  }
  return out;
}

const names = (ds: PlanDevice[]) => ds.map((d) => d.label).join(', ');
const ids = (ds: PlanDevice[]) => ds.map((d) => d.id);
