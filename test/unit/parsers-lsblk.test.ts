import { describe, expect, it } from 'vitest';
import { parseLsblk } from '../../common/parsers/lsblk';
import { corpus } from './corpus';

const TiB = 2 ** 40;
const GiB = 2 ** 30;
const disk = (name: string) => (d: { name: string }) => d.name === name;

describe('parseLsblk on recorded output from many machines', () => {
  it('new util-linux JSON on a KVM guest: virtio vda holds / (and reports rotational, as virtio does)', () => {
    const disks = parseLsblk(corpus('lsblk', 'gpud-kvm-virtio-vda-ubuntu-lsblk-pJb-fs.json.txt'));
    expect(disks).toEqual([
      { name: 'vda', sizeBytes: 24189255811072, rotational: true, transport: 'virtio', model: null, holdsRoot: true },
    ]);
  });

  it('bare-metal NVMe server with -p paths: eight NVMe drives, all solid state, no root among them', () => {
    const disks = parseLsblk(corpus('lsblk', 'gpud-baremetal-dell-nvme-ubuntu-lsblk-pJb-fs.json.txt'));
    expect(disks).toHaveLength(8);
    expect(disks.every((d) => d.rotational === false && d.transport === 'nvme' && d.name.startsWith('nvme'))).toBe(true);
    expect(disks.some((d) => d.holdsRoot)).toBe(false);
  });

  it('util-linux 2.37 style with LVM: root found through partition → LV on nvme4n1; a 0-byte USB gadget stays a disk', () => {
    const disks = parseLsblk(corpus('lsblk', 'gpud-gpuserver-samsung-nvme-lvm-xfs-usbgadget-util-linux-2.37-style.json.txt'));
    expect(disks.find((d) => d.holdsRoot)?.name).toBe('nvme4n1');
    expect(disks.find(disk('sda'))?.sizeBytes).toBe(0);
  });

  it('mountpoints arrays (one device, many mounts, "/" last) on a virtio VM', () => {
    const disks = parseLsblk(corpus('lsblk', 'gpud-k8s-gpu-vm-virtio-plus-8x-nvme-lvm-multi-mountpoints-lsblk-J.json.txt'));
    expect(disks.find((d) => d.holdsRoot)?.name).toBe('vda');
    expect(disks.find(disk('vda'))?.sizeBytes).toBe(128 * GiB);
    expect(disks.filter((d) => d.transport === 'nvme')).toHaveLength(8);
  });

  it('old util-linux prints every value as a string ("1.8T", "0")', () => {
    const disks = parseLsblk(corpus('lsblk', 'autoval-server-sata-nvme-old-util-linux-lsblk-J.json.txt'));
    expect(disks.map((d) => d.name)).toEqual(['sda', 'nvme0n1']);
    expect(disks[0]!.holdsRoot).toBe(true);
    expect(disks[0]!.sizeBytes).toBe(Math.round(1.8 * TiB));
    expect(disks[0]!.rotational).toBeNull(); // no ROTA column: unknown, not guessed
  });

  it('old strings with byte sizes on a Chromebook: zram is memory, not a drive', () => {
    const disks = parseLsblk(corpus('lsblk', 'chromebook-eve-nvme-zram-encstateful-lsblk-Jb-old-strings.json.txt'));
    expect(disks.map((d) => d.name)).toEqual(['nvme0n1']);
    expect(disks[0]!.sizeBytes).toBe(512110190592);
  });

  it('a column list without TYPE: top-level devices that are not loops are disks; root on the NVMe', () => {
    const disks = parseLsblk(
      corpus('lsblk', 'fm-desktop-snap-luks-crypt-sata-usb-nvme-lsblk-J-o-fstype-path-uuid-fsver-mountpoint-name-state.json.txt'),
    );
    expect(disks.map((d) => d.name)).toEqual(['sda', 'sdb', 'sdc', 'sdd', 'nvme0n1']);
    expect(disks.find((d) => d.holdsRoot)?.name).toBe('nvme0n1');
  });

  it('the plain table of a JBOD: 36 spinning SAS disks, a SATA SSD boot disk with / on sda4', () => {
    const disks = parseLsblk(corpus('lsblk', 'autoval-jbod-sas-hdd-nvme-lsblk-list-name-type-rota-size-model-mountpoint.txt'));
    expect(disks.filter((d) => d.rotational === true)).toHaveLength(36);
    const sda = disks.find(disk('sda'))!;
    expect(sda).toMatchObject({ rotational: false, holdsRoot: true, model: 'Vendor_1100_MTFD' });
    expect(sda.sizeBytes).toBe(Math.round(238.5 * GiB));
    expect(disks.find(disk('nvme0n1'))?.model).toBe('Vendor MZ1LB960HAJQ-000');
  });

  it('-P pairs from a minimal image, linking partitions by name', () => {
    const text =
      'NAME="mmcblk0" TYPE="disk" SIZE="31914983424" ROTA="0" MODEL="" MOUNTPOINT=""\nNAME="mmcblk0p1" TYPE="part" SIZE="268435456" ROTA="0" MODEL="" MOUNTPOINT="/boot"\nNAME="mmcblk0p2" TYPE="part" SIZE="31646547968" ROTA="0" MODEL="" MOUNTPOINT="/"';
    expect(parseLsblk(text)).toEqual([
      { name: 'mmcblk0', sizeBytes: 31914983424, rotational: false, transport: 'mmc', model: null, holdsRoot: true },
    ]);
  });

  it('empty output (no lsblk) gives no disks rather than a crash', () => {
    expect(parseLsblk('')).toEqual([]);
  });
});
