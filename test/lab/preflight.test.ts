import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Lab, type LabDevice } from '../../e2e/lab/lab';
import { servicesForTest } from './helpers';

/** Preflight against real devices: the extra facts, the checks main evaluates, overrides, CSV, reachability. */
describe('preflight on lab devices', () => {
  let lab: Lab;
  let svc: ReturnType<typeof servicesForTest>;
  const ids: string[] = [];

  beforeAll(async () => {
    lab = await Lab.start(3);
    svc = servicesForTest();
    for (const dev of lab.devices) {
      const d = await svc.addRoot(dev, lab.clientKey);
      ids.push(d.id);
    }
  });
  afterAll(async () => {
    svc?.close();
    await lab?.stop();
  });

  const dev = (i: number) => lab.devices[i] as LabDevice;

  it('reads what is installed and running in the same round trip as the hardware', async () => {
    const f = await svc.call('hardware.probe', { id: ids[0]! });
    expect(f.software.commands).toMatchObject({
      jq: true,
      zstd: true,
      rsync: true,
      iptables: true,
      rsyslogd: true,
      conntrack: true,
      bash: true,
    });
    expect(f.software.rsyslogEnabled).toBe(true);
    expect(f.software.listeningPorts).toContain(22);
    expect(f.software.agent).toEqual({ installed: false, version: null, fips: null, setupDone: false, stylusRoot: '/' });
    // The device shares this machine's clock: the measured offset is within its own uncertainty.
    expect(Math.abs(f.software.clock.offsetMs!)).toBeLessThanOrEqual(f.software.clock.uncertaintyMs! + 50);
    expect(f.software.freeSpace.find((s) => s.path === '/var/lib/spectro')?.availableBytes).toBeGreaterThan(0);
  });

  it('sees an agent that is already installed, and a cluster port in use', async () => {
    await dev(1).exec(
      'mkdir -p /etc/spectro /var/lib/stylus-root/opt/spectrocloud/bin /var/lib/stylus-root/opt/spectrocloud/state && echo "export STYLUS_ROOT=/var/lib/stylus-root" > /etc/spectro/environment && printf \'#!/bin/sh\\necho "version: v4.7.9"\\necho "build: test"\\necho "fips: false"\\n\' > /var/lib/stylus-root/opt/spectrocloud/bin/palette-agent && chmod +x /var/lib/stylus-root/opt/spectrocloud/bin/palette-agent && touch /var/lib/stylus-root/opt/spectrocloud/state/setup_done',
    );
    await dev(1).exec('(setsid python3 -m http.server 6443 --bind 0.0.0.0 >/dev/null 2>&1 &)');
    await new Promise((r) => setTimeout(r, 800));
    await svc.call('hardware.probe', { id: ids[1]! });
    const checks = await svc.call('checks.evaluate', {});
    const results = checks.devices.find((d) => d.deviceId === ids[1])!.results;
    expect(results.find((r) => r.id === 'agent-not-installed')).toMatchObject({ status: 'warn', measured: 'installed (4.7.9), set up' });
    expect(results.find((r) => r.id === 'cluster-ports-free')).toMatchObject({ status: 'block', measured: 'in use: 6443' });
    await dev(1).exec('pkill -f "[h]ttp.server 6443" || true');
  });

  it('main refuses overrides without a reason, of passes, and of blocks no reason can lift', async () => {
    const id = ids[0]!;
    await svc.call('hardware.probe', { id });
    const cores = (await svc.call('checks.evaluate', {})).devices
      .find((d) => d.deviceId === id)!
      .results.find((r) => r.id === 'cpu-cores')!;
    await expect(
      svc.call('checks.override', { deviceId: id, checkId: 'cpu-cores', reason: 'short', technician: 'Alex' }),
    ).rejects.toMatchObject({ code: 'INVALID_INPUT', data: { field: 'reason' } });
    await expect(
      svc.call('checks.override', { deviceId: id, checkId: 'systemd', reason: 'the device is fine really', technician: 'Alex' }),
    ).rejects.toMatchObject({ message: expect.stringMatching(/does not block|cannot be overridden/) });
    await svc.call('plan.update', { ...(await svc.call('visit.get', {})).plan, distribution: 'canonical' });
    await expect(
      svc.call('checks.override', { deviceId: id, checkId: 'canonical-ubuntu', reason: 'customer insists on Debian', technician: 'Alex' }),
    ).rejects.toMatchObject({ message: expect.stringMatching(/cannot be overridden/) });
    await svc.call('plan.update', { ...(await svc.call('visit.get', {})).plan, distribution: 'pxke' });
    if (cores.status === 'block') {
      const visit = await svc.call('checks.override', {
        deviceId: id,
        checkId: 'cpu-cores',
        reason: 'bench unit, no workloads',
        technician: 'Alex Field',
      });
      expect(visit.overrides).toEqual([
        expect.objectContaining({ deviceId: id, checkId: 'cpu-cores', reason: 'bench unit, no workloads', technician: 'Alex Field' }),
      ]);
      expect(
        (await svc.call('checks.evaluate', {})).devices.find((d) => d.deviceId === id)!.results.find((r) => r.id === 'cpu-cores')!.override,
      ).toBeTruthy();
    }
  });

  it('imports a device list all or nothing', async () => {
    const before = (await svc.call('visit.get', {})).devices.length;
    const bad = await svc.call('devices.import', { csv: 'host,port,user\n198.18.9.1,22,root\nbad host,22\n' });
    expect(bad.added).toEqual([]);
    expect(bad.errors).toEqual([{ line: 3, message: expect.stringMatching(/^host:/) }]);
    const good = await svc.call('devices.import', { csv: '198.18.9.1,22,root\n198.18.9.2,2222,tech,password\n' });
    expect(good.added.map((d) => d.label)).toEqual(['198.18.9.1', '198.18.9.2']);
    expect((await svc.call('visit.get', {})).devices.length).toBe(before + 2);
    for (const d of good.added) await svc.call('devices.remove', { id: d.id });
  });

  it('checks from each device that the others answer on the cluster ports, and spots a firewall', async () => {
    const visit = await svc.call('visit.get', {});
    await svc.call('plan.update', {
      ...visit.plan,
      topology: 'multi',
      roles: { [ids[0]!]: 'control-plane', [ids[1]!]: 'worker', [ids[2]!]: 'worker' },
      leader: ids[0]!,
    });
    await dev(2).dropPort(6443);
    try {
      const view = await svc.call('network.crossCheck', {});
      expect(view.errors).toEqual([]);
      expect(view.results).toHaveLength(3 * 2 * 4);
      const filtered = view.results.filter((r) => !r.reachable);
      expect(filtered.map((r) => [r.to, r.port, r.verdict])).toEqual([
        [ids[2], 6443, 'filtered'],
        [ids[2], 6443, 'filtered'],
      ]);
      expect(view.results.filter((r) => r.verdict === 'refused')).toHaveLength(22);
    } finally {
      await dev(2).undropPort(6443);
    }
  });
});
