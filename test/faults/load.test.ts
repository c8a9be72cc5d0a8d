import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { buildFixtureBundle } from '../../e2e/lab/fixture-bundle';
import { Lab } from '../../e2e/lab/lab';
import { waitFor } from '../../e2e/lab/run';
import { servicesForTest } from '../lab/helpers';
import { recordFault, recordFigure } from './record';

const DEVICES = Number(process.env.EAI_LOAD_DEVICES ?? 16);

/** Sixteen lab devices in one session: connect, probe, install a small bundle; wall time and peak memory. */
describe(`load: ${DEVICES} devices in one session`, () => {
  let lab: Lab;
  let peakRss = 0;
  const sampler = setInterval(() => (peakRss = Math.max(peakRss, process.memoryUsage().rss)), 50);

  beforeAll(async () => {
    lab = await Lab.start(DEVICES);
  }, 600_000);
  afterAll(async () => {
    clearInterval(sampler);
    await lab?.stop();
  });

  it('connects, probes and installs on every device; nothing is lost', async () => {
    const bundle = await buildFixtureBundle({ dir: join(lab.dir, 'bundle'), version: '4.7.9', payloadBytes: 2 ** 20 });
    const svc = servicesForTest();
    try {
      const t0 = Date.now();
      const ids = (await Promise.all(lab.devices.map((dev) => svc.addRoot(dev, lab.clientKey)))).map((d) => d.id);
      await Promise.all(ids.map((id) => svc.call('hardware.probe', { id })));
      const probeMs = Date.now() - t0;
      for (const id of ids) await svc.readAndClear(id);
      const v = await svc.call('visit.get', {});
      // A locally managed cluster: three control planes (the first is the leader), the rest workers.
      const roles = Object.fromEntries(ids.map((id, i) => [id, i < 3 ? 'control-plane' : 'worker'] as const));
      await svc.call('plan.update', { ...v.plan, topology: 'multi', roles, leader: ids[0]! });
      await svc.call('site.update', {
        ...v.site,
        endpoint: { kind: 'vip', vip: `${lab.devices[0]!.address.split('.').slice(0, 3).join('.')}.250` },
      });
      const t1 = Date.now();
      const { runId } = await svc.call('install.start', {
        bundleId: (await svc.call('bundle.inspect', { path: bundle.path })).bundleId,
        deviceIds: ids,
      });
      const done = await waitFor(
        'every device to finish',
        async () => {
          const r = await svc.call('install.status', { runId });
          return r.finished ? r : null;
        },
        900_000,
        500,
      );
      const installMs = Date.now() - t1;
      const failed = done.devices.filter((d) => d.phase !== 'done');
      const lost = failed.map((d) => `${d.deviceId}: ${d.error?.message}`);
      for (const dev of lab.devices) {
        if (!(await dev.exec('/opt/spectrocloud/bin/palette-agent version 2>&1 || true')).includes('v4.7.9'))
          lost.push(`${dev.address}: agent not verified`);
      }
      recordFigure('load-devices', DEVICES, 'devices');
      recordFigure('load-connect-and-probe-wall', probeMs / 1000, 's');
      recordFigure('load-install-wall', installMs / 1000, 's');
      recordFigure('load-peak-rss', peakRss / 2 ** 20, 'MB', '< 400 (test runner included)');
      recordFault(
        `${DEVICES} devices in one session`,
        `connected and probed in ${(probeMs / 1000).toFixed(1)} s; installed (4 at a time, each through its reboot) and verified in ${(installMs / 1000).toFixed(1)} s; peak memory ${Math.round(peakRss / 2 ** 20)} MB`,
        lost,
      );
      expect(lost).toEqual([]);
      expect(peakRss / 2 ** 20).toBeLessThan(400);
    } finally {
      svc.close();
    }
    // The same sixteen installs took 47 s in one CI run and 217–239 s on this machine hours later (the lab shares two
    // cores with everything else): the limit is for a hang, not for speed (the figures are bench lines).
  }, 900_000);
});
