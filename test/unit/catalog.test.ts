import { parseFirewalld, parseSelinuxRsync } from '../../common/probe/device-probe';
import { describe, expect, it } from 'vitest';
import type { HostFacts } from '../../common/model/host-facts';
import type { Plan } from '../../common/plan/model';
import { CATALOG, NO_SITE_NEEDS, type SiteNeeds } from '../../common/requirements/catalog';
import { checkDevice, deviceCleared } from '../../common/requirements/evaluate';
import { goodFacts, plan, withSoftware } from './fixtures-facts';

const GiB = 2 ** 30;
const rootDisk = (over: Partial<HostFacts['disks'][number]>) => goodFacts({ disks: [{ ...goodFacts().disks[0]!, ...over }] });
const cmd = (name: string, present: boolean) => withSoftware({ commands: { ...goodFacts().software.commands, [name]: present } });
const unit = (name: string, present: boolean) => withSoftware({ units: { ...goodFacts().software.units, [name]: present } });
const enabled = (name: string, state: string) => withSoftware({ unitsEnabled: { ...goodFacts().software.unitsEnabled, [name]: state } });
const clock = (over: Partial<HostFacts['software']['clock']>) => withSoftware({ clock: { ...goodFacts().software.clock, ...over } });
const rocky8 = (over: Partial<HostFacts> = {}) =>
  goodFacts({ os: { id: 'rocky', idLike: ['rhel'], versionId: '8.10', prettyName: 'Rocky Linux 8.10' }, ...over });

/** For every catalog entry: a plan where it applies, a device that passes, and one that fails with the expected status. */
const CASES: Record<
  string,
  {
    plan?: Partial<Plan>;
    needs?: Partial<SiteNeeds>;
    pass: HostFacts;
    fail: HostFacts;
    failStatus?: 'block' | 'warn' | 'unknown';
    measured?: RegExp;
  }
