import type { DiskFact, HostFacts, NicFact } from '../model/host-facts';
import { normalizeArch } from '../parsers/arch';
import { parseCpuinfo, parseLscpu } from '../parsers/cpu';
import { parseDf } from '../parsers/df';
import { parseIpAddrJson, parseIpAddrOneline } from '../parsers/ip-addr';
import { inferTransport, parseLsblk } from '../parsers/lsblk';
import { parseMeminfo } from '../parsers/meminfo';
import { parseOsRelease } from '../parsers/os-release';
import { parseAgentVersion, parseStylusRoot } from '../parsers/agent-version';
import { parseListeningPorts } from '../parsers/listening';
import { parseTimedatectl } from '../parsers/timedatectl';
import type { SoftwareFacts } from '../model/host-facts';
import probeScript from './device-probe.sh?raw';
import { splitSections } from './sections';

/**
 * The device probe (device-probe.sh): one POSIX sh script sent on stdin (nothing to quote), run
 * unprivileged. Every command tolerates absence: BusyBox images, minimal installs, old util-linux.
 */
export const DEVICE_PROBE_SCRIPT: string = probeScript;

export interface ProbeTiming {
  sentAt: number; // laptop ms when the probe was sent
  receivedAt: number; // laptop ms when its output had arrived
}

export function parseDeviceProbe(output: string, collectedAt = new Date().toISOString(), timing?: ProbeTiming): HostFacts {
  const sec = splitSections(output);
  const get = (k: string) => sec.get(k)?.trim() ?? '';
  const unknown: string[] = [];
  const attempt = <T>(name: string, fn: () => T | null, fallback: T): T => {
    try {
      const v = fn();
      if (v === null || (Array.isArray(v) && v.length === 0)) unknown.push(name);
      return v ?? fallback;
    } catch {
      unknown.push(name);
      return fallback;
    }
  };

  const [kernelRelease, machine] = get('uname').split(/\s+/);
  const rawArch = machine || null;
  const lscpu = get('lscpu') ? parseLscpu(get('lscpu')) : null;
  const cpuinfo = parseCpuinfo(get('cpuinfo'));
  const nproc = /^\d+$/.test(get('nproc')) ? Number(get('nproc')) : null;
  const mem = parseMeminfo(get('meminfo'));
  const os = parseOsRelease(get('os-release'));
  const disks = attempt('disks', () => readDisks(get('lsblk'), get('sys-block'), get('root-source')), [] as DiskFact[]);
  const space = readSpace(get('space'));
  const nics = attempt('nics', () => readNics(get('ip')), [] as NicFact[]);
  const systemdLines = get('systemd').split('\n');

  const facts: HostFacts = {
    collectedAt,
    source: 'ssh',
    hostname: get('hostname') || null,
    machineId: /^[0-9a-f]{32}$/i.test(get('machine-id')) ? get('machine-id') : null,
    serial: serialNumber(get('serial')),
    arch: normalizeArch(rawArch ?? lscpu?.arch),
    rawArch: rawArch ?? lscpu?.arch ?? null,
    kernel: kernelRelease || null,
    cpuCores: nproc ?? lscpu?.online ?? lscpu?.cpus ?? cpuinfo.logicalCpus,
    cpuModel: lscpu?.model ?? cpuinfo.model,
    memoryBytes: mem.memTotalBytes,
    swapBytes: mem.swapTotalBytes,
    os: { id: os.id, idLike: os.idLike, versionId: os.versionId, prettyName: os.prettyName },
    disks,
    rootDisk: disks.find((d) => d.holdsRoot)?.name ?? null,
    filesystems: space.filesystems,
    systemd: sec.has('systemd') ? systemdLines.includes('running') : null,
    loginShell: get('login-shell') || null,
    binSh: get('bin-sh') || null,
    nics,
    software: readSoftware(sec, space.freeSpace, timing),
    unknown,
  };
  for (const [key, value] of [
    ['hostname', facts.hostname],
    ['machine-id', facts.machineId],
    ['architecture', facts.rawArch],
    ['kernel', facts.kernel],
    ['cpu', facts.cpuCores],
    ['memory', facts.memoryBytes],
    ['os-release', facts.os.id],
  ] as const) {
    if (value === null) unknown.push(key);
  }
  if (!sec.has('end')) unknown.push('probe-incomplete');
  return facts;
}

function readDisks(lsblk: string, sysBlock: string, rootSource: string): DiskFact[] | null {
  let disks = lsblk ? parseLsblk(lsblk) : [];
  if (disks.length === 0 && sysBlock) disks = parseSysBlock(sysBlock);
  if (disks.length === 0) return null;
  if (!disks.some((d) => d.holdsRoot) && rootSource.startsWith('/dev/')) {
    // lsblk could not see the root mount (old lsblk, container view): match the root device's name.
    const dev = rootSource.slice(5);
    const owner = disks.filter((d) => dev.startsWith(d.name)).sort((a, b) => b.name.length - a.name.length)[0];
    if (owner) owner.holdsRoot = true;
  }
  return disks;
}

/** /sys/block fallback: "name rotational size-in-512-byte-sectors". Virtual devices are skipped. */
function parseSysBlock(text: string): DiskFact[] {
  return text
    .split('\n')
    .map((l) => l.trim().split(/\s+/))
    .filter((w) => w.length === 3 && !/^(loop|ram|zram|dm-|md|sr|fd)/.test(w[0]!))
    .map(([name, rota, sectors]) => ({
      name: name!,
      sizeBytes: /^\d+$/.test(sectors!) ? Number(sectors) * 512 : null,
      rotational: rota === '1' ? true : rota === '0' ? false : null,
      transport: inferTransport(name!),
      model: null,
      holdsRoot: false,
    }));
}

