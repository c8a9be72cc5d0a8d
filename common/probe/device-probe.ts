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
import { PROBE_PRELUDE, splitSections } from './sections';

export const PROBED_COMMANDS = ['jq', 'zstd', 'rsync', 'iptables', 'rsyslogd', 'conntrack', 'bash', 'curl'];
export const PROBED_UNITS = ['systemd-timesyncd', 'systemd-resolved', 'systemd-networkd', 'rsyslog', 'docker', 'containerd'];
/** Where the bundle is staged and the agent goes; the nearest existing folder is measured. */
export const SPACE_PATHS = ['/var/lib/spectro', '/opt/spectrocloud', '/'];

/**
 * The device probe: one POSIX sh script sent on stdin (no quoting of anything), run unprivileged.
 * Every command tolerates absence: BusyBox images, minimal installs, old util-linux.
 */
export const DEVICE_PROBE_SCRIPT = `${PROBE_PRELUDE}
s uname-m; uname -m 2>/dev/null
s uname-r; uname -r 2>/dev/null
s hostname; cat /proc/sys/kernel/hostname 2>/dev/null || hostname 2>/dev/null
s machine-id; cat /etc/machine-id 2>/dev/null || cat /var/lib/dbus/machine-id 2>/dev/null
s nproc; nproc 2>/dev/null || getconf _NPROCESSORS_ONLN 2>/dev/null
s cpuinfo; cat /proc/cpuinfo 2>/dev/null
s lscpu; have lscpu && lscpu 2>/dev/null
s meminfo; cat /proc/meminfo 2>/dev/null
s os-release; cat /etc/os-release 2>/dev/null || cat /usr/lib/os-release 2>/dev/null
s lsblk; if have lsblk; then lsblk -J -b -o NAME,TYPE,SIZE,ROTA,TRAN,MODEL,MOUNTPOINT,PKNAME 2>/dev/null || lsblk -P -b -o NAME,TYPE,SIZE,ROTA,MODEL,MOUNTPOINT 2>/dev/null; fi
s sys-block; for d in /sys/block/*; do [ -r "$d/size" ] && printf '%s %s %s\\n' "\${d##*/}" "$(cat "$d/queue/rotational" 2>/dev/null)" "$(cat "$d/size")"; done
s root-source; awk '$2=="/"{src=$1} END{print src}' /proc/mounts 2>/dev/null
s df; df -Pk / /var /tmp 2>/dev/null
s systemd; [ -d /run/systemd/system ] && echo running; have systemctl && echo systemctl
s login-shell; (getent passwd "$(id -un)" 2>/dev/null || grep "^$(id -un):" /etc/passwd) | cut -d: -f7
s bin-sh; readlink -f /bin/sh 2>/dev/null
s ip; ip -j addr show 2>/dev/null || ip -o addr show 2>/dev/null
s commands; for c in ${PROBED_COMMANDS.join(' ')}; do if have "$c"; then echo "$c yes"; else echo "$c no"; fi; done
s units; for u in ${PROBED_UNITS.join(' ')}; do f=no; for d in /etc/systemd/system /lib/systemd/system /usr/lib/systemd/system; do [ -e "$d/$u.service" ] && f=yes; done; echo "$u $f"; done
s rsyslog-enabled; have systemctl && systemctl is-enabled rsyslog 2>/dev/null
s docker; have dockerd && echo engine; [ -S /var/run/docker.sock ] && echo engine; have docker && echo client
s timedatectl; if have timedatectl; then timedatectl show 2>/dev/null || timedatectl status 2>/dev/null; timedatectl timesync-status 2>/dev/null; fi
s clock; date -u +%s%N
s listening; ss -Htln 2>/dev/null || netstat -tln 2>/dev/null
s agent-env; cat /etc/spectro/environment 2>/dev/null
s agent; r=$(grep -E '^[[:space:]]*(export[[:space:]]+)?STYLUS_ROOT=' /etc/spectro/environment 2>/dev/null | tail -n 1 | cut -d= -f2- | tr -d '\\042\\047'); r=\${r:-/}; [ -e "$r/opt/spectrocloud/state/setup_done" ] && echo setup_done; b="$r/opt/spectrocloud/bin/palette-agent"; if [ -x "$b" ]; then echo binary; "$b" version 2>/dev/null | head -n 5; fi
s fips; cat /proc/sys/crypto/fips_enabled 2>/dev/null
s selinux; getenforce 2>/dev/null || { [ -r /sys/fs/selinux/enforce ] && cat /sys/fs/selinux/enforce; }
s cgroup; stat -fc %T /sys/fs/cgroup 2>/dev/null
s swaps; cat /proc/swaps 2>/dev/null
s space; for p in ${SPACE_PATHS.join(' ')}; do q=$p; while [ ! -e "$q" ]; do q=\${q%/*}; [ -z "$q" ] && q=/; done; printf '%s ' "$p"; df -Pk "$q" 2>/dev/null | tail -n 1; done
s end
`;

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

  const rawArch = get('uname-m') || null;
  const lscpu = get('lscpu') ? parseLscpu(get('lscpu')) : null;
  const cpuinfo = parseCpuinfo(get('cpuinfo'));
  const nproc = /^\d+$/.test(get('nproc')) ? Number(get('nproc')) : null;
  const mem = parseMeminfo(get('meminfo'));
  const os = parseOsRelease(get('os-release'));
  const disks = attempt('disks', () => readDisks(get('lsblk'), get('sys-block'), get('root-source')), [] as DiskFact[]);
  const nics = attempt('nics', () => readNics(get('ip')), [] as NicFact[]);
  const systemdLines = get('systemd').split('\n');

  const facts: HostFacts = {
    collectedAt,
    source: 'ssh',
    hostname: get('hostname') || null,
    machineId: /^[0-9a-f]{32}$/i.test(get('machine-id')) ? get('machine-id') : null,
    arch: normalizeArch(rawArch ?? lscpu?.arch),
    rawArch: rawArch ?? lscpu?.arch ?? null,
    kernel: get('uname-r') || null,
    cpuCores: nproc ?? lscpu?.online ?? lscpu?.cpus ?? cpuinfo.logicalCpus,
    cpuModel: lscpu?.model ?? cpuinfo.model,
    memoryBytes: mem.memTotalBytes,
    swapBytes: mem.swapTotalBytes,
    os: { id: os.id, idLike: os.idLike, versionId: os.versionId, prettyName: os.prettyName },
    disks,
    rootDisk: disks.find((d) => d.holdsRoot)?.name ?? null,
    filesystems: attempt('filesystems', () => parseDf(get('df')), []),
    systemd: sec.has('systemd') ? systemdLines.includes('running') : null,
    loginShell: get('login-shell') || null,
    binSh: get('bin-sh') || null,
    nics,
    software: readSoftware(sec, timing),
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

function readSoftware(sec: Map<string, string>, timing?: ProbeTiming): SoftwareFacts {
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
  const offset =
    deviceNs !== null && timing ? Number(deviceNs / 1_000_000n) - (timing.sentAt + timing.receivedAt) / 2 : null;
  const agentLines = get('agent').split('\n');
  const agentVersion = parseAgentVersion(get('agent'));
  const selinux = get('selinux').toLowerCase();
  const swaps = get('swaps').split('\n').filter((l) => l.trim() && !l.startsWith('Filename'));
  return {
    commands: yesNo(get('commands')),
    units: yesNo(get('units')),
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
    selinux: selinux === '1' || selinux === 'enforcing' ? 'enforcing' : selinux === '0' || selinux === 'permissive' ? 'permissive' : selinux === 'disabled' ? 'disabled' : null,
    cgroupV2: get('cgroup') ? get('cgroup') === 'cgroup2fs' : null,
    swapActive: sec.has('swaps') && get('swaps') !== '' ? swaps.length > 0 : null,
    freeSpace: get('space')
      .split('\n')
      .filter(Boolean)
      .map((line) => {
        const [path, ...rest] = line.trim().split(/\s+/);
        const avail = rest.length >= 6 ? Number(rest[3]) : NaN;
        return { path: path!, availableBytes: Number.isFinite(avail) ? avail * 1024 : null };
      }),
  };
}