> = {
  'cpu-cores': { pass: goodFacts({ cpuCores: 4 }), fail: goodFacts({ cpuCores: 2 }), measured: /2 cores/ },
  'memory-minimum': { pass: goodFacts({ memoryBytes: 3.8 * GiB }), fail: goodFacts({ memoryBytes: 3 * GiB }) },
  'memory-recommended': { pass: goodFacts({ memoryBytes: 7.8 * GiB }), fail: goodFacts({ memoryBytes: 4 * GiB }) },
  'main-drive-size': { pass: rootDisk({ sizeBytes: 32e9 }), fail: rootDisk({ sizeBytes: 16e9 }) },
  'main-drive-ssd': {
    pass: rootDisk({ rotational: false }),
    fail: rootDisk({ rotational: true, transport: 'sata' }),
    measured: /spinning/,
  },
  'storage-recommended': { pass: rootDisk({ sizeBytes: 128e9 }), fail: rootDisk({ sizeBytes: 64e9 }) },
  architecture: { pass: goodFacts({ arch: 'arm64' }), fail: goodFacts({ arch: 'other', rawArch: 'armv7l' }), measured: /armv7l/ },
  'arm64-airgap': { plan: { mode: 'local' }, pass: goodFacts({ arch: 'amd64' }), fail: goodFacts({ arch: 'arm64' }) },
  systemd: { pass: goodFacts({ systemd: true }), fail: goodFacts({ systemd: false }) },
  'bash-shell': { pass: goodFacts({ loginShell: '/usr/bin/bash' }), fail: goodFacts({ loginShell: '/bin/zsh' }) },
  'docker-absent': {
    pass: withSoftware({ docker: { engine: false, client: true } }),
    fail: withSoftware({ docker: { engine: true, client: true } }),
  },
  'package-jq': { pass: cmd('jq', true), fail: cmd('jq', false) },
  'package-zstd': { pass: cmd('zstd', true), fail: cmd('zstd', false) },
  'package-rsync': { pass: cmd('rsync', true), fail: cmd('rsync', false) },
  'package-iptables': { pass: cmd('iptables', true), fail: cmd('iptables', false) },
  'package-rsyslog': { pass: cmd('rsyslogd', true), fail: cmd('rsyslogd', false) },
  'rsyslog-enabled': { pass: withSoftware({ rsyslogEnabled: true }), fail: withSoftware({ rsyslogEnabled: false }) },
  'package-conntrack': { plan: { distribution: 'pxke' }, pass: cmd('conntrack', true), fail: cmd('conntrack', false) },
  'package-systemd-timesyncd': {
    plan: { paletteManagesNtp: true },
    pass: unit('systemd-timesyncd', true),
    fail: unit('systemd-timesyncd', false),
  },
  'package-systemd-resolved': {
    plan: { paletteManagesNetwork: true },
    pass: unit('systemd-resolved', true),
    fail: unit('systemd-resolved', false),
  },
  'package-systemd-networkd': { plan: { overlay: true }, pass: unit('systemd-networkd', true), fail: unit('systemd-networkd', false) },
  'clock-synchronized': { plan: { topology: 'single' }, pass: clock({ synchronized: true }), fail: clock({ synchronized: false }) },
  'clock-synchronized-multi': { plan: { topology: 'multi' }, pass: clock({ synchronized: true }), fail: clock({ synchronized: false }) },
  'clock-offset': { pass: clock({ offsetMs: -4000 }), fail: clock({ offsetMs: 9000 }), measured: /ahead by 9\.0 s/ },
  'clock-offset-large': { pass: clock({ offsetMs: 200_000 }), fail: clock({ offsetMs: -3_600_000 }), measured: /behind by 60 min/ },
  'staging-space': {
    pass: withSoftware({ freeSpace: [{ path: '/var/lib/spectro', availableBytes: 10 * GiB }] }),
    fail: withSoftware({ freeSpace: [{ path: '/var/lib/spectro', availableBytes: 2 * GiB }] }),
  },
  'cluster-ports-free': {
    pass: withSoftware({ listeningPorts: [22, 80] }),
    fail: withSoftware({ listeningPorts: [22, 6443, 10250] }),
    measured: /6443, 10250/,
  },
  'agent-not-installed': {
    pass: goodFacts(),
    fail: withSoftware({ agent: { installed: true, version: '4.7.9', fips: false, setupDone: true, stylusRoot: '/' } }),
    measured: /4\.7\.9/,
  },
  'os-verified': { pass: rocky8(), fail: goodFacts({ os: { id: 'debian', idLike: [], versionId: '12', prettyName: 'Debian 12' } }) },
  'canonical-ubuntu': { plan: { distribution: 'canonical' }, pass: goodFacts(), fail: rocky8() },
  'canonical-amd64': { plan: { distribution: 'canonical' }, pass: goodFacts(), fail: goodFacts({ arch: 'arm64' }) },
  'fips-os': { plan: { flavour: 'fips' }, pass: rocky8(), fail: goodFacts() },
  'fips-kernel': { plan: { flavour: 'fips' }, pass: withSoftware({ fipsMode: true }), fail: withSoftware({ fipsMode: false }) },
  'el8-kernel-k8s-1.32': { plan: { distribution: 'pxke', kubernetesVersion: '1.32.8' }, pass: goodFacts(), fail: rocky8() },
  'enabled-systemd-networkd': {
    needs: { staticAddress: true },
    pass: enabled('systemd-networkd', 'enabled'),
    fail: enabled('systemd-networkd', 'disabled'),
    measured: /disabled/,
  },
  'enabled-systemd-resolved': {
    needs: { nameserver: true },
    pass: enabled('systemd-resolved', 'enabled'),
    fail: enabled('systemd-resolved', 'absent'),
    measured: /not installed/,
  },
  'enabled-systemd-timesyncd': {
    needs: { ntpServers: true },
    pass: enabled('systemd-timesyncd', 'enabled'),
    fail: enabled('systemd-timesyncd', 'masked'),
  },
  'swap-off': { pass: withSoftware({ swapActive: false }), fail: withSoftware({ swapActive: true }) },
  'cgroup-v2': { pass: withSoftware({ cgroupV2: true }), fail: withSoftware({ cgroupV2: false }) },
  'fips-selinux-rsync': {
    pass: withSoftware({ selinux: 'enforcing', selinuxRsync: { fullAccess: true, module: true } }),
    fail: withSoftware({ selinux: 'enforcing', selinuxRsync: { fullAccess: false, module: false } }),
    plan: { flavour: 'fips' },
  },
  'fips-firewalld-cilium': {
    pass: withSoftware({
      firewalld: { active: true, ports: ['6443/tcp', '2379-2380/tcp', '10250/tcp', '8472/udp', '4240/tcp', '22/tcp'] },
    }),
    fail: withSoftware({ firewalld: { active: true, ports: ['6443/tcp'] } }),
    plan: { flavour: 'fips', cni: 'cilium' },
  },
};

const result = (id: string, f: HostFacts, p: Partial<Plan> = {}, needs: Partial<SiteNeeds> = {}) =>
  checkDevice('d1', f, plan(p), [], { ...NO_SITE_NEEDS, ...needs }).find((r) => r.id === id);

describe('requirements catalog', () => {
  it('the enabled-unit checks apply only when the site asks for what the unit applies (static address, nameserver, NTP)', () => {
    const off = enabled('systemd-networkd', 'disabled');
    expect(result('enabled-systemd-networkd', off)).toBeUndefined();
    expect(result('enabled-systemd-networkd', off, {}, { staticAddress: true })).toMatchObject({ status: 'block', overridable: false });
  });

  it('every entry has a test case, a source and a fix', () => {
    expect(Object.keys(CASES).sort()).toEqual(CATALOG.map((r) => r.id).sort());
    for (const r of CATALOG) {
      expect(r.source.title, r.id).toBeTruthy();
      expect(r.fix.length, r.id).toBeGreaterThan(10);
    }
    expect(new Set(CATALOG.map((r) => r.id)).size).toBe(CATALOG.length);
  });

  describe.each(CATALOG.map((r) => [r.id, r] as const))('%s', (id, req) => {
    const c = CASES[id]!;
    it('passes on a device that meets it', () => {
      expect(result(id, c.pass, c.plan, c.needs)?.status).toBe('pass');
    });
    it(`gives ${req.severity} on one that does not, with measured and required values`, () => {
      const r = result(id, c.fail, c.plan, c.needs)!;
      expect(r.status).toBe(c.failStatus ?? req.severity);
      expect(r.required).toBeTruthy();
      if (c.measured) expect(r.measured).toMatch(c.measured);
      expect(r.why).toContain(req.source.title);
    });
  });
});

