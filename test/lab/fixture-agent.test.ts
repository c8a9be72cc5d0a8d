import { copyFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { buildFixtureBundle } from '../../e2e/lab/fixture-bundle';
import { Lab, type LabDevice } from '../../e2e/lab/lab';

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

  it('installs at the first boot, and the second boot leaves it alone (setup_done)', async () => {
    const bundle = await buildFixtureBundle({ dir: join(lab.dir, 'bundle'), version: '4.7.9' });
    copyFileSync(bundle.path, join(dev.control, 'bundle.tar'));
    await dev.exec(
      'tar -xf /run/lab/bundle.tar -C / && printf "#cloud-config\\nstylus:\\n  managementMode: local\\n" > /var/lib/spectro/userdata && chmod 600 /var/lib/spectro/userdata',
    );
    expect(await dev.exec('ls /etc/systemd/system/multi-user.target.wants | grep -c ^spectro')).toBe('7\n');
    const before = dev.reboots;
    await dev.exec('(systemctl reboot >/dev/null 2>&1 &)');
    await dev.waitForReboot(before);

    expect(await dev.exec('test -e /opt/spectrocloud/state/setup_done && echo yes')).toBe('yes\n');
    expect(await dev.exec('/opt/spectrocloud/bin/palette-agent version')).toBe('version: v4.7.9\nbuild: fixture-4.7.9\nfips: false\n');
    expect(await dev.exec('systemctl is-active spectro-stylus-agent spectro-stylus-operator')).toBe('active\nactive\n');
    expect(await dev.exec('cat /var/log/lab-boot.log')).toContain('palette-agent: installed v4.7.9');

    await dev.reboot();
    expect((await dev.exec('grep -c "installed v" /var/log/lab-boot.log')).trim()).toBe('1');
    expect(await dev.exec('systemctl is-active spectro-stylus-agent')).toBe('active\n');
  });
});
