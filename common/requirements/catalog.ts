import type { Arch } from '../model/host-facts';
import type { AgentFlavour, Cni, Distribution, ManagementMode, Role, Topology } from '../plan/model';
import { SOURCES, type Source } from './sources';

/**
 * The requirements catalog: data, versioned, one entry per thing measured on a device. Where two public
 * pages disagree both are recorded (the architecture page's 4 cores / 4 GB / 32 GB SSD block; the install
 * page's 8 GB / 100 GB only warn) and the technician sees which page says what.
 */
export const CATALOG_VERSION = '2026.11.1';

export type MeasureId =
  | 'cpuCores'
  | 'memoryBytes'
  | 'rootDiskBytes'
  | 'rootDiskKind'
  | 'arch'
  | 'systemd'
  | 'loginShell'
  | 'dockerEngine'
  | 'command:jq'
  | 'command:zstd'
  | 'command:rsync'
  | 'command:iptables'
  | 'command:rsyslogd'
  | 'command:conntrack'
  | 'unit:systemd-timesyncd'
  | 'unit:systemd-resolved'
  | 'unit:systemd-networkd'
  | 'enabled:systemd-timesyncd'
  | 'enabled:systemd-resolved'
  | 'enabled:systemd-networkd'
  | 'rsyslogEnabled'
  | 'clockSynchronized'
  | 'clockOffsetMs'
  | 'stagingFreeBytes'
  | 'clusterPortsInUse'
  | 'agentInstalled'
  | 'osId'
  | 'osIdVersion'
  | 'fipsMode'
  | 'swapActive'
  | 'cgroupV2'
  | 'selinuxRsync'
  | 'firewalldCilium';

export type Threshold =
  | { kind: 'atLeast'; value: number; unit: 'cores' | 'bytes' }
  | { kind: 'atMostAbs'; value: number; unit: 'ms' }
  | { kind: 'is'; value: boolean | string }
  | { kind: 'oneOf'; values: string[] }
  | { kind: 'noneOf'; values: string[] }
  | { kind: 'empty' };

export interface AppliesTo {
  distributions?: Distribution[];
  roles?: Role[];
  modes?: ManagementMode[];
  arches?: Arch[];
  flavours?: AgentFlavour[];
  cnis?: Cni[];
  topologies?: Topology[];
  /** Kubernetes at or above this minor version ("1.32"). */
  minKubernetes?: string;
  /** Plan switches that bring the requirement in. */
  planFlags?: ('paletteManagesNtp' | 'paletteManagesNetwork' | 'overlay')[];
  /** What this device's site settings ask for that brings the requirement in (see siteNeeds). */
  siteNeeds?: (keyof SiteNeeds)[];
}

/** What a device's user-data will ask of its OS, from the site settings. */
export interface SiteNeeds {
  /** A static address on a NIC: systemd-networkd applies it. */
  staticAddress: boolean;
  /** stylus.site.network.nameserver (or a static NIC's DNS): systemd-resolved applies it. */
  nameserver: boolean;
  /** stylus.site.ntpServers: systemd-timesyncd applies them. */
  ntpServers: boolean;
}

export const NO_SITE_NEEDS: SiteNeeds = { staticAddress: false, nameserver: false, ntpServers: false };

export interface Requirement {
  id: string;
  title: string;
  measure: MeasureId;
  threshold: Threshold;
  severity: 'block' | 'warn';
  /** false: no reason makes it work (an architecture the agent is not built for, say). */
  overridable: boolean;
  appliesTo?: AppliesTo;
  source: Source;
  note?: string;
  fix: string;
}

function enabledUnit(unit: 'systemd-networkd' | 'systemd-resolved' | 'systemd-timesyncd', need: keyof SiteNeeds, why: string): Requirement {
  return {
    id: `enabled-${unit}`,
    title: `${unit} is installed and enabled`,
    measure: `enabled:${unit}`,
    threshold: { kind: 'is', value: true },
    severity: 'block',
    // Not overridable: the device would come back without the address, DNS or time the site asked for.
    overridable: false,
    appliesTo: { siteNeeds: [need] },
    source: SOURCES.install,
    note: why,
    fix: `Install ${unit} and run: systemctl enable ${unit} (on the console: enabling systemd-networkd over SSH can cut the session), or remove that setting on the Site step.`,
  };
}

