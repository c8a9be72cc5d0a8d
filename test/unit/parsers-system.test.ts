import { describe, expect, it } from 'vitest';
import { normalizeArch } from '../../common/parsers/arch';
import { countCpuList, parseCpuinfo, parseLscpu } from '../../common/parsers/cpu';
import { parseDf } from '../../common/parsers/df';
import { parseIpAddrJson, parseIpAddrOneline } from '../../common/parsers/ip-addr';
import { parseMeminfo } from '../../common/parsers/meminfo';
import { parseOsRelease } from '../../common/parsers/os-release';
import { parseSize } from '../../common/parsers/units';
import { corpus } from './corpus';

describe('os-release', () => {
  it.each([
    ['ubuntu-24.04.3.txt', 'ubuntu', ['debian'], '24.04', 'Ubuntu 24.04.3 LTS'],
    ['ubuntu-22.04.5.txt', 'ubuntu', ['debian'], '22.04', 'Ubuntu 22.04.5 LTS'],
    ['rocky-8.3.txt', 'rocky', ['rhel', 'fedora'], '8.3', 'Rocky Linux 8.3'],
    ['rhel-9.6.txt', 'rhel', ['fedora'], '9.6', 'Red Hat Enterprise Linux 9.6 (Plow)'],
    ['rhel-8.0-ubi8.txt', 'rhel', ['fedora'], '8.0', 'Red Hat Enterprise Linux 8.0 (Ootpa)'],
    ['debian-12-bookworm.txt', 'debian', [], '12', 'Debian GNU/Linux 12 (bookworm)'],
    ['alpine-3.23.2.txt', 'alpine', [], '3.23.2', 'Alpine Linux v3.23'],
    ['amazon-linux-2023.txt', 'amzn', ['fedora'], '2023', 'Amazon Linux 2023'],
    ['opensuse-leap-15.1.txt', 'opensuse-leap', ['suse', 'opensuse'], '15.1', 'openSUSE Leap 15.1'],
    ['jetson-agx-orin-jetpack-6.2.1-l4t-r36.4.4-ubuntu-22.04.5.txt', 'ubuntu', ['debian'], '22.04', 'Ubuntu 22.04.5 LTS'],
  ])('%s', (file, id, idLike, versionId, prettyName) => {
    expect(parseOsRelease(corpus('os-release', file))).toMatchObject({ id, idLike, versionId, prettyName });
  });

  it('unquotes escapes and ignores comments and junk', () => {
    const o = parseOsRelease('# comment\nNAME="A \\"quoted\\" name"\nID=\'x\'\nnot a line\n=bad\n');
    expect(o.fields.NAME).toBe('A "quoted" name');
    expect(o.id).toBe('x');
  });
});

describe('meminfo', () => {
  it.each([
    ['amd64-vm-4GB-kernel-5.x-facter.txt', 4036680 * 1024, 2097148 * 1024],
    ['amd64-vm-4GB-kernel-5.x-jc.txt', 3997272 * 1024, 3996668 * 1024],
    ['arm64-jetson-nano-4GB-l4t-4.9.253-tegra.txt', 4059240 * 1024, 2029616 * 1024],
  ])('%s', (file, total, swap) => {
    const m = parseMeminfo(corpus('meminfo', file));
    expect(m.memTotalBytes).toBe(total);
    expect(m.swapTotalBytes).toBe(swap);
  });
});

describe('cpuinfo and lscpu', () => {
  it.each([
    ['amd64-vm-intel-i5-7360U-1vcpu.txt', 1, /i5-7360U/],
    ['amd64-vmware-intel-i5-8279U-2vcpu-2sockets.txt', 2, /i5-8279U/],
    ['arm64-jetson-tx2-l4t-denver-cores-offline.txt', 4, /ARMv8/], // cores 1-2 offline: ids 0,3,4,5
    ['arm64-raspberry-pi3b-rev1.2-64bit-spaces-not-tabs.txt', 4, /ARMv8/],
    ['arm64-raspberry-pi4-rev1.1-raspios-bookworm-6.12-no-Hardware-line.txt', 4, /Raspberry Pi 4/],
    ['arm64-jetson-nano-tegra210-mainline-5.15.txt', 4, null],
  ])('%s', (file, cpus, model) => {
    const c = parseCpuinfo(corpus('cpuinfo', file));
    expect(c.logicalCpus).toBe(cpus);
    if (model) expect(c.model).toMatch(model);
    else expect(c.model).toBeNull();
  });

  it.each([
    ['aarch64-aws-graviton2-neoverse-n1-util-linux-2.35ish.txt', 2, 'aarch64', 'Neoverse-N1'],
    ['aarch64-jetson-orin-cortex-a78ae-util-linux-2.37-tree-PARTIAL.txt', 12, 'aarch64', 'Cortex-A78AE'],
    ['armv7l-raspberry-pi4-raspios-32bit-util-linux-2.33.txt', 4, 'armv7l', 'Cortex-A72'],
    ['x86_64-baremetal-2x-xeon-x5680-rhel9-util-linux-2.37-flat.txt', 12, 'x86_64', expect.stringMatching(/X5680/)],
    ['x86_64-kvm-guest-qemu-virtual-cpu-old-util-linux.txt', 4, 'x86_64', 'QEMU Virtual CPU version 2.5+'],
  ])('lscpu %s', (file, cpus, arch, model) => {
    expect(parseLscpu(corpus('lscpu', file))).toMatchObject({ cpus, online: cpus, arch, model });
  });

  it('counts CPU lists', () => {
    expect(countCpuList('0-3,6,8-9')).toBe(7);
    expect(countCpuList('0')).toBe(1);
    expect(countCpuList('x')).toBeNull();
  });
});

