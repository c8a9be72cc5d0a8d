import { spawn, type ChildProcess } from 'node:child_process';
import { createHash } from 'node:crypto';
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { UpgradeRunView } from '../../common/upgrade/model';
import { buildFixtureBundle } from '../../e2e/lab/fixture-bundle';
import { Lab } from '../../e2e/lab/lab';
import { waitFor } from '../../e2e/lab/run';
import { servicesForTest } from './helpers';

/**
 * The upgrade takes the documented path of each device (common/upgrade/paths.ts): the reinstall through
 * `palette-agent uninstall` for a locally managed host in no cluster, Local UI for a cluster member, Palette for
 * a centrally managed host. The fixture agent 4.9.10 has `uninstall` (it arrived with 4.9.10).
 */
describe('upgrade along the documented path of each device', () => {
  let lab: Lab;
  let svc: ReturnType<typeof servicesForTest>;
  const ids: string[] = [];
  let kubelet: ChildProcess | null = null;
  const bundle = async (version: string) => {
    const b = await buildFixtureBundle({ dir: join(lab.dir, `bundle-${version}`), version, payloadBytes: 1024 * 1024 });
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
    const { runId } = await svc.call('install.start', { bundleId: await bundle('4.9.10'), deviceIds: ids });
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
    // The second host is a cluster member: a kubelet listens on it (a plain listener in its network namespace).
    kubelet = spawn('ip', ['netns', 'exec', lab.devices[1]!.ns, process.execPath, '-e', "require('net').createServer().listen(10250)"], {
      stdio: 'ignore',
    });
    await waitFor('the kubelet stand-in', async () => (await lab.devices[1]!.exec('ss -Hltn')).includes(':10250'), 10_000);
  }, 400_000);
  afterAll(async () => {
    kubelet?.kill();
    svc?.close();
    await lab?.stop();
  });

  it('reinstalls a host in no cluster through uninstall (dry run in the plan first), and leaves the cluster member to Local UI', async () => {
    const [free, member] = lab.devices as [(typeof lab.devices)[0], (typeof lab.devices)[0]];
    const userDataBefore = await free.exec('sha256sum /var/lib/spectro/userdata');
    const { runId } = await svc.call('upgrade.start', { bundleId: await bundle('4.9.12'), deviceIds: ids });
    const review = await until(runId, 'review');
    const [a, b] = review.devices;
    expect(a!.installed).toMatchObject({ version: '4.9.10', mode: 'local', inCluster: false, canUninstall: true });
    expect(b!.installed).toMatchObject({ version: '4.9.10', mode: 'local', inCluster: true, canUninstall: true });
    expect([a!.path, b!.path]).toEqual(['reinstall', 'content-bundle']);
    // The dry run is in the plan, and changed nothing; nothing was even sent to the cluster member.
    expect(a!.dryRun).toMatch(/Remove stylus root directories .*\(dry run\)/);
    expect(a!.dryRun).toMatch(/Dry run: nothing was changed\./);
    expect(await free.exec('/opt/spectrocloud/bin/palette-agent version')).toContain('v4.9.10');
    expect(await member.exec('ls /var/lib/eai-staging 2>/dev/null | wc -l')).toBe('0\n');
    expect(review.plan!.order).toEqual([ids[0]]);
    expect(review.plan!.issues.find((i) => i.id === 'content-bundle')).toMatchObject({ severity: 'info', deviceIds: [ids[1]] });
    expect(review.plan!.issues.find((i) => i.id === 'reinstall')).toMatchObject({ severity: 'info', deviceIds: [ids[0]] });

    await svc.call('upgrade.apply', { runId, confirm: {}, targetPack: null });
    const done = await until(runId, 'finished');
    const d = done.devices[0]!;
    expect(d.error).toBeUndefined();
    expect(d.phase).toBe('done');
    expect(d.versionAfter).toBe('4.9.12');
    expect(done.devices[1]!.phase).toBe('skipped');
    expect(await free.exec('/opt/spectrocloud/bin/palette-agent version')).toContain('v4.9.12');
    // The documented reinstall keeps the user-data: the same file, untouched.
    expect(await free.exec('sha256sum /var/lib/spectro/userdata')).toBe(userDataBefore);
    expect(await member.exec('/opt/spectrocloud/bin/palette-agent version')).toContain('v4.9.10');

    const journal = readFileSync(join(svc.dataDir, 'runs', `${runId}.jsonl`), 'utf8')
      .trim()
      .split('\n')
      .map((l) => JSON.parse(l));
    const steps = journal.filter((e) => e.kind === 'step-finished' && e.deviceId === ids[0]).map((e) => e.step);
    expect(steps).toEqual([
      'detect',
      'upload',
      'stage',
      'dry-run',
      'backup',
      'uninstall',
      'apply',
      'userdata',
      'agent-install',
      'reboot',
      'reconnect',
      'first-boot',
      'verify',
    ]);
    expect(journal.find((e) => e.kind === 'step-finished' && e.step === 'uninstall')?.data.output).toMatch(/completed successfully/);
    const report = await svc.call('reports.get', { runId });
    expect(report.upgrade).toMatchObject({ orderReason: expect.stringMatching(/installer's choice/) });
    expect(report.upgrade!.paths).toEqual([
      expect.objectContaining({ path: 'reinstall', documented: true }),
      expect.objectContaining({ path: 'content-bundle', documented: true }),
    ]);
  });

  it('a cluster member upgraded in Local UI: the files carried to site are checked, then its version is followed to the target', async () => {
    const member = lab.devices[1]!;
    const dir = join(lab.dir, 'content');
    mkdirSync(join(dir, 'again'), { recursive: true });
    writeFileSync(join(dir, 'core-4.9.12.tar.zst'), 'content bundle bytes');
    writeFileSync(join(dir, 'again', 'core-4.9.12.tar.zst'), 'another build');
    writeFileSync(join(dir, 'cluster-def.tgz'), 'cluster definition');
    writeFileSync(join(dir, 'cluster-def.tgz.sha256'), `${'0'.repeat(64)}  cluster-def.tgz\n`);
    const checked = await svc.call('upgrade.checkContentFiles', {
      paths: [join(dir, 'core-4.9.12.tar.zst'), join(dir, 'cluster-def.tgz'), join(dir, 'again', 'core-4.9.12.tar.zst')],
    });
    expect(checked.files[0]).toMatchObject({
      kind: 'content-bundle',
      size: 20,
      sha256: createHash('sha256').update('content bundle bytes').digest('hex'),
    });
    expect(checked.files[1]).toMatchObject({ kind: 'cluster-definition', expectedSha256: '0'.repeat(64) });
    expect(checked.issues.filter((i) => i.severity === 'block').map((i) => i.message)).toEqual([
      expect.stringMatching(/^cluster-def\.tgz: its sha256 is [0-9a-f]{64}, but the \.sha256 beside it says 0{64}\.$/),
      expect.stringMatching(/^Two files are named core-4\.9\.12\.tar\.zst .*Local UI would overwrite the first/),
    ]);

    const started = await svc.call('upgrade.verifyCluster', { deviceIds: [ids[1]!], targetVersion: '4.9.12', limitMinutes: 2 });
    expect(started.devices[0]!.phase).not.toBe('done');
    // Here Local UI would apply the content bundle: the lab changes the agent on the host as that update would.
    await new Promise((r) => setTimeout(r, 2500));
    expect((await svc.call('upgrade.verifyClusterStatus', { runId: started.runId })).finished).toBe(false);
    await member.exec('sed -i \'s/^VERSION=.*/VERSION="4.9.12"/\' /opt/spectrocloud/bin/palette-agent.sh');
    const done = await waitFor(
      'the cluster verification',
      async () => {
        const v = await svc.call('upgrade.verifyClusterStatus', { runId: started.runId });
        return v.finished ? v : null;
      },
      60_000,
      300,
    );
    expect(done.devices[0]).toMatchObject({ phase: 'done', before: '4.9.10', now: '4.9.12' });
    const report = await svc.call('reports.get', { runId: started.runId });
    expect(report.devices[0]).toMatchObject({ versionBefore: '4.9.10', versionAfter: '4.9.12', result: 'done' });
    expect(report.upgrade!.paths).toEqual([
      expect.objectContaining({ path: 'content-bundle', title: 'Through a content bundle in Local UI' }),
    ]);
  });

  it('refuses to replace the agent of a centrally managed host: Palette upgrades it', async () => {
    const member = lab.devices[1]!;
    kubelet?.kill();
    await waitFor('the kubelet stand-in to stop', async () => !(await member.exec('ss -Hltn')).includes(':10250'), 10_000);
    await member.exec("sed -i 's/managementMode: local/managementMode: central/' /var/lib/spectro/userdata");
    const { runId } = await svc.call('upgrade.start', { bundleId: await bundle('4.9.14'), deviceIds: [ids[1]!] });
    const review = await until(runId, 'review');
    expect(review.devices[0]!.path).toBe('palette');
    const refusal = review.plan!.issues.find((i) => i.id === 'central-palette');
    expect(refusal).toMatchObject({ severity: 'block', deviceIds: [ids[1]] });
    expect(refusal!.message).toMatch(/Palette moves the agent to the version its instance expects.*The wizard does not replace it\./);
    await expect(svc.call('upgrade.apply', { runId, confirm: {}, targetPack: null })).rejects.toMatchObject({ code: 'PRECONDITION' });
    expect(await member.exec('/opt/spectrocloud/bin/palette-agent version')).toContain('v4.9.12');
  });

  it('uninstalls: the dry run first, a central host only with the Palette record confirmed, then checks the agent is gone', async () => {
    const member = lab.devices[1]!;
    // No dry run shown yet: refused.
    await expect(svc.call('agent.uninstall', { deviceId: ids[1]! })).rejects.toMatchObject({
      code: 'PRECONDITION',
      message: expect.stringMatching(/Read the dry run/),
    });
    const preview = await svc.call('agent.uninstallPreview', { deviceId: ids[1]! });
    expect(preview).toMatchObject({ mode: 'central', needsPaletteConfirmation: true, version: '4.9.12' });
    expect(preview.dryRun).toMatch(/Stop spectro services .*\(dry run\)/);
    expect(await member.exec('test -x /opt/spectrocloud/bin/palette-agent && echo still')).toBe('still\n');
    await expect(svc.call('agent.uninstall', { deviceId: ids[1]! })).rejects.toMatchObject({
      message: expect.stringMatching(/Edge Host record stays in Palette.*\/etc\/machine-id/),
    });
    const machineId = await member.exec('cat /etc/machine-id');
    const done = await svc.call('agent.uninstall', { deviceId: ids[1]!, paletteRecordWillBeDeleted: true });
    expect(done.error).toBeUndefined();
    expect(done.phase).toBe('done');
    expect(done.verify!.every((c) => c.ok)).toBe(true);
    expect(await member.exec('ls /opt/spectrocloud/bin/palette-agent 2>/dev/null | wc -l')).toBe('0\n');
    expect(await member.exec('cat /etc/machine-id')).toBe(machineId);
    expect(await member.exec('test -s /var/lib/spectro/userdata && echo kept')).toBe('kept\n');
    const report = await svc.call('reports.get', { runId: done.runId });
    expect(report.kind).toBe('uninstall');
    expect(report.handoff.nextSteps[0]).toMatch(/Delete the Edge Host record .* in Palette/);
    expect(report.devices[0]!.steps.map((s) => s.step)).toEqual(['dry-run', 'uninstall', 'verify']);

    // The device's facts say no agent any more.
    const visit = await svc.call('visit.get', {});
    expect(visit.devices.find((d) => d.id === ids[1])!.facts?.software.agent.installed).toBe(false);
  });
});