/** The ports of the install page's firewalld script that Kubernetes and Cilium cannot work without. */
export const FIREWALLD_CILIUM_PORTS = ['6443/tcp', '2379-2380/tcp', '10250/tcp', '8472/udp', '4240/tcp'];

const GB = 1_000_000_000; // drives are sold in decimal GB
const GiB = 2 ** 30;
/** MemTotal excludes memory the firmware and kernel keep: a "4 GB" device reports about 3.8 GiB. */
const memoryGB = (gb: number) => Math.round((gb - 0.5) * GiB);
const CLUSTER_PORTS = ['6443', '2379', '2380', '10250', '5080'];

const pkg = (name: string, command: MeasureId, appliesTo?: AppliesTo, why?: string): Requirement => ({
  id: `package-${name}`,
  title: `${name} is installed`,
  measure: command,
  threshold: { kind: 'is', value: true },
  severity: 'block',
  overridable: true,
  ...(appliesTo && { appliesTo }),
  source: SOURCES.install,
  ...(why && { note: why }),
  fix: `Install it on the device: apt-get install -y ${name} (Ubuntu/Debian) or dnf install -y ${name} (RHEL/Rocky), then check again.`,
});

export const CATALOG: Requirement[] = [
  {
    id: 'cpu-cores',
    title: 'At least 4 CPU cores',
    measure: 'cpuCores',
    threshold: { kind: 'atLeast', value: 4, unit: 'cores' },
    severity: 'block',
    overridable: true,
    source: SOURCES.architecture,
    note: 'The install page asks for only 2 CPUs; the architecture page (4 cores) is the stricter and is enforced. Workloads need more.',
    fix: 'Use a device with at least 4 cores, or give the VM more vCPUs.',
  },
  {
    id: 'memory-minimum',
    title: 'At least 4 GB of memory',
    measure: 'memoryBytes',
    threshold: { kind: 'atLeast', value: memoryGB(4), unit: 'bytes' },
    severity: 'block',
    overridable: true,
    source: SOURCES.architecture,
    note: 'Measured as MemTotal, which is a little below the installed size; 3.5 GiB counts as 4 GB.',
    fix: 'Add memory or use a larger device.',
  },
  {
    id: 'memory-recommended',
    title: '8 GB of memory recommended',
    measure: 'memoryBytes',
    threshold: { kind: 'atLeast', value: memoryGB(8), unit: 'bytes' },
    severity: 'warn',
    overridable: true,
    source: SOURCES.install,
    note: "The install page asks for 8 GB; the architecture page's minimum is 4 GB.",
    fix: 'Plan for 8 GB or more if the cluster will run workloads.',
  },
  {
    id: 'main-drive-size',
    title: 'Main drive of at least 32 GB',
    measure: 'rootDiskBytes',
    threshold: { kind: 'atLeast', value: 32 * GB, unit: 'bytes' },
    severity: 'block',
    overridable: true,
    source: SOURCES.architecture,
    fix: 'Install the OS on a drive of 32 GB or more.',
  },
  {
    id: 'main-drive-ssd',
    title: 'Main drive is an SSD',
    measure: 'rootDiskKind',
    threshold: { kind: 'is', value: 'ssd' },
    severity: 'block',
    overridable: true,
    source: SOURCES.architecture,
    note: "Virtual disks (virtio, Xen) report themselves as spinning whatever backs them: they show as unknown, to be checked with the host's owner.",
    fix: 'Install the OS on an SSD or NVMe drive.',
  },
  {
    id: 'storage-recommended',
    title: '100 GB of storage recommended',
    measure: 'rootDiskBytes',
    threshold: { kind: 'atLeast', value: 100 * GB, unit: 'bytes' },
    severity: 'warn',
    overridable: true,
    source: SOURCES.install,
    note: "The install page asks for 100 GB; the architecture page's minimum is 32 GB.",
    fix: 'Plan for 100 GB or more for images and workloads.',
  },
  {
    id: 'architecture',
    title: 'AMD64 or ARM64',
    measure: 'arch',
    threshold: { kind: 'oneOf', values: ['amd64', 'arm64'] },
    severity: 'block',
    overridable: false,
    source: SOURCES.architecture,
    note: 'The agent is built for these two only. (The online install script only warns; this installer blocks.)',
    fix: 'Use an AMD64 or ARM64 device with a 64-bit OS (a Raspberry Pi needs the 64-bit OS).',
  },
  {
    id: 'arm64-airgap',
    title: 'ARM64 with local (airgapped) management',
    measure: 'arch',
    threshold: { kind: 'oneOf', values: ['amd64'] },
    severity: 'warn',
    overridable: true,
    appliesTo: { modes: ['local'] },
    source: SOURCES.install,
    note: 'ARM64 airgap was once documented as unsupported (no ARM64 Harbor image).',
    fix: 'Confirm with Spectro Cloud that the content bundle has ARM64 images.',
  },
  {
    id: 'systemd',
    title: 'systemd is the init system',
    measure: 'systemd',
    threshold: { kind: 'is', value: true },
    severity: 'block',
    overridable: false,
    source: SOURCES.install,
    fix: 'Use a Linux distribution that boots with systemd.',
  },
  {
    id: 'bash-shell',
    title: 'bash is the default shell',
    measure: 'loginShell',
    threshold: { kind: 'is', value: 'bash' },
    severity: 'block',
    overridable: true,
    source: SOURCES.install,
    fix: 'Make bash the login shell of the install user: chsh -s /bin/bash <user>.',
  },
  {
    id: 'docker-absent',
    title: 'Docker is not installed',
    measure: 'dockerEngine',
    threshold: { kind: 'is', value: false },
    severity: 'block',
    overridable: true,
    source: SOURCES.install,
    note: "The Docker engine (dockerd or its socket) conflicts with the agent's container runtime; a docker client alone does not.",
    fix: 'Remove Docker: apt-get purge docker-ce docker.io containerd (or dnf remove), then check again.',
  },
  pkg('jq', 'command:jq'),
  pkg('zstd', 'command:zstd'),
  pkg('rsync', 'command:rsync'),
  pkg('iptables', 'command:iptables'),
  pkg('rsyslog', 'command:rsyslogd'),
  {
    id: 'rsyslog-enabled',
    title: 'rsyslog is enabled',
    measure: 'rsyslogEnabled',
    threshold: { kind: 'is', value: true },
    severity: 'warn',
    overridable: true,
    source: SOURCES.install,
    fix: 'systemctl enable --now rsyslog',
  },
  pkg('conntrack', 'command:conntrack', { distributions: ['pxke'] }, 'PXK-E needs conntrack.'),
  pkg('systemd-timesyncd', 'unit:systemd-timesyncd', { planFlags: ['paletteManagesNtp'] }, 'Needed when Palette manages NTP.'),
  pkg(
    'systemd-resolved',
    'unit:systemd-resolved',
    { planFlags: ['paletteManagesNetwork', 'overlay'] },
    'Needed when Palette manages DNS, static IPs or the overlay.',
  ),
  pkg(
    'systemd-networkd',
    'unit:systemd-networkd',
    { planFlags: ['paletteManagesNetwork', 'overlay'] },
    'Needed when Palette manages DNS, static IPs or the overlay. Enabling it over SSH can cut the session.',
  ),
  // The newest install page: static addressing, nameserver and NTP servers in the user-data need these three
  // installed AND enabled; otherwise the setting is silently not applied, or the device loses its network.
  enabledUnit('systemd-networkd', 'staticAddress', 'A static address in the user-data is applied by systemd-networkd.'),
  enabledUnit('systemd-resolved', 'nameserver', 'A nameserver in the user-data is applied by systemd-resolved.'),
  enabledUnit('systemd-timesyncd', 'ntpServers', 'NTP servers in the user-data are applied by systemd-timesyncd.'),
  {
    id: 'clock-synchronized',
    title: 'Clock synchronised (NTP)',
    measure: 'clockSynchronized',
    threshold: { kind: 'is', value: true },
    severity: 'warn',
    overridable: true,
    appliesTo: { topologies: ['single'] },
    source: SOURCES.install,
    fix: 'Point the device at an NTP server on site: timedatectl set-ntp true, and set NTP= in /etc/systemd/timesyncd.conf.',
  },
  {
    id: 'clock-synchronized-multi',
    title: 'Clock synchronised on every host of a multi-node cluster',
    measure: 'clockSynchronized',
    threshold: { kind: 'is', value: true },
    severity: 'block',
    overridable: true,
    appliesTo: { topologies: ['multi'] },
    source: SOURCES.install,
    note: 'Multi-node hosts must be time-synced (etcd and certificates).',
    fix: 'Point every host at the same NTP server: timedatectl set-ntp true, NTP= in /etc/systemd/timesyncd.conf.',
  },
  {
    id: 'clock-offset',
    title: 'Clock within 5 s of this laptop',
    measure: 'clockOffsetMs',
    threshold: { kind: 'atMostAbs', value: 5000, unit: 'ms' },
    severity: 'warn',
    overridable: true,
    source: SOURCES.installer,
    note: "Measured across the probe against this laptop's clock; certificates and registration tokens are time-bound.",
    fix: 'Set the clock (timedatectl set-time, or NTP), then check again.',
  },
  {
    id: 'clock-offset-large',
    title: 'Clock within 5 minutes of this laptop',
    measure: 'clockOffsetMs',
    threshold: { kind: 'atMostAbs', value: 300_000, unit: 'ms' },
    severity: 'block',
    overridable: true,
    source: SOURCES.installer,
    note: 'A clock minutes off makes freshly issued certificates "not yet valid" and tokens expired.',
    fix: 'Set the clock (timedatectl set-time "YYYY-MM-DD HH:MM:SS" or enable NTP), then check again.',
  },
  {
    id: 'staging-space',
    title: 'At least 10 GiB free where the agent is staged (/var/lib/spectro)',
    measure: 'stagingFreeBytes',
    threshold: { kind: 'atLeast', value: 10 * GiB, unit: 'bytes' },
    severity: 'block',
    overridable: true,
    source: SOURCES.installer,
    note: 'The bundle is uploaded, staged and extracted on this filesystem; the exact need is checked again against the chosen bundle.',
    fix: 'Free space on the filesystem holding /var/lib (journal, old images), or grow it.',
  },
  {
    id: 'cluster-ports-free',
    title: 'Cluster ports are free (6443, 2379-2380, 10250, 5080)',
    measure: 'clusterPortsInUse',
    threshold: { kind: 'empty' },
    severity: 'block',
    overridable: true,
    source: SOURCES.ports,
    note: `Ports checked: ${CLUSTER_PORTS.join(', ')}.`,
    fix: 'Stop whatever listens on those ports (ss -tlnp shows it); if it is an earlier Kubernetes or agent, use Upgrade or uninstall it.',
  },
  {
    id: 'agent-not-installed',
    title: 'No Palette agent installed yet',
    measure: 'agentInstalled',
    threshold: { kind: 'is', value: false },
    severity: 'warn',
    overridable: true,
    source: SOURCES.installer,
    fix: 'Use Upgrade for a device that already runs the agent, or uninstall it first (palette-agent uninstall).',
  },
  {
    id: 'os-verified',
    title: 'A verified OS (Ubuntu, Rocky, RHEL)',
    measure: 'osId',
    threshold: { kind: 'oneOf', values: ['ubuntu', 'rocky', 'rhel'] },
    severity: 'warn',
    overridable: true,
    source: SOURCES.verified,
    note: 'Verified combinations: Ubuntu AMD64 + PXK-E/Calico, Ubuntu AMD64 + K3s/Flannel, Rocky 8.10 + PXK-E/Cilium.',
    fix: 'Prefer Ubuntu or Rocky Linux; other distributions may work but are not verified.',
  },
  {
    id: 'canonical-ubuntu',
    title: 'Palette Optimized Canonical runs on Ubuntu only',
    measure: 'osId',
    threshold: { kind: 'oneOf', values: ['ubuntu'] },
    severity: 'block',
    overridable: false,
    appliesTo: { distributions: ['canonical'] },
    source: SOURCES.limitations,
    fix: 'Choose PXK-E or K3s for this device, or reinstall it with Ubuntu.',
  },
  {
    id: 'canonical-amd64',
    title: 'Palette Optimized Canonical runs on AMD64 only',
    measure: 'arch',
    threshold: { kind: 'oneOf', values: ['amd64'] },
    severity: 'block',
    overridable: false,
    appliesTo: { distributions: ['canonical'] },
    source: SOURCES.limitations,
    fix: 'Choose PXK-E or K3s for ARM64 devices.',
  },
  {
    id: 'fips-os',
    title: 'The FIPS agent runs on RHEL or Rocky 8 only',
    measure: 'osIdVersion',
    threshold: { kind: 'oneOf', values: ['rhel 8', 'rocky 8'] },
    severity: 'block',
    overridable: false,
    appliesTo: { flavours: ['fips'] },
    source: SOURCES.install,
    fix: 'Use the standard agent, or a RHEL/Rocky 8 device.',
  },
  {
    id: 'fips-kernel',
    title: 'Kernel FIPS mode is on for the FIPS agent',
    measure: 'fipsMode',
    threshold: { kind: 'is', value: true },
    severity: 'warn',
    overridable: true,
    appliesTo: { flavours: ['fips'] },
    source: SOURCES.installer,
    fix: 'Enable FIPS mode (fips-mode-setup --enable) and reboot.',
  },
  {
    id: 'el8-kernel-k8s-1.32',
    title: 'RHEL/Rocky 8 (kernel 4.18) with Kubernetes 1.32 or later: check the kernel features you need',
    measure: 'osIdVersion',
    threshold: { kind: 'noneOf', values: ['rhel 8', 'rocky 8'] },
    // A warning, never a block: no Palette page forbids it (Rocky 8.10 with PXK-E is a verified combination);
    // the upstream page lists the kernel versions newer features need.
    severity: 'warn',
    overridable: true,
    appliesTo: { distributions: ['pxke'], minKubernetes: '1.32' },
    source: SOURCES.k8sKernel,
    note: 'Several newer Kubernetes features need kernels newer than the 4.18 of RHEL/Rocky 8; the Palette docs list Rocky 8.10 with PXK-E as verified.',
    fix: 'Keep it if the workloads need none of those features; otherwise choose a newer OS.',
  },
  {
    id: 'swap-off',
    title: 'Swap is off',
    measure: 'swapActive',
    threshold: { kind: 'is', value: false },
    severity: 'warn',
    overridable: true,
    source: SOURCES.k8sSwap,
    fix: 'swapoff -a, and remove the swap line from /etc/fstab.',
  },
  {
    id: 'cgroup-v2',
    title: 'cgroup v2',
    measure: 'cgroupV2',
    threshold: { kind: 'is', value: true },
    severity: 'warn',
    overridable: true,
    source: SOURCES.k8sCgroup,
    fix: 'Use an OS release that mounts cgroup v2 (Ubuntu 22.04+, RHEL 9), or boot with systemd.unified_cgroup_hierarchy=1.',
  },
  {
    id: 'fips-selinux-rsync',
    title: 'SELinux lets rsync work for the FIPS agent (rsync_full_access on, module rsync_dac_override installed)',
    measure: 'selinuxRsync',
    threshold: { kind: 'oneOf', values: ['allowed', 'SELinux not enforcing'] },
    severity: 'block',
    overridable: true,
    appliesTo: { flavours: ['fips'] },
    source: SOURCES.install,
    note: 'The install page: the FIPS agent on Rocky Linux needs SELinux to grant rsync the host permissions (a boolean and a small policy module).',
    fix: 'As root on the device: setsebool -P rsync_full_access 1; then build and install the rsync_dac_override policy module as the agent-mode install page shows (dnf install selinux-policy-devel audit; checkmodule, semodule_package, semodule --install).',
  },
  {
    id: 'fips-firewalld-cilium',
    title: 'firewalld opens the Kubernetes and Cilium ports',
    measure: 'firewalldCilium',
    threshold: { kind: 'oneOf', values: ['firewalld not running', 'ports open'] },
    severity: 'warn',
    overridable: true,
    appliesTo: { flavours: ['fips'], cnis: ['cilium'] },
    source: SOURCES.install,
    note: `The install page (Rocky, FIPS, Cilium with firewalld): open ${FIREWALLD_CILIUM_PORTS.join(', ')} among others, ESP and masquerade, in the zone of the host's interface.`,
    fix: "Run the install page's firewalld-cilium script with the interface's zone (firewall-cmd --permanent --zone=<zone> --add-port=...; firewall-cmd --reload), or stop firewalld if the site allows it.",
  },
];

export { CLUSTER_PORTS };
