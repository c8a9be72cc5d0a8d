import type { HostFacts } from '../../common/model/host-facts';
import { defaultPlan, type Plan } from '../../common/plan/model';

const GiB = 2 ** 30;

/** A device that meets every requirement: each test changes one thing. */
export function goodFacts(over: Partial<HostFacts> = {}): HostFacts {
  return {
    collectedAt: '2026-01-01T00:00:00Z',
    source: 'ssh',
    hostname: 'edge-1',
    machineId: '0123456789abcdef0123456789abcdef',
    arch: 'amd64',
    rawArch: 'x86_64',
    kernel: '5.15.0-100-generic',
    cpuCores: 8,
    cpuModel: 'Intel',
    memoryBytes: 16 * GiB,
    swapBytes: 0,
    os: { id: 'ubuntu', idLike: ['debian'], versionId: '22.04', prettyName: 'Ubuntu 22.04.5 LTS' },
    disks: [{ name: 'nvme0n1', sizeBytes: 256e9, rotational: false, transport: 'nvme', model: 'X', holdsRoot: true }],
    rootDisk: 'nvme0n1',
    filesystems: [],
    systemd: true,
    loginShell: '/bin/bash',
    binSh: '/usr/bin/dash',
    nics: [{ name: 'eth0', state: 'UP', mac: null, addresses: [{ family: 'inet', address: '10.0.0.11', prefix: 24 }] }],
    software: {
      commands: { jq: true, zstd: true, rsync: true, iptables: true, rsyslogd: true, conntrack: true, bash: true, curl: true },
      units: {
        'systemd-timesyncd': true,
        'systemd-resolved': true,
        'systemd-networkd': true,
        rsyslog: true,
        docker: false,
        containerd: false,
      },
      rsyslogEnabled: true,
      docker: { engine: false, client: false },
      clock: { synchronized: true, ntpEnabled: true, offsetMs: 12, uncertaintyMs: 20, serverOffsetMs: -3 },
      listeningPorts: [22],
      agent: { installed: false, version: null, fips: null, setupDone: false, stylusRoot: '/' },
      fipsMode: false,
      selinux: null,
      cgroupV2: true,
      swapActive: false,
      freeSpace: [{ path: '/var/lib/spectro', availableBytes: 50 * GiB }],
    },
    unknown: [],
    ...over,
  };
}

export function plan(over: Partial<Plan> = {}): Plan {
  return { ...defaultPlan(), roles: { d1: 'control-plane' }, leader: 'd1', ...over };
}

export function withSoftware(over: Partial<HostFacts['software']>): HostFacts {
  const f = goodFacts();
  return { ...f, software: { ...f.software, ...over } };
}
