import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { buildFixtureBundle } from '../../e2e/lab/fixture-bundle';
import { Lab } from '../../e2e/lab/lab';
import { waitFor } from '../../e2e/lab/run';
import { servicesForTest } from './helpers';

/**
 * A device given a static address other than the one the wizard reached it at: the plan says so before the
 * install, and after the reboot the wizard follows it there with the same pinned host key — or, when the
 * address was not applied, goes on at the old one and says so.
 */
describe('a device that changes its address at the reboot', () => {
  let lab: Lab;
  let svc: ReturnType<typeof servicesForTest>;
  const ids: string[] = [];
  const olds: string[] = [];
  const news: string[] = [];

  beforeAll(async () => {
    lab = await Lab.start(2);
    svc = servicesForTest();
    for (const dev of lab.devices) {
      // Static addressing needs systemd-networkd enabled (the check blocks otherwise): as a prepared host has it.
      await dev.exec(
        'mkdir -p /etc/systemd/system/multi-user.target.wants && ln -sf /lib/systemd/system/systemd-networkd.service /etc/systemd/system/multi-user.target.wants/systemd-networkd.service',
      );
      const d = await svc.addRoot(dev, lab.clientKey);
      await svc.readAndClear(d.id);
      ids.push(d.id);
      olds.push(dev.address);
      news.push(`${dev.address.split('.').slice(0, 3).join('.')}.${100 + dev.index}`);
    }
    const v = await svc.call('visit.get', {});
    await svc.call('plan.update', {
      ...v.plan,
      topology: 'multi',
      roles: { [ids[0]!]: 'control-plane', [ids[1]!]: 'worker' },
      leader: ids[0]!,
    });
    await svc.call('site.update', {
      ...v.site,
      endpoint: { kind: 'vip', vip: `${olds[0]!.split('.').slice(0, 3).join('.')}.250` },
      devices: Object.fromEntries(
        ids.map((id, i) => [
          id,
          {
            hostName: `store-${i + 1}`,
            edgeHostName: `store-${i + 1}`,
            nic: { name: 'eth0', mode: 'static' as const, address: `${news[i]}/16`, gateway: '198.18.0.1', dns: [] },
          },
        ]),
      ),
    });
    for (const id of ids) await svc.readAndClear(id); // the static address asks systemd-networkd of each host
  });
  afterAll(async () => {
    svc?.close();
    await lab?.stop();
  });

  it('says before the install which devices move, and to where', async () => {
    const issues = await svc.call('site.issues', {});
    for (const [i, id] of ids.entries()) {
      const w = issues.find((x) => x.field === `devices.${id}.nic.address`);
      expect(w?.severity).toBe('warn');
      expect(w?.message).toMatch(
        new RegExp(
          `takes ${news[i]!.replace(/\./g, '\\.')} at its reboot \\(the wizard reaches it at ${olds[i]!.replace(/\./g, '\\.')} now\\)`,
        ),
      );
    }
  });

  it('follows the device that moved (same host key), and goes on at the old address where the move did not happen', async () => {
    const [moving, staying] = lab.devices as [(typeof lab.devices)[0], (typeof lab.devices)[0]];
    const keyBefore = await moving.fingerprint();
    moving.moveAtNextBoot(news[0]!); // the second device keeps its old address: its static address "was not applied"
    const bundle = await buildFixtureBundle({ dir: join(lab.dir, 'bundle'), version: '4.7.9' });
    const { bundleId } = await svc.call('bundle.inspect', { path: bundle.path });
    const { runId } = await svc.call('install.start', { bundleId, deviceIds: ids });
    const done = await waitFor(
      'the install to finish',
      async () => {
        const v = await svc.call('install.status', { runId });
        return v.finished ? v : null;
      },
      240_000,
      500,
    );
    for (const d of done.devices) expect(d.error, d.deviceId).toBeUndefined();
    expect(moving.address).toBe(news[0]);
    expect(staying.address).toBe(olds[1]);

    const visit = await svc.call('visit.get', {});
    const view = (id: string) => visit.devices.find((d) => d.id === id)!;
    expect(view(ids[0]!).connection).toMatchObject({ host: news[0] });
    expect(view(ids[0]!).hostKey?.fingerprint).toBe(keyBefore);
    expect(view(ids[1]!).connection).toMatchObject({ host: olds[1] });
    const pins = await svc.call('hostKeys.list', {});
    expect(
      pins
        .filter((p) => p.fingerprint === keyBefore)
        .map((p) => p.host)
        .sort(),
    ).toEqual([olds[0], news[0]].sort());

    const log = (id: string) => done.devices.find((d) => d.deviceId === id)!.log.join('\n');
    expect(log(ids[0]!)).toContain(`The device came back at its static address ${news[0]} (it was ${olds[0]}), with the same host key.`);
    expect(log(ids[1]!)).toContain(
      `The device came back at its old address ${olds[1]}, not at the static address ${news[1]} the site gives it`,
    );
  });
});