describe('where requirements apply', () => {
  it('conntrack only for PXK-E, Canonical limits only for Canonical, FIPS only for the FIPS agent', () => {
    expect(result('package-conntrack', cmd('conntrack', false), { distribution: 'k3s' })).toBeUndefined();
    expect(result('canonical-ubuntu', rocky8(), { distribution: 'pxke' })).toBeUndefined();
    expect(result('fips-os', goodFacts(), { flavour: 'standard' })).toBeUndefined();
    expect(result('el8-kernel-k8s-1.32', rocky8(), { kubernetesVersion: '1.31.12' })).toBeUndefined();
    expect(result('arm64-airgap', goodFacts({ arch: 'arm64' }), { mode: 'central' })).toBeUndefined();
    expect(result('arm64-airgap', goodFacts({ arch: 'arm64' }), { mode: 'local' })?.status).toBe('warn');
    expect(result('package-systemd-resolved', unit('systemd-resolved', false), {})).toBeUndefined();
  });

  it('a virtual disk cannot tell SSD from HDD: unknown, not a block', () => {
    expect(result('main-drive-ssd', rootDisk({ rotational: true, transport: 'virtio' }))).toMatchObject({
      status: 'unknown',
      measured: /virtual disk/,
    });
  });

  it('missing facts are unknown, never a pass', () => {
    expect(result('cpu-cores', goodFacts({ cpuCores: null }))?.status).toBe('unknown');
  });
});

describe('overrides', () => {
  const facts = goodFacts({ cpuCores: 2 });
  const o = {
    deviceId: 'd1',
    checkId: 'cpu-cores',
    reason: 'Lab bench unit, no workloads',
    technician: 'Alex',
    at: '2026-01-01T00:00:00Z',
  };

  it('an override clears an overridable block and is carried on the result', () => {
    const without = checkDevice('d1', facts, plan(), []);
    expect(deviceCleared(without)).toBe(false);
    const withOverride = checkDevice('d1', facts, plan(), [o]);
    expect(withOverride.find((r) => r.id === 'cpu-cores')?.override).toEqual(o);
    expect(deviceCleared(withOverride)).toBe(true);
  });

  it('an override never clears a block that may not be overridden', () => {
    const arm32 = goodFacts({ arch: 'other' });
    const results = checkDevice('d1', arm32, plan(), [{ ...o, checkId: 'architecture' }]);
    expect(results.find((r) => r.id === 'architecture')?.override).toBeUndefined();
    expect(deviceCleared(results)).toBe(false);
  });

  it('an override of another device does not apply', () => {
    expect(deviceCleared(checkDevice('d1', facts, plan(), [{ ...o, deviceId: 'd2' }]))).toBe(false);
  });
});

describe('the Rocky FIPS prerequisites, as the probe reads them', () => {
  it('reads getsebool, the module list and firewalld; what needs root and was not readable stays unknown', () => {
    expect(parseSelinuxRsync('rsync_full_access --> on\nmodule present\n')).toEqual({ fullAccess: true, module: true });
    expect(parseSelinuxRsync('rsync_full_access --> off\nmodule unreadable\n')).toEqual({ fullAccess: false, module: null });
    expect(parseSelinuxRsync('')).toEqual({ fullAccess: null, module: null });
    expect(parseFirewalld('inactive')).toEqual({ active: false, ports: [] });
    expect(parseFirewalld('active\n6443/tcp 8472/udp\n')).toEqual({ active: true, ports: ['6443/tcp', '8472/udp'] });
    expect(parseFirewalld('active\nunreadable')).toEqual({ active: true, ports: null });
    expect(parseFirewalld('')).toBeNull();
  });
  it('passes when SELinux does not enforce or firewalld is not running; unknown when the module list could not be read', () => {
    const fips = { flavour: 'fips' as const, cni: 'cilium' as const };
    expect(
      result('fips-selinux-rsync', withSoftware({ selinux: 'permissive', selinuxRsync: { fullAccess: false, module: null } }), fips)
        ?.status,
    ).toBe('pass');
    expect(
      result('fips-selinux-rsync', withSoftware({ selinux: 'enforcing', selinuxRsync: { fullAccess: true, module: null } }), fips)?.status,
    ).toBe('unknown');
    expect(result('fips-firewalld-cilium', withSoftware({ firewalld: { active: false, ports: [] } }), fips)?.status).toBe('pass');
    expect(result('fips-firewalld-cilium', withSoftware({ firewalld: { active: true, ports: null } }), fips)?.status).toBe('unknown');
    expect(
      result('fips-firewalld-cilium', withSoftware({ firewalld: { active: true, ports: [] } }), { ...fips, cni: 'calico' }),
    ).toBeUndefined();
  });
});
