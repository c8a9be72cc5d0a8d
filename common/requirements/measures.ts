import { formatBytes } from '../format';
import type { HostFacts } from '../model/host-facts';
import { CLUSTER_PORTS, FIREWALLD_CILIUM_PORTS, type MeasureId } from './catalog';

export type Measured = { value: number | boolean | string | string[] | null; shown: string };

const unknown: Measured = { value: null, shown: 'unknown' };
const bool = (v: boolean | null | undefined, yes = 'yes', no = 'no'): Measured =>
  v === null || v === undefined ? unknown : { value: v, shown: v ? yes : no };
const bytes = (v: number | null | undefined): Measured => (v === null || v === undefined ? unknown : { value: v, shown: formatBytes(v) });

/** Each measure is a pure read of the facts; null means the device could not tell. */
export function measure(id: MeasureId, f: HostFacts): Measured {
  const sw = f.software;
  if (id.startsWith('command:')) return bool(sw.commands[id.slice(8)], 'installed', 'missing');
  if (id.startsWith('unit:')) return bool(sw.units[id.slice(5)], 'installed', 'missing');
  if (id.startsWith('enabled:')) {
    const state = sw.unitsEnabled?.[id.slice(8)];
    if (!state) return unknown;
    return { value: ['enabled', 'enabled-runtime', 'alias'].includes(state), shown: state === 'absent' ? 'not installed' : state };
  }
  const root = f.disks.find((d) => d.holdsRoot);
  switch (id) {
    case 'cpuCores':
      return f.cpuCores === null ? unknown : { value: f.cpuCores, shown: `${f.cpuCores} core${f.cpuCores === 1 ? '' : 's'}` };
    case 'memoryBytes':
      return bytes(f.memoryBytes);
    case 'rootDiskBytes':
      return bytes(root?.sizeBytes);
    case 'rootDiskKind': {
      if (!root || root.rotational === null) return unknown;
      if (root.rotational === false) return { value: 'ssd', shown: `SSD (${root.name})` };
      if (root.transport === 'virtio' || root.transport === 'xen') return { value: null, shown: `virtual disk ${root.name}: cannot tell` };
      return { value: 'hdd', shown: `spinning disk (${root.name})` };
    }
    case 'arch':
      return { value: f.arch, shown: f.rawArch ? `${f.arch} (${f.rawArch})` : f.arch };
    case 'systemd':
      return bool(f.systemd, 'running', 'not running');
    case 'loginShell': {
      if (!f.loginShell) return unknown;
      const name = f.loginShell.split('/').pop() ?? '';
      return { value: name, shown: f.loginShell };
    }
    case 'dockerEngine':
      return {
        value: sw.docker.engine,
        shown: sw.docker.engine ? 'Docker engine installed' : sw.docker.client ? 'client only, no engine' : 'not installed',
      };
    case 'rsyslogEnabled':
      return bool(sw.rsyslogEnabled, 'enabled', 'not enabled');
    case 'clockSynchronized':
      return bool(sw.clock.synchronized, 'synchronised', 'not synchronised');
    case 'clockOffsetMs':
      return sw.clock.offsetMs === null
        ? unknown
        : {
            value: sw.clock.offsetMs,
            shown: `${formatOffset(sw.clock.offsetMs)}${sw.clock.uncertaintyMs !== null ? ` (± ${sw.clock.uncertaintyMs} ms)` : ''}`,
          };
    case 'stagingFreeBytes':
      return bytes(sw.freeSpace.find((s) => s.path === '/var/lib/spectro')?.availableBytes);
    case 'clusterPortsInUse': {
      const used = CLUSTER_PORTS.filter((p) => sw.listeningPorts.includes(Number(p)));
      return { value: used, shown: used.length ? `in use: ${used.join(', ')}` : 'all free' };
    }
    case 'agentInstalled':
      return {
        value: sw.agent.installed,
        shown: sw.agent.installed
          ? `installed${sw.agent.version ? ` (${sw.agent.version})` : ''}${sw.agent.setupDone ? ', set up' : ''}`
          : 'not installed',
      };
    case 'osId':
      return f.os.id ? { value: f.os.id, shown: f.os.prettyName ?? f.os.id } : unknown;
    case 'osIdVersion': {
      if (!f.os.id) return unknown;
      const major = (f.os.versionId ?? '').split('.')[0];
      return { value: `${f.os.id} ${major}`, shown: f.os.prettyName ?? `${f.os.id} ${f.os.versionId ?? ''}` };
    }
    case 'fipsMode':
      return bool(sw.fipsMode, 'on', 'off');
    case 'swapActive':
      return bool(sw.swapActive, 'on', 'off');
    case 'cgroupV2':
      return bool(sw.cgroupV2, 'cgroup v2', 'cgroup v1');
    case 'selinuxRsync': {
      if (sw.selinux !== null && sw.selinux !== 'enforcing') return { value: 'SELinux not enforcing', shown: `SELinux ${sw.selinux}` };
      const r = sw.selinuxRsync;
      if (sw.selinux === null || !r || r.fullAccess === null) return unknown;
      const missing = [
        ...(r.fullAccess ? [] : ['rsync_full_access off']),
        ...(r.module === false ? ['module rsync_dac_override missing'] : []),
      ];
      if (missing.length) return { value: missing.join(', '), shown: missing.join(', ') };
      // The module list needs root; the boolean alone is not the whole prerequisite.
      return r.module ? { value: 'allowed', shown: 'rsync_full_access on, module installed' } : unknown;
    }
    case 'firewalldCilium': {
      const fw = sw.firewalld;
      if (fw === undefined || fw === null) return unknown;
      if (!fw.active) return { value: 'firewalld not running', shown: 'firewalld not running' };
      if (!fw.ports) return { value: null, shown: 'firewalld running; its ports could not be read' };
      const missing = FIREWALLD_CILIUM_PORTS.filter((p) => !fw.ports!.includes(p));
      return missing.length
        ? { value: `missing ${missing.join(', ')}`, shown: `firewalld running, missing ${missing.join(', ')}` }
        : { value: 'ports open', shown: 'ports open' };
    }
  }
  return unknown;
}

function formatOffset(ms: number): string {
  const abs = Math.abs(ms);
  const sign = ms < 0 ? 'behind by ' : 'ahead by ';
  if (abs < 1000) return `${sign}${abs} ms`;
  if (abs < 120_000) return `${sign}${(abs / 1000).toFixed(1)} s`;
  return `${sign}${Math.round(abs / 60000)} min`;
}
