/** What the wizard knows about one device's hardware and OS, from one probe. */

export type Arch = 'amd64' | 'arm64' | 'other';

export interface DiskFact {
  name: string; // kernel name, e.g. nvme0n1, sda, vda, mmcblk0
  sizeBytes: number | null;
  /** true = spinning disk, false = solid state, null = unknown. Virtio disks report true; see `transport`. */
  rotational: boolean | null;
  transport: string | null; // nvme, sata, usb, virtio (inferred from name), mmc ...
  model: string | null;
  holdsRoot: boolean;
}

export interface NicFact {
  name: string;
  state: string | null; // UP, DOWN, UNKNOWN
  mac: string | null;
  addresses: { family: 'inet' | 'inet6'; address: string; prefix: number }[];
}

export interface FilesystemFact {
  mount: string;
  source: string;
  sizeBytes: number;
  availableBytes: number;
}

export interface OsFact {
  id: string | null; // ubuntu, rocky, rhel, debian ...
  idLike: string[];
  versionId: string | null;
  prettyName: string | null;
}

export interface HostFacts {
  collectedAt: string; // ISO time
  source: 'ssh' | 'local';
  hostname: string | null;
  machineId: string | null;
  /** From /sys/class/dmi/id/product_serial when readable (root), else null. */
  serial?: string | null;
  arch: Arch;
  rawArch: string | null; // what uname -m (or Node) said
  kernel: string | null;
  cpuCores: number | null; // logical CPUs online
  cpuModel: string | null;
  memoryBytes: number | null;
  swapBytes: number | null;
  os: OsFact;
  disks: DiskFact[];
  rootDisk: string | null; // name of the disk holding '/', when known
  filesystems: FilesystemFact[];
  systemd: boolean | null; // systemd is the running init
  loginShell: string | null; // the connecting user's login shell
  binSh: string | null; // what /bin/sh resolves to
  nics: NicFact[];
  software: SoftwareFacts;
  /** Sections that could not be read (missing command, unreadable file), to show as "unknown". */
  unknown: string[];
}

/** What is installed and running, read in the same round trip as the hardware. */
export interface SoftwareFacts {
  /** Commands found on PATH: jq, zstd, rsync, iptables, rsyslogd, conntrack, bash, curl. */
  commands: Record<string, boolean>;
  /** systemd unit files present: systemd-timesyncd, systemd-resolved, systemd-networkd, rsyslog, docker, containerd. */
  units: Record<string, boolean>;
  /** `systemctl is-enabled` of systemd-networkd, -resolved and -timesyncd ("enabled", "disabled", "masked", "absent"...). */
  unitsEnabled?: Record<string, string>;
  rsyslogEnabled: boolean | null;
  docker: { engine: boolean; client: boolean };
  clock: {
    synchronized: boolean | null;
    ntpEnabled: boolean | null;
    /** Device clock minus this laptop's clock, measured across the probe, in ms (± uncertaintyMs). */
    offsetMs: number | null;
    uncertaintyMs: number | null;
    serverOffsetMs: number | null;
  };
  listeningPorts: number[];
  agent: { installed: boolean; version: string | null; fips: boolean | null; setupDone: boolean; stylusRoot: string };
  fipsMode: boolean | null;
  selinux: 'enforcing' | 'permissive' | 'disabled' | null;
  cgroupV2: boolean | null;
  /**
   * What the FIPS agent on Rocky needs of SELinux for rsync: the boolean rsync_full_access and the policy module
   * rsync_dac_override (null: could not be read, e.g. semodule needs root). Absent on older probes.
   */
  selinuxRsync?: { fullAccess: boolean | null; module: boolean | null };
  /** firewalld: running or not, and the ports its default zone opens (null: could not be read). */
  firewalld?: { active: boolean; ports: string[] | null } | null;
  swapActive: boolean | null;
  /** Free space at the places the bundle and the agent go (nearest existing folder). */
  freeSpace: { path: string; availableBytes: number | null }[];
}