describe('architecture names', () => {
  it.each([
    ['uname-a-ubuntu-22.04-x86_64.txt', 'amd64'],
    ['uname-a-debian-12-x86_64.txt', 'amd64'],
    ['uname-a-centos-7.7-x86_64.txt', 'amd64'],
    ['uname-a-raspberry-pi4-raspbian-buster-armv7l.txt', 'other'],
    ['uname-a-raspberry-pi4-raspios-bookworm-rpi-v8-aarch64.txt', 'arm64'],
    ['uname-a-jetson-nano-l4t-4.9.253-tegra-aarch64.txt', 'arm64'],
  ])('%s → %s', (file, arch) => {
    // uname -a prints the machine name right after the kernel build date; -m alone is that word.
    const words = corpus('misc', file).trim().split(/\s+/);
    const machine = words.find((w) => /^(x86_64|aarch64|armv7l)$/.test(w));
    expect(normalizeArch(machine)).toBe(arch);
  });

  it('maps Node names and unknowns', () => {
    expect(normalizeArch(corpus('misc', 'uname-m-rk3399-aarch64.txt'))).toBe('arm64');
    expect(normalizeArch('x64')).toBe('amd64');
    expect(normalizeArch('arm64')).toBe('arm64');
    expect(normalizeArch('riscv64')).toBe('other');
    expect(normalizeArch(null)).toBe('other');
  });
});

describe('df', () => {
  it.each([
    ['centos-7.7-df-default-lvm-root.txt', '/dev/mapper/centos-root', 17811456 * 1024, 16005876 * 1024],
    ['old-rhel-df-PT-posix-long-lvm-name.txt', '/dev/mapper/VolGroup00-LogVol00', 6030784 * 1024, 4571556 * 1024],
    ['ubuntu-18.04-df-default-1K-blocks-snap-loops.txt', '/dev/sda2', 20508240 * 1024, 13695408 * 1024],
  ])('%s: the root filesystem', (file, source, size, avail) => {
    const root = parseDf(corpus('df', file)).find((f) => f.mount === '/');
    expect(root).toEqual({ source, mount: '/', sizeBytes: size, availableBytes: avail });
  });

  it('reads -B1 byte counts and a device name wrapped onto its own line', () => {
    const text =
      'Filesystem     1B-blocks      Used  Available Capacity Mounted on\n/dev/mapper/a-very-long-volume-group-name-root\n 1000 400 600 40% /\n';
    expect(parseDf(text)).toEqual([
      { source: '/dev/mapper/a-very-long-volume-group-name-root', mount: '/', sizeBytes: 1000, availableBytes: 600 },
    ]);
  });
});

describe('ip addr', () => {
  it('compact one-line JSON from a laptop: loopback left out, tunnels have no MAC', () => {
    const nics = parseIpAddrJson(corpus('ip-addr', 'laptop-ethernet-wifi-wireguard-wwan-sit-ip-d-j-addr.json.txt'));
    expect(nics.map((n) => n.name)).toEqual(['enp0s31f6', 'wlan0', 'wg0', 'wwan0', 'tun0']);
    expect(nics[0]!.addresses[0]).toEqual({ family: 'inet', address: '192.168.178.62', prefix: 24 });
    expect(nics.find((n) => n.name === 'tun0')!.mac).toBeNull();
    expect(nics.find((n) => n.name === 'wwan0')).toMatchObject({ state: 'DOWN', addresses: [] });
  });

  it('pretty JSON from a container, and a link that is down with no addresses', () => {
    expect(parseIpAddrJson(corpus('ip-addr', 'lxd-container-enp0s25-ip-json-pretty-addr-show.json.txt'))[0]).toMatchObject({
      name: 'enp0s25',
      state: 'UP',
      addresses: expect.arrayContaining([{ family: 'inet', address: '192.168.2.18', prefix: 24 }]),
    });
    expect(parseIpAddrJson(corpus('ip-addr', 'lxd-container-eth0-down-empty-addr_info-ip-json-pretty.json.txt'))).toEqual([
      { name: 'eth0', state: 'DOWN', mac: '00:16:3e:de:51:a6', addresses: [] },
    ]);
  });

  it('the one-line text form of iproute2 builds without JSON', () => {
    const text =
      '1: lo    inet 127.0.0.1/8 scope host lo\n2: eth0    inet 10.1.2.3/24 brd 10.1.2.255 scope global eth0\n2: eth0    inet6 fe80::1/64 scope link \n3: br0@if4    inet 192.168.5.1/24 scope global br0';
    expect(parseIpAddrOneline(text)).toEqual([
      {
        name: 'eth0',
        state: null,
        mac: null,
        addresses: [
          { family: 'inet', address: '10.1.2.3', prefix: 24 },
          { family: 'inet6', address: 'fe80::1', prefix: 64 },
        ],
      },
      { name: 'br0', state: null, mac: null, addresses: [{ family: 'inet', address: '192.168.5.1', prefix: 24 }] },
    ]);
  });
});

describe('sizes', () => {
  it.each([
    ['238.5G', Math.round(238.5 * 2 ** 30)],
    ['243M', 243 * 2 ** 20],
    ['4096', 4096],
    [1024, 1024],
    ['1,5T', Math.round(1.5 * 2 ** 40)],
    ['junk', null],
    [null, null],
  ])('%s', (input, bytes) => expect(parseSize(input)).toBe(bytes));
});
