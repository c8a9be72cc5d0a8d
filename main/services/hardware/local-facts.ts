import { existsSync, readFileSync } from 'node:fs';
import { hostname, userInfo } from 'node:os';
import { spawn } from 'node:child_process';
import si from 'systeminformation';
import { DEVICE_PROBE_SCRIPT, parseDeviceProbe, serialNumber } from '../../../common/probe/device-probe';
import type { HostFacts } from '../../../common/model/host-facts';
import { normalizeArch } from '../../../common/parsers/arch';
import { parseOsRelease } from '../../../common/parsers/os-release';
import { inferTransport } from '../../../common/parsers/lsblk';

/** "This machine": the same HostFacts, filled from systeminformation instead of a remote probe. */
export async function collectLocalFacts(): Promise<HostFacts> {
  const unknown: string[] = [];
  const [software, cpu, mem, blocks, fs, nets, osInfo] = await Promise.all([
    localSoftware(),
    si.cpu(),
    si.mem(),
    si.blockDevices(),
    si.fsSize(),
    si.networkInterfaces(),
    si.osInfo(),
  ]);
  const osRelease = safeRead('/etc/os-release') ?? safeRead('/usr/lib/os-release');
  const os = osRelease ? parseOsRelease(osRelease) : null;
  if (!os) unknown.push('os-release');
  const rootFs = fs.find((f) => f.mount === '/');
  const diskOf = (dev: string) => blocks.find((b) => b.type === 'disk' && dev.replace('/dev/', '').startsWith(b.name));
  const rootDisk = rootFs ? (diskOf(rootFs.fs)?.name ?? null) : null;
  const machineId = safeRead('/etc/machine-id')?.trim() ?? null;
  const nicList = Array.isArray(nets) ? nets : [nets];
  return {
    collectedAt: new Date().toISOString(),
    source: 'local',
    hostname: hostname(),
    machineId: machineId && /^[0-9a-f]{32}$/.test(machineId) ? machineId : null,
    serial: serialNumber(safeRead('/sys/class/dmi/id/product_serial') ?? ''),
    arch: normalizeArch(process.arch),
    rawArch: osInfo.arch || process.arch,
    kernel: osInfo.kernel || null,
    cpuCores: cpu.cores || null,
    cpuModel: [cpu.manufacturer, cpu.brand].filter(Boolean).join(' ') || null,
    memoryBytes: mem.total || null,
    swapBytes: mem.swaptotal ?? null,
    os: os
      ? { id: os.id, idLike: os.idLike, versionId: os.versionId, prettyName: os.prettyName }
      : { id: null, idLike: [], versionId: null, prettyName: osInfo.distro || null },
    disks: blocks
      .filter((b) => b.type === 'disk')
      .map((b) => ({
        name: b.name,
        sizeBytes: b.size || null,
        rotational: null, // systeminformation does not report it per block device
        transport: b.protocol || inferTransport(b.name),
        model: b.model || null,
        holdsRoot: b.name === rootDisk,
      })),
    rootDisk,
    filesystems: fs.map((f) => ({ mount: f.mount, source: f.fs, sizeBytes: f.size, availableBytes: f.available ?? f.size - f.used })),
    systemd: existsSync('/run/systemd/system'),
    loginShell: userInfo().shell ?? null,
    binSh: null,
    software,
    nics: nicList
      .filter((n) => !n.internal)
      .map((n) => ({
        name: n.iface,
        state: n.operstate ? n.operstate.toUpperCase() : null,
        mac: n.mac || null,
        addresses: [
          ...(n.ip4 ? [{ family: 'inet' as const, address: n.ip4, prefix: maskToPrefix(n.ip4subnet) }] : []),
          ...(n.ip6 ? [{ family: 'inet6' as const, address: n.ip6, prefix: ipv6MaskToPrefix(n.ip6subnet) }] : []),
        ],
      })),
    unknown,
  };
}

function ipv6MaskToPrefix(mask: string): number {
  // "ffff:ffff:ffff:ffff::" → 64
  const groups = mask.split('::')[0]!.split(':').filter(Boolean);
  return groups.reduce((n, g) => n + (parseInt(g, 16) >>> 0).toString(2).split('1').length - 1, 0) || 64;
}

function maskToPrefix(mask: string): number {
  return mask.split('.').reduce((n, octet) => n + (Number(octet) >>> 0).toString(2).split('1').length - 1, 0);
}

function safeRead(path: string): string | null {
  try {
    return readFileSync(path, 'utf8');
  } catch {
    return null;
  }
}

/** What is installed is read by the same probe script the devices run, here on this machine. */
function localSoftware(): Promise<HostFacts['software']> {
  return new Promise((resolve, reject) => {
    const sentAt = Date.now();
    const child = spawn('sh', ['-s'], { stdio: ['pipe', 'pipe', 'ignore'], env: { ...process.env, LC_ALL: 'C' } });
    let out = '';
    child.stdout.on('data', (d) => (out += d));
    child.on('error', reject);
    child.on('close', () => resolve(parseDeviceProbe(out, new Date().toISOString(), { sentAt, receivedAt: Date.now() }).software));
    child.stdin.end(DEVICE_PROBE_SCRIPT);
  });
}
