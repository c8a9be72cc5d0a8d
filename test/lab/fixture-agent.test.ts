import { copyFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { buildFixtureBundle } from '../../e2e/lab/fixture-bundle';
import { Lab, type LabDevice } from '../../e2e/lab/lab';
import { waitFor } from '../../e2e/lab/run';

/**
 * The documented manual procedure (device-contract §1) on a lab device, by hand: extract the fixture
 * bundle into /, write the user-data, reboot; the boot step runs spectro-init and the agent comes up.
 * This is what the install engine automates; here it proves the fixture and the lab behave like the
 * real thing.
 */
describe('fixture agent bundle on a lab device', () => {
  let lab: Lab;
  let dev: LabDevice;
  beforeAll(async () => {
    lab = await Lab.start(1);
    dev = lab.devices[0]!;
  });
  afterAll(async () => {
    await lab?.stop();
  });

  const show = () => dev.exec('systemctl show spectro-init -p ActiveState -p SubState -p NRestarts');
  const extract = async (bundlePath: string, userData: string) => {
    copyFileSync(bundlePath, join(dev.control, 'bundle.tar'));
    await dev.exec(
      `tar -xf /run/lab/bundle.tar -C / && printf '${userData}' > /var/lib/spectro/userdata && chmod 600 /var/lib/spectro/userdata`,
    );
  };

  it('installs at the first boot while sshd already answers, and the second boot leaves it alone (setup_done)', async () => {
    const bundle = await buildFixtureBundle({ dir: join(lab.dir, 'bundle'), version: '4.7.9', installSeconds: 4 });
    await extract(bundle.path, '#cloud-config\\nstylus:\\n  managementMode: local\\n');
    expect(await dev.exec('ls /etc/systemd/system/multi-user.target.wants | grep -c ^spectro')).toBe('7\n');
    expect(await dev.exec('grep -c "^Type=" /etc/systemd/system/spectro-init.service || true')).toBe('0\n');
    const before = dev.reboots;
    await dev.exec('(systemctl reboot >/dev/null 2>&1 &)');
    await dev.waitForReboot(before);

    // sshd is up, the first-boot step is not done: a simple unit is "active (running)" meanwhile.
    expect(await show()).toBe('ActiveState=active\nSubState=running\nNRestarts=0\n');
    expect(await dev.exec('test -e /opt/spectrocloud/state/setup_done && echo yes || echo not-yet')).toBe('not-yet\n');
    await waitFor('the first-boot step', async () => (await show()).includes('SubState=exited'), 60_000, 250);
    expect(await dev.exec('test -e /opt/spectrocloud/state/setup_done && echo yes')).toBe('yes\n');
    // As documented: version and build lines, and an empty fips line for a standard build.
    expect(await dev.exec('/opt/spectrocloud/bin/palette-agent version')).toBe('version: v4.7.9\nbuild: release\nfips:\n');
    expect(await dev.exec('systemctl is-active spectro-stylus-agent spectro-stylus-operator')).toBe('active\nactive\n');
    const log = await dev.exec('journalctl -u spectro-init -n 50 --no-pager -o cat');
    expect(log).toMatch(/^\+ palette-agent install --source dir:\/var\/lib\/spectro\/stylus/m);
    expect(
      log
        .trim()
        .split('\n')
        .filter((l) => !l.startsWith('+'))
        .at(-1),
    ).toBe('palette-agent: installed v4.7.9');

    await dev.reboot();
    await waitFor("the second boot's step", async () => (await show()).includes('SubState=exited'), 30_000, 250);
    expect((await dev.exec('grep -c "installed v" /var/log/lab-boot.log')).trim()).toBe('1');
    expect(await dev.exec('journalctl -u spectro-init -o cat')).toContain('first boot: already set up');
  });

  it('with a custom stylus.path the first sentinel write fails and systemd runs the step again, 5 s later (as published)', async () => {
    await dev.exec(
      'rm -rf /opt/spectrocloud /var/lib/spectro /etc/spectro /var/stylus-root /etc/systemd/system/spectro* /etc/systemd/system/*.wants/spectro*',
    );
    const bundle = await buildFixtureBundle({ dir: join(lab.dir, 'bundle-path'), version: '4.7.9', installSeconds: 1 });
    await extract(bundle.path, '#cloud-config\\nstylus:\\n  managementMode: local\\n  path: /var/stylus-root\\n');
    await dev.reboot();
    await waitFor('the restarted first-boot step', async () => (await show()).includes('SubState=exited'), 60_000, 250);
    expect(await show()).toBe('ActiveState=active\nSubState=exited\nNRestarts=1\n');
    const log = await dev.exec('journalctl -u spectro-init -o cat');
    expect(log).toMatch(/touch: cannot touch '\/opt\/spectrocloud\/state\/setup_done'/);
    expect(log.match(/palette-agent: installed v4\.7\.9/g)).toHaveLength(2);
    expect(await dev.exec('cat /etc/spectro/environment; test -e /var/stylus-root/opt/spectrocloud/state/setup_done && echo yes')).toBe(
      'STYLUS_ROOT=/var/stylus-root\nyes\n',
    );
  });
});
