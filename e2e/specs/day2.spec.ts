import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import type { Page } from '@playwright/test';
import type { LabDevice } from '../lab/lab';
import { buildFixtureBundle } from '../lab/fixture-bundle';
import { addAndConnectByKey, clearCores, expect, startVisit, test } from '../fixtures';

/** Day 2 through the window: the documented upgrade path of each kind of host, and a node added to a cluster. */

async function checkBundle(page: Page, path: string) {
  await page.getByLabel(/Bundle on this machine/).fill(path);
  await page.getByRole('button', { name: 'Check the bundle' }).click();
  await expect(page.getByTestId('bundle-ok')).toBeVisible();
}

const fresh = (dev: LabDevice) => dev.removeAgent();

// The lab devices are shared by the specs that run after these: leave them without an agent.
test.afterEach(async ({ lab }) => {
  for (const dev of lab.devices.slice(0, 2)) await fresh(dev);
});

test('a local host in no cluster is reinstalled through uninstall; a central host is left to Palette', async ({ page, app, lab }) => {
  test.setTimeout(360_000);
  const dev = lab.devices[0]!;
  const dir = join(lab.dir, 'e2e-day2');
  const [v4910, v4912, v4914] = await Promise.all([
    buildFixtureBundle({ dir: join(dir, '4910'), version: '4.9.10', payloadBytes: 1 << 20 }),
    buildFixtureBundle({ dir: join(dir, '4912'), version: '4.9.12', payloadBytes: 1 << 20 }),
    buildFixtureBundle({ dir: join(dir, '4914'), version: '4.9.14', payloadBytes: 1 << 20 }),
  ]);
  await fresh(dev);
  await startVisit(page, app);
  await addAndConnectByKey(page, lab, 0);
  await page.getByRole('button', { name: 'Next: check devices' }).click();
  await clearCores(page, dev);
  await page.getByRole('button', { name: 'Next: plan the cluster' }).click();
  await page.getByRole('button', { name: 'Next: site properties' }).click();
  await page.getByRole('button', { name: 'Next: install' }).click();
  await checkBundle(page, v4910.path);
  await page.getByRole('button', { name: 'Install on the chosen devices' }).click();
  await expect(page.getByTestId(`run-${dev.address}`)).toHaveAttribute('data-phase', 'done', { timeout: 180_000 });

  // Upgrade: the plan shows the documented reinstall and the uninstall's dry run before anything changes.
  await page.getByRole('button', { name: 'Upgrade', exact: true }).click();
  await page.getByRole('checkbox', { name: new RegExp(dev.address.replace(/\./g, '\\.')) }).check();
  await checkBundle(page, v4912.path);
  await page.getByRole('button', { name: 'Upload and stage on the chosen devices' }).click();
  const plan = page.getByTestId('upgrade-plan');
  await expect(plan).toContainText('New agent: 4.9.12', { timeout: 60_000 });
  await expect(plan.locator('[data-issue="reinstall"]')).toContainText('Documented reinstall');
  const card = page.getByTestId(`upgrade-${dev.address}`);
  await expect(page.getByTestId(`upgrade-path-${dev.address}`)).toContainText('Path: Documented reinstall');
  await expect(card.locator('pre.detail').first()).toContainText('Dry run: nothing was changed.');
  expect(await dev.exec('/opt/spectrocloud/bin/palette-agent version')).toContain('v4.9.10');
  await page.getByRole('button', { name: 'Upgrade 1 device, one at a time' }).click();
  await expect(card).toHaveAttribute('data-phase', 'done', { timeout: 180_000 });
  await expect(card).toContainText('Upgraded 4.9.10 → 4.9.12 and verified');

  // The same host, now centrally managed: the plan refuses to replace its agent by hand.
  await dev.exec("sed -i 's/managementMode: local/managementMode: central/' /var/lib/spectro/userdata");
  await checkBundle(page, v4914.path);
  await page.getByRole('button', { name: 'Upload and stage on the chosen devices' }).click();
  await expect(plan.locator('[data-issue="central-palette"]')).toHaveAttribute('data-severity', 'block', { timeout: 60_000 });
  await expect(plan.locator('[data-issue="central-palette"]')).toContainText('The wizard does not replace it.');
  await expect(page.getByTestId(`upgrade-path-${dev.address}`)).toContainText('Palette upgrades it');
  await expect(page.getByRole('button', { name: /Upgrade \d+ devices?, one at a time/ })).toBeDisabled();
  expect(await dev.exec('/opt/spectrocloud/bin/palette-agent version')).toContain('v4.9.12');
});

