import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { parse } from 'yaml';
import { buildFixtureBundle } from '../../e2e/lab/fixture-bundle';
import { Lab } from '../../e2e/lab/lab';
import { waitFor } from '../../e2e/lab/run';
import { servicesForTest } from './helpers';

/**
 * A host added to a locally managed cluster whose leader is already installed: checked against the leader (OS,
 * architecture, reach from the new host on the cluster ports and Local UI), installed with enableMultiNode and
 * local management, and handed over with the documented link steps.
 */
describe('add a node to an existing local cluster', () => {
  let lab: Lab;
  let svc: ReturnType<typeof servicesForTest>;
  const ids: string[] = [];
  let bundleId = '';
  const install = async (deviceIds: string[]) => {
    const { runId } = await svc.call('install.start', { bundleId, deviceIds });
    return waitFor(
      'the install',
      async () => {
        const r = await svc.call('install.status', { runId });
        return r.finished ? r : null;
      },
      300_000,
      500,
    );
  };

  beforeAll(async () => {
    lab = await Lab.start(2);
    svc = servicesForTest();
    for (const dev of lab.devices) {
      const d = await svc.addRoot(dev, lab.clientKey);
      await svc.readAndClear(d.id);
      ids.push(d.id);
    }
    bundleId = (
      await svc.call('bundle.inspect', { path: (await buildFixtureBundle({ dir: join(lab.dir, 'bundle'), version: '4.9.10' })).path })
    ).bundleId;
    // The existing cluster: its leader, installed on its own in an earlier visit.
    const v = await svc.call('visit.get', {});
    await svc.call('plan.update', { ...v.plan, mode: 'local', topology: 'single', roles: { [ids[0]!]: 'control-plane' }, leader: ids[0]! });
    // The site profile of that cluster names its endpoint (chosen when the cluster was created).
    await svc.call('site.update', {
      ...v.site,
      endpoint: { kind: 'vip', vip: `${lab.devices[0]!.address.split('.').slice(0, 3).join('.')}.250` },
    });
    const first = await install([ids[0]!]);
    expect(first.devices[0]!.phase).toBe('done');
    await svc.call('hardware.probe', { id: ids[0]! });
  }, 400_000);
  afterAll(async () => {
    svc?.close();
    await lab?.stop();
  });

  it('refuses a firewall between the new host and the leader, naming the port', async () => {
    await lab.devices[0]!.dropPort(10250);
    try {
      const r = await svc.call('cluster.checkJoin', { leaderId: ids[0]!, deviceId: ids[1]! });
      expect(r.ok).toBe(false);
      expect(r.checks.find((c) => c.id === 'reach-10250')).toMatchObject({
        status: 'block',
        detail: expect.stringMatching(/a firewall drops it/),
      });
      expect(r.checks.find((c) => c.id === 'reach-6443')).toMatchObject({
        status: 'pass',
        detail: expect.stringMatching(/refused: nothing listens there yet/),
      });
    } finally {
      await lab.devices[0]!.undropPort(10250);
    }
  });

  it('checks the new host against the cluster, installs it with enableMultiNode, and hands over the link steps', async () => {
    const r = await svc.call('cluster.join', { leaderId: ids[0]!, deviceId: ids[1]!, role: 'worker' });
    expect(r.checks.filter((c) => c.status === 'block')).toEqual([]);
    expect(r.checks.map((c) => c.id)).toEqual([
      'leader-agent',
      'same-os',
      'same-arch',
      'new-host-free',
      'reach-6443',
      'reach-2379',
      'reach-2380',
      'reach-10250',
      'reach-5080',
    ]);
    // Local UI of the installed leader answers: the new host reaches it.
    expect(r.checks.find((c) => c.id === 'reach-5080')).toMatchObject({
      status: 'pass',
      detail: expect.stringMatching(/accepted a connection/),
    });
    expect(r.visit!.plan).toMatchObject({
      mode: 'local',
      topology: 'multi',
      leader: ids[0],
      roles: { [ids[0]!]: 'control-plane', [ids[1]!]: 'worker' },
    });

    const run = await install([ids[1]!]);
    expect(run.devices[0]).toMatchObject({ phase: 'done', agentVersion: '4.9.10' });
    const userData = parse(await lab.devices[1]!.exec('cat /var/lib/spectro/userdata'));
    expect(userData.stylus).toMatchObject({ managementMode: 'local', enableMultiNode: true });
    const report = await svc.call('reports.get', { runId: run.runId });
    expect(report.devices.map((d) => d.label)).toEqual([lab.devices[1]!.address]);
    expect(report.handoff.nextSteps.join('\n')).toMatch(
      new RegExp(
        `In Local UI on the leader .*https://${lab.devices[0]!.address.replace(/\./g, '\\.')}:5080.*generate a link token .* link to the leader`,
      ),
    );
  });

  it('refuses a device that already runs an agent', async () => {
    const r = await svc.call('cluster.checkJoin', { leaderId: ids[0]!, deviceId: ids[1]! });
    expect(r.checks.find((c) => c.id === 'new-host-free')).toMatchObject({ status: 'block' });
  });
});
