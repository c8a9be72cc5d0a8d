import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { UpgradeRunView } from '../../common/upgrade/model';
import { buildFixtureBundle } from '../../e2e/lab/fixture-bundle';
import { Lab } from '../../e2e/lab/lab';
import { waitFor } from '../../e2e/lab/run';
import { servicesForTest } from './helpers';

/** Offline agent upgrade on two linked lab devices: detect, stage, plan, one at a time with the leader last, rollback. */
describe('offline agent upgrade', () => {
  let lab: Lab;
  let svc: ReturnType<typeof servicesForTest>;
  const ids: string[] = [];
  const bundle = async (version: string, failInstall = false) => {
    const b = await buildFixtureBundle({
      dir: join(lab.dir, `bundle-${version}${failInstall ? '-broken' : ''}`),
      version,
      payloadBytes: 1024 * 1024,
      failInstall,
    });
    return (await svc.call('bundle.inspect', { path: b.path })).bundleId;
  };
  const until = (runId: string, stage: UpgradeRunView['stage']) =>
    waitFor(
      `the upgrade to reach ${stage}`,
      async () => {
        const v = await svc.call('upgrade.status', { runId });
        return v.stage === stage ? v : null;
      },
      300_000,
      300,
    );

  beforeAll(async () => {
    lab = await Lab.start(2);
    svc = servicesForTest();
    for (const dev of lab.devices) {
      const d = await svc.addRoot(dev, lab.clientKey);
      await svc.readAndClear(d.id);
      ids.push(d.id);
    }
    // A locally managed K3s cluster of a control plane (the leader) and a worker (agent mode has no
    // two-node HA). Install 4.7.6 on both: K3s packs are not among those that need agent 4.7.7.
    const v = await svc.call('visit.get', {});
    await svc.call('plan.update', {
      ...v.plan,
      topology: 'multi',
      distribution: 'k3s',
      roles: { [ids[0]!]: 'control-plane', [ids[1]!]: 'worker' },
      leader: ids[0]!,
    });
    await svc.call('site.update', {
      ...v.site,
      endpoint: { kind: 'vip', vip: `${lab.devices[0]!.address.split('.').slice(0, 3).join('.')}.250` },
    });
    const { runId } = await svc.call('install.start', { bundleId: await bundle('4.7.6'), deviceIds: ids });
    const done = await waitFor(
      'the install',
      async () => {
        const r = await svc.call('install.status', { runId });
        return r.finished ? r : null;
      },
      300_000,
      500,
    );
    expect(done.devices.map((d) => d.phase)).toEqual(['done', 'done']);
  }, 400_000);
  afterAll(async () => {
    svc?.close();
    await lab?.stop();
  });

  it('detects what is installed and refuses a downgrade without a reason', async () => {
    const { runId } = await svc.call('upgrade.start', { bundleId: await bundle('4.7.5'), deviceIds: ids });
    const review = await until(runId, 'review');
    expect(review.devices.map((d) => d.installed)).toEqual([
      {
        version: '4.7.6',
        build: 'release',
        fips: false,
        setupDone: true,
        mode: 'local',
        multiNode: true,
        inCluster: false,
        canUninstall: false,
      },
      {
        version: '4.7.6',
        build: 'release',
        fips: false,
        setupDone: true,
        mode: 'local',
        multiNode: true,
        inCluster: false,
        canUninstall: false,
      },
    ]);
    expect(review.target).toMatchObject({ version: '4.7.5', fips: false });
    expect(review.plan!.issues.find((i) => i.id === 'downgrade')).toMatchObject({ severity: 'block' });
    // 4.7.6 has no uninstall (it came with 4.9.10): the installer's own method, said to be undocumented.
    expect(review.devices.map((d) => d.path)).toEqual(['replace', 'replace']);
    expect(review.plan!.issues.find((i) => i.id === 'not-documented')).toMatchObject({
      severity: 'warn',
      message: expect.stringMatching(/no uninstall/),
    });
    await expect(svc.call('upgrade.apply', { runId, confirm: {}, targetPack: null })).rejects.toMatchObject({
      message: expect.stringMatching(/blocked: This is a downgrade to 4\.7\.5/),
    });
    for (const dev of lab.devices) expect(await dev.exec('/opt/spectrocloud/bin/palette-agent version')).toContain('v4.7.6');
  });

  it('upgrades one device at a time, the leader last, and each verifies the new version; the report says before and after', async () => {
    const { runId } = await svc.call('upgrade.start', { bundleId: await bundle('4.7.20'), deviceIds: ids });
    const review = await until(runId, 'review');
    expect(review.plan!.order).toEqual([ids[1], ids[0]]);
    // The pack table: a cluster moving to PXK-E 1.32.8 must wait for every node's agent.
    await svc.call('upgrade.apply', { runId, confirm: {}, targetPack: { distribution: 'pxke', kubernetesVersion: '1.32.8' } });
    // One run per device at a time: an install cannot start on a device being upgraded.
    await expect(svc.call('install.start', { bundleId: await bundle('4.7.20'), deviceIds: [ids[1]!] })).rejects.toMatchObject({
      message: expect.stringMatching(/is busy: an agent upgrade is running on it/),
    });
    const done = await until(runId, 'finished');
    expect(done.plan!.issues.find((i) => i.id === 'packs-order')?.message).toMatch(/only after every node verifies 4\.7\.20/);
    expect(done.devices.map((d) => [d.phase, d.versionAfter, d.error?.message])).toEqual([
      ['done', '4.7.20', undefined],
      ['done', '4.7.20', undefined],
    ]);
    for (const dev of lab.devices) {
      expect(await dev.exec('/opt/spectrocloud/bin/palette-agent version')).toContain('v4.7.20');
      expect(dev.reboots).toBe(2); // the install's, then the upgrade's
      expect(await dev.exec('cat /var/lib/eai-backup/version')).toBe('4.7.6\n');
    }
    // The worker rebooted before the leader.
    const starts = (await import('node:fs'))
      .readFileSync(join(svc.dataDir, 'runs', `${runId}.jsonl`), 'utf8')
      .trim()
      .split('\n')
      .map((l) => JSON.parse(l))
      .filter((e) => e.kind === 'step-started' && e.step === 'reboot')
      .map((e) => e.deviceId);
    expect(starts).toEqual([ids[1], ids[0]]);
    const report = await svc.call('reports.get', { runId });
    expect(report.kind).toBe('upgrade');
    expect(report.devices.map((d) => [d.versionBefore, d.versionAfter, d.result])).toEqual([
      ['4.7.6', '4.7.20', 'done'],
      ['4.7.6', '4.7.20', 'done'],
    ]);
  });

  it('an upgrade whose new agent fails to start is rolled back, the old version verifies, and the run stops there', async () => {
    const { runId } = await svc.call('upgrade.start', { bundleId: await bundle('4.7.21', true), deviceIds: ids });
    const review = await until(runId, 'review');
    expect(review.devices.map((d) => [d.phase, d.error?.message])).toEqual([
      ['ready', undefined],
      ['ready', undefined],
    ]);
    await svc.call('upgrade.apply', { runId, confirm: {}, targetPack: null });
    const done = await until(runId, 'finished');
    const [leader, worker] = done.devices;
    expect(worker!.phase).toBe('rolled-back');
    // The realistic first boot fails (and systemd restarts it) before any verify: the wizard says so with the
    // script's own error line, stops the step, and rolls back.
    expect(worker!.failedStep).toBe('first-boot');
    expect(worker!.rollback, JSON.stringify(worker)).toMatchObject({ ok: true, detail: 'Rolled back to 4.7.20; it verifies again.' });
    expect(worker!.error?.message).toMatch(/first-boot step failed.*"palette-agent: error: v4\.7\.21 failed to start/);
    expect(leader!.phase).toBe('skipped');
    expect(await lab.devices[1]!.exec('/opt/spectrocloud/bin/palette-agent version')).toContain('v4.7.20');
    expect(await lab.devices[1]!.exec('test -e /opt/spectrocloud/state/setup_done && echo yes')).toBe('yes\n');
    expect(await lab.devices[0]!.exec('/opt/spectrocloud/bin/palette-agent version')).toContain('v4.7.20');
    expect(lab.devices[0]!.reboots).toBe(2); // the leader was not touched
    const report = await svc.call('reports.get', { runId });
    expect(report.result).toBe('failed');
    expect(report.devices.find((d) => d.id === ids[1])!.error).toMatch(/Rolled back to 4\.7\.20; it verifies again/);
  });
});