test('a node is added to a local cluster whose leader is already installed', async ({ page, app, lab }) => {
  test.setTimeout(360_000);
  const [leader, node] = lab.devices as [LabDevice, LabDevice];
  const bundle = await buildFixtureBundle({ dir: join(lab.dir, 'e2e-join'), version: '4.9.10', payloadBytes: 1 << 20 });
  await fresh(leader);
  await fresh(node);
  await startVisit(page, app);
  await addAndConnectByKey(page, lab, 0);
  await page.getByRole('button', { name: 'Next: check devices' }).click();
  await clearCores(page, leader);
  await page.getByRole('button', { name: 'Next: plan the cluster' }).click();
  await page.getByRole('button', { name: 'Next: site properties' }).click();
  await page.getByRole('button', { name: 'Next: install' }).click();
  await checkBundle(page, bundle.path);
  await page.getByRole('button', { name: 'Install on the chosen devices' }).click();
  await expect(page.getByTestId(`run-${leader.address}`)).toHaveAttribute('data-phase', 'done', { timeout: 180_000 });

  // Later: the new device, checked against the leader and added under it.
  await page.getByRole('button', { name: 'Devices', exact: true }).click();
  await addAndConnectByKey(page, lab, 1);
  const join_ = page.getByTestId('join-cluster');
  await join_.getByLabel('Cluster leader').selectOption({ label: leader.address });
  await join_.getByLabel('New device').selectOption({ label: node.address });
  await join_.getByRole('button', { name: 'Check and add to the cluster' }).click();
  const checks = page.getByTestId('join-checks');
  await expect(checks.locator('li')).toHaveCount(9, { timeout: 60_000 });
  await expect(checks.locator('li[data-severity="block"]')).toHaveCount(0);
  await expect(checks).toContainText('The new host reaches the leader on 5080 (Local UI)');
  await page.getByRole('button', { name: 'Next: check devices' }).click();
  await clearCores(page, node);
  // The cluster's endpoint (chosen when it was created) is in the site properties.
  await page.getByRole('button', { name: 'Site', exact: true }).click();
  const vip = page.getByLabel("VIP address (free, on the hosts' network)");
  await expect(page.locator('#vip-msg')).toContainText('needs its API endpoint');
  await vip.fill(`${leader.address.split('.').slice(0, 3).join('.')}.250`);
  await vip.blur();
  await expect(page.locator('#vip-msg')).not.toContainText('needs its API endpoint');
  await page.getByRole('button', { name: 'Next: install' }).click();
  await expect(page.getByRole('checkbox', { name: new RegExp(`^${leader.address.replace(/\./g, '\\.')}\\b`) })).not.toBeChecked();
  await checkBundle(page, bundle.path);
  await page.getByRole('button', { name: 'Install on the chosen devices' }).click();
  await expect(page.getByTestId(`run-${node.address}`)).toHaveAttribute('data-phase', 'done', { timeout: 180_000 });
  expect(await node.exec('grep -c "enableMultiNode: true" /var/lib/spectro/userdata')).toBe('1\n');
  await page.getByRole('button', { name: 'Next: report' }).click();
  const [download] = await Promise.all([page.waitForEvent('download'), page.getByRole('button', { name: 'Download JSON' }).click()]);
  const report = JSON.parse(await readFile((await download.path())!, 'utf8'));
  expect(report.devices.map((d: { label: string }) => d.label)).toEqual([node.address]);
  expect(report.handoff.nextSteps.join('\n')).toMatch(/In Local UI on the leader .*generate a link token .*link to the leader/);
});
