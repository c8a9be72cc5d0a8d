import { execFileSync } from 'node:child_process';
import { describe, expect, it } from 'vitest';
import { DEVICE_PROBE_SCRIPT, parseDeviceProbe } from '../../common/probe/device-probe';
import { SECTION_MARK, splitSections } from '../../common/probe/sections';
import { corpus } from './corpus';

const section = (name: string, body: string) => `\n${SECTION_MARK}${name}@@\n${body}\n`;
/** The header and, in order, the rows of a recorded df for the given mount points (as `df -Pk a b` prints). */
const dfRows = (df: string, mounts: string[]) => {
  const lines = df.split('\n');
  return [lines[0]!, ...mounts.map((m) => lines.find((l) => l.trim().endsWith(` ${m}`))!)];
};

describe('hardware probe', () => {
  it('assembles facts from a Rocky 8 server with old lsblk, no lscpu, one-line ip', () => {
    const out =
      section('uname', '4.18.0-240.el8.x86_64 x86_64') +
      section('hostname', 'edge-01') +
      section('machine-id', '0123456789abcdef0123456789abcdef') +
      section('nproc', '') +
      section('cpuinfo', corpus('cpuinfo', 'amd64-vmware-intel-i5-8279U-2vcpu-2sockets.txt')) +
      section('lscpu', '') +
      section('meminfo', corpus('meminfo', 'amd64-vm-4GB-kernel-5.x-facter.txt')) +
      section('os-release', corpus('os-release', 'rocky-8.3.txt')) +
      section('lsblk', corpus('lsblk', 'autoval-server-sata-nvme-old-util-linux-lsblk-J.json.txt')) +
      section('root-source', '/dev/sda4') +
      section(
        'space',
        ['path /var/lib/spectro /var/lib', 'path / /', ...dfRows(corpus('df', 'centos-7.7-df-default-lvm-root.txt'), ['/', '/'])].join(
          '\n',
        ),
      ) +
      section('systemd', 'running\nsystemctl') +
      section('login-shell', '/bin/bash') +
      section('bin-sh', '/usr/bin/bash') +
      section('ip', '2: eth0    inet 10.1.2.3/24 brd 10.1.2.255 scope global eth0') +
      section('end', '');
    const f = parseDeviceProbe(out, '2026-01-01T00:00:00Z');
    expect(f).toMatchObject({
      arch: 'amd64',
      rawArch: 'x86_64',
      kernel: '4.18.0-240.el8.x86_64',
      hostname: 'edge-01',
      cpuCores: 2, // nproc empty: counted from cpuinfo
      memoryBytes: 4036680 * 1024,
      os: { id: 'rocky', versionId: '8.3' },
      rootDisk: 'sda',
      systemd: true,
      loginShell: '/bin/bash',
    });
    expect(f.filesystems.find((x) => x.mount === '/')?.availableBytes).toBe(16005876 * 1024);
    expect(f.software.freeSpace).toEqual([
      { path: '/var/lib/spectro', availableBytes: 16005876 * 1024 },
      { path: '/', availableBytes: 16005876 * 1024 },
    ]);
    expect(f.nics).toEqual([{ name: 'eth0', state: null, mac: null, addresses: [{ family: 'inet', address: '10.1.2.3', prefix: 24 }] }]);
    expect(f.unknown).toEqual([]);
  });

  it('an image without lsblk falls back to /sys/block and the root mount source (eMMC arm64)', () => {
    const out =
      section('uname', '6.1.0-rpi7-rpi-v8 aarch64') +
      section('nproc', '4') +
      section('lsblk', '') +
      section('sys-block', 'loop0 0 0\nmmcblk0 0 62333952\nmmcblk0boot0 0 8192\nzram0 0 1000') +
      section('root-source', '/dev/mmcblk0p2') +
      section('end', '');
    const f = parseDeviceProbe(out);
    expect(f.arch).toBe('arm64');
    expect(f.rootDisk).toBe('mmcblk0');
    expect(f.disks.find((d) => d.name === 'mmcblk0')).toMatchObject({ sizeBytes: 62333952 * 512, rotational: false, transport: 'mmc' });
    expect(f.unknown).toEqual(expect.arrayContaining(['hostname', 'memory', 'os-release', 'nics']));
  });

  it('reads whether systemd-networkd, -resolved and -timesyncd are enabled (what the user-data needs of them)', () => {
    const f = parseDeviceProbe(
      section('units-enabled', 'systemd-networkd disabled\nsystemd-resolved enabled\nsystemd-timesyncd absent') + section('end', ''),
    );
    expect(f.software.unitsEnabled).toEqual({
      'systemd-networkd': 'disabled',
      'systemd-resolved': 'enabled',
      'systemd-timesyncd': 'absent',
    });
  });

  it('a cut-off probe is marked incomplete, and garbage never throws', () => {
    expect(parseDeviceProbe(section('uname', '6.1.0 x86_64')).unknown).toContain('probe-incomplete');
    const f = parseDeviceProbe(section('lsblk', '{not json') + section('ip', '[broken') + section('end', ''));
    expect(f.unknown).toEqual(expect.arrayContaining(['disks', 'nics']));
  });

  it('section markers survive output that lacks a final newline', () => {
    const s = splitSections(`${SECTION_MARK}a@@\nx${section('b', 'y')}`);
    expect(s.get('a')).toBe('x');
    expect(s.get('b')).toBe('y');
  });

  it('the script runs under POSIX sh on this machine and its output parses', () => {
    const out = execFileSync('sh', ['-s'], { input: DEVICE_PROBE_SCRIPT, env: { PATH: process.env.PATH, LOGNAME: 'root' } }).toString();
    const f = parseDeviceProbe(out);
    expect(f.cpuCores).toBeGreaterThan(0);
    expect(f.memoryBytes).toBeGreaterThan(0);
    expect(f.unknown).not.toContain('probe-incomplete');
  });
});