function readNics(ip: string): NicFact[] | null {
  if (!ip) return null;
  return ip.trimStart().startsWith('[') ? parseIpAddrJson(ip) : parseIpAddrOneline(ip);
}

function readSoftware(sec: Map<string, string>, freeSpace: SoftwareFacts['freeSpace'], timing?: ProbeTiming): SoftwareFacts {
  const get = (k: string) => sec.get(k)?.trim() ?? '';
  const yesNo = (text: string) =>
    Object.fromEntries(
      text
        .split('\n')
        .map((l) => l.trim().split(/\s+/))
        .filter((w) => w.length === 2)
        .map(([k, v]) => [k!, v === 'yes']),
    );
  const clock = parseTimedatectl(get('timedatectl'));
  const deviceNs = /^\d{18,20}$/.test(get('clock')) ? BigInt(get('clock')) : null; // BusyBox date prints no %N
  const offset = deviceNs !== null && timing ? Number(deviceNs / 1_000_000n) - (timing.sentAt + timing.receivedAt) / 2 : null;
  const agentLines = get('agent').split('\n');
  const agentVersion = parseAgentVersion(get('agent'));
  const selinux = get('selinux').toLowerCase();
  const swaps = get('swaps')
    .split('\n')
    .filter((l) => l.trim() && !l.startsWith('Filename'));
  return {
    commands: yesNo(get('commands')),
    units: yesNo(get('units')),
    unitsEnabled: Object.fromEntries(
      get('units-enabled')
        .split('\n')
        .map((l) => l.trim().split(/\s+/))
        .filter((p) => p.length === 2)
        .map(([u, e]) => [u!, e!]),
    ),
    rsyslogEnabled: get('rsyslog-enabled') ? get('rsyslog-enabled') === 'enabled' : null,
    docker: { engine: get('docker').includes('engine'), client: get('docker').includes('client') },
    clock: {
      synchronized: clock.synchronized,
      ntpEnabled: clock.ntpEnabled,
      offsetMs: offset === null ? null : Math.round(offset),
      uncertaintyMs: offset === null || !timing ? null : Math.ceil((timing.receivedAt - timing.sentAt) / 2),
      serverOffsetMs: clock.serverOffsetMs,
    },
    listeningPorts: sec.has('listening') ? parseListeningPorts(get('listening')) : [],
    agent: {
      installed: agentLines.includes('binary'),
      version: agentVersion.version,
      fips: agentVersion.fips,
      setupDone: agentLines.includes('setup_done'),
      stylusRoot: parseStylusRoot(get('agent-env')),
    },
    fipsMode: get('fips') === '1' ? true : get('fips') === '0' ? false : null,
    selinux:
      selinux === '1' || selinux === 'enforcing'
        ? 'enforcing'
        : selinux === '0' || selinux === 'permissive'
          ? 'permissive'
          : selinux === 'disabled'
            ? 'disabled'
            : null,
    cgroupV2: get('cgroup') ? get('cgroup') === 'cgroup2fs' : null,
    selinuxRsync: parseSelinuxRsync(get('selinux-rsync')),
    firewalld: parseFirewalld(get('firewalld')),
    swapActive: sec.has('swaps') && get('swaps') !== '' ? swaps.length > 0 : null,
    freeSpace,
  };
}

/**
 * The space section: "path <wanted> <nearest existing>" lines, then one `df -Pk` over the nearest
 * folders, whose rows come in the same order.
 */
function readSpace(text: string): { filesystems: HostFacts['filesystems']; freeSpace: SoftwareFacts['freeSpace'] } {
  const lines = text.split('\n');
  const wanted = lines.filter((l) => l.startsWith('path ')).map((l) => l.split(' ')[1]!);
  const df = lines.filter((l) => !l.startsWith('path ')).join('\n');
  let rows: HostFacts['filesystems'] = [];
  try {
    rows = parseDf(df);
  } catch {
    rows = [];
  }
  const freeSpace = wanted.map((path, i) => ({ path, availableBytes: rows.length === wanted.length ? rows[i]!.availableBytes : null }));
  const seen = new Set<string>();
  const filesystems = rows.filter((r) => !seen.has(r.mount) && seen.add(r.mount));
  return { filesystems, freeSpace };
}

/** The board's serial, readable by root only on most machines; firmware placeholders are not serials. */
export function serialNumber(raw: string): string | null {
  const v = raw.trim();
  if (!v || /^(to be filled.*|default string|system serial number|not specified|none|0+|n\/a)$/i.test(v)) return null;
  return v.slice(0, 80);
}

/** `getsebool rsync_full_access` ("rsync_full_access --> on") and whether semodule lists rsync_dac_override. */
export function parseSelinuxRsync(text: string): HostFacts['software']['selinuxRsync'] {
  const bool = /^rsync_full_access\s+-->\s+(on|off)\s*$/m.exec(text)?.[1];
  const module = /^module (present|absent|unreadable)$/m.exec(text)?.[1];
  return {
    fullAccess: bool === 'on' ? true : bool === 'off' ? false : null,
    module: module === 'present' ? true : module === 'absent' ? false : null,
  };
}

/** "inactive", or "active" then `firewall-cmd --list-ports` ("6443/tcp 8472/udp ...") or "unreadable". */
export function parseFirewalld(text: string): HostFacts['software']['firewalld'] {
  const lines = text.split('\n').map((l) => l.trim());
  if (lines[0] === 'inactive') return { active: false, ports: [] };
  if (lines[0] !== 'active') return null;
  const rest = lines.slice(1).join(' ').trim();
  return { active: true, ports: rest === 'unreadable' ? null : rest.split(/\s+/).filter(Boolean) };
}
