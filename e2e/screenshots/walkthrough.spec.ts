import { join } from 'node:path';
import { buildFixtureBundle } from '../lab/fixture-bundle';
import { addPasswordDevice, expect, test } from '../fixtures';

const shot = (name: string) => `docs/screenshots/${name}.png`;

test('walk through the wizard and take the README screenshots', async ({ page, app, lab }) => {
  const [a, b] = lab.devices;
  await page.goto(app.url);
  await page.getByLabel('Site name').fill('Plant 4 — Line 2 cabinet');
  await page.getByLabel('Technician').fill('Alex Field');
  await page.screenshot({ path: shot('1-site-visit') });
  await page.getByRole('button', { name: 'Next: add devices' }).click();

  await addPasswordDevice(page, a!.address, 'tech');
  await addPasswordDevice(page, b!.address, 'tech');
  const card = page.getByTestId(`device-${a!.address}`);
  await card.getByLabel('Password', { exact: true }).fill(a!.techPassword);
  await card.getByLabel('sudo password (if sudo asks for one)').fill(a!.techPassword);
  await card.getByRole('button', { name: 'Connect' }).click();
  await expect(card.getByTestId('hostkey-confirm')).toBeVisible();
  await page.screenshot({ path: shot('2-devices-fingerprint'), fullPage: true });
  await card.getByRole('button', { name: /trust and connect/ }).click();
  await expect(card.getByTestId('device-state')).toHaveAttribute('data-state', 'connected');
  await page.screenshot({ path: shot('3-devices-connected'), fullPage: true });

  await page.getByRole('button', { name: 'Next: check devices' }).click();
  await expect(page.getByTestId(`checks-${a!.address}`).getByTestId('verdict')).toBeVisible();
  await page.screenshot({ path: shot('4-check'), fullPage: true });
  const cores = page.getByTestId(`checks-${a!.address}`).locator('tr[data-check="cpu-cores"]');
  await cores.getByRole('button', { name: 'Override…' }).click();
  await page.getByLabel('Reason (goes on the report)').fill('Lab device on a two-core test machine');
  await page.getByRole('button', { name: 'Record override' }).click();
  await page.getByRole('button', { name: 'Next: plan the cluster' }).click();
  await page.getByRole('radio', { name: /Palette Optimized Canonical/ }).check();
  await page.screenshot({ path: shot('5-plan'), fullPage: true });
  await page.getByRole('radio', { name: /Palette eXtended Kubernetes Edge/ }).check();
  await page.getByRole('button', { name: 'Next: site properties' }).click();
  await page.getByLabel('NTP servers (comma separated)').fill('10.0.0.3, ntp.site.local');
  await expect(page.getByTestId('save-status')).toHaveAttribute('data-status', 'saved');
  await page.screenshot({ path: shot('6-site'), fullPage: true });
  await page.getByRole('button', { name: 'Next: install' }).click();
  const dir = join(lab.dir, 'shots');
  const [bundle, newer] = await Promise.all([
    buildFixtureBundle({ dir: join(dir, 'a'), version: '4.7.9', payloadBytes: 64 << 20 }),
    buildFixtureBundle({ dir: join(dir, 'b'), version: '4.7.20', payloadBytes: 1 << 20 }),
  ]);
  await page.getByLabel(/Bundle on this machine/).fill(bundle.path);
  await page.getByRole('button', { name: 'Check the bundle' }).click();
  await page.getByRole('button', { name: 'Install on the chosen devices' }).click();
  const run = page.getByTestId(`run-${a!.address}`);
  await expect(run).toHaveAttribute('data-phase', /reboot|reconnect|verify|done/, { timeout: 120_000 });
  await page.screenshot({ path: shot('7-install'), fullPage: true });
  await expect(run).toHaveAttribute('data-phase', 'done', { timeout: 180_000 });
  await page.getByRole('button', { name: 'Next: report' }).click();
  await expect(page.getByTestId('report-summary')).toBeVisible();
  await page.screenshot({ path: shot('8-report'), fullPage: true });

  await page.getByRole('button', { name: 'Upgrade', exact: true }).click();
  await page.getByRole('checkbox', { name: new RegExp(a!.address.replace(/\./g, '\\.')) }).check();
  await page.getByLabel(/Bundle on this machine/).fill(newer.path);
  await page.getByRole('button', { name: 'Check the bundle' }).click();
  await page.getByRole('button', { name: 'Upload and stage on the chosen devices' }).click();
  await expect(page.getByTestId('upgrade-plan')).toContainText('New agent: 4.7.20', { timeout: 60_000 });
  await page.screenshot({ path: shot('9-upgrade-plan'), fullPage: true });
});
