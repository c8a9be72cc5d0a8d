import { join } from 'node:path';
import { buildFixtureBundle } from '../lab/fixture-bundle';
import { addAndConnectByKey, expect, startVisit, test } from '../fixtures';

test('a full offline install on one device through the wizard, through its reboot to a verified agent', async ({ page, app, lab }) => {
  test.setTimeout(300_000);
  const dev = lab.devices[0]!;
  const bundle = await buildFixtureBundle({ dir: join(lab.dir, 'e2e-bundle'), version: '4.7.9', payloadBytes: 16 * 2 ** 20 });
  await startVisit(page, app);
  await addAndConnectByKey(page, lab, 0);
  await page.getByRole('button', { name: 'Next: check devices' }).click();
  await expect(page.getByTestId(`checks-${dev.address}`).getByTestId('verdict')).toBeVisible();
  // Lab devices have two cores: the install is refused until that block is overridden with a reason.
  const cores = page.getByTestId(`checks-${dev.address}`).locator('tr[data-check="cpu-cores"]');
  await cores.getByRole('button', { name: 'Override…' }).click();
  await page.getByLabel('Reason (goes on the report)').fill('Lab device on a two-core test machine');
  await page.getByRole('button', { name: 'Record override' }).click();
  await expect(cores).toHaveAttribute('data-status', 'overridden');
  await page.getByRole('button', { name: 'Next: plan the cluster' }).click();
  await page.getByRole('button', { name: 'Next: site properties' }).click();
  await page.getByRole('button', { name: 'Next: install' }).click();

  // A wrong path says so; the real bundle is read and its .sha256 compared before anything is sent.
  await page.getByLabel(/Bundle on this machine/).fill(join(lab.dir, 'nothing.tar'));
  await page.getByRole('button', { name: 'Check the bundle' }).click();
  await expect(page.getByTestId('bundle-error')).toContainText('No bundle file');
  await page.getByLabel(/Bundle on this machine/).fill(bundle.path);
  await page.getByRole('button', { name: 'Check the bundle' }).click();
  await expect(page.getByTestId('bundle-ok')).toContainText('agent-mode-linux-amd64.tar: amd64');
  await expect(page.getByTestId('bundle-ok')).toContainText('sha256 matches (agent-mode-linux-amd64.tar.sha256)');

  await page.getByRole('button', { name: 'Install on the chosen devices' }).click();
  const card = page.getByTestId(`run-${dev.address}`);
  await expect(card).toHaveAttribute('data-phase', 'done', { timeout: 180_000 });
  await expect(card).toContainText('Installed agent 4.7.9 and verified');
  await expect(card.getByRole('list', { name: 'Verification' })).toContainText('setup_done');
  expect(dev.reboots).toBeGreaterThanOrEqual(1);
  expect(await dev.exec('/opt/spectrocloud/bin/palette-agent version')).toContain('v4.7.9');
});

test('three devices installed in parallel through the wizard, each through its own reboot', async ({ page, app, lab }) => {
  test.setTimeout(420_000);
  const bundle = await buildFixtureBundle({ dir: join(lab.dir, 'e2e-bundle-3'), version: '4.7.9', payloadBytes: 8 * 2 ** 20 });
  await startVisit(page, app);
  for (const i of [0, 1, 2]) await addAndConnectByKey(page, lab, i);
  await page.getByRole('button', { name: 'Next: check devices' }).click();
  for (const dev of lab.devices) {
    const checks = page.getByTestId(`checks-${dev.address}`);
    await expect(checks.getByTestId('verdict')).toBeVisible();
    const cores = checks.locator('tr[data-check="cpu-cores"]');
    await cores.getByRole('button', { name: 'Override…' }).click();
    await checks.getByLabel('Reason (goes on the report)').fill('Lab device on a two-core test machine');
    await checks.getByRole('button', { name: 'Record override' }).click();
    await expect(cores).toHaveAttribute('data-status', 'overridden');
  }
  await page.getByRole('button', { name: 'Next: plan the cluster' }).click();
  await page.getByRole('radio', { name: 'Multi-node' }).check();
  for (const d of lab.devices.slice(1)) await page.getByLabel(`Role of ${d.address}`).selectOption('worker');
  await expect(page.getByTestId('plan-issues').locator('[data-severity="block"]')).toHaveCount(0);
  await page.getByRole('button', { name: 'Next: site properties' }).click();
  await page.getByLabel("VIP address (free, on the hosts' network)").fill(`${lab.devices[0]!.address.split('.').slice(0, 3).join('.')}.240`);
  await expect(page.getByTestId('save-status')).toHaveAttribute('data-status', 'saved');
  await page.getByRole('button', { name: 'Next: install' }).click();
  await page.getByLabel(/Bundle on this machine/).fill(bundle.path);
  await page.getByRole('button', { name: 'Check the bundle' }).click();
  await expect(page.getByTestId('bundle-ok')).toBeVisible();
  await page.getByRole('button', { name: 'Install on the chosen devices' }).click();
  for (const dev of lab.devices) await expect(page.getByTestId(`run-${dev.address}`)).toHaveAttribute('data-phase', 'done', { timeout: 300_000 });
  for (const dev of lab.devices) expect(await dev.exec('grep -c enableMultiNode /var/lib/spectro/userdata')).toBe('1\n');
});
