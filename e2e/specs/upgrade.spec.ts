import { join } from 'node:path';
import { buildFixtureBundle } from '../lab/fixture-bundle';
import { addAndConnectByKey, expect, startVisit, test } from '../fixtures';
import type { Page } from '@playwright/test';

async function checkBundle(page: Page, path: string) {
  await page.getByLabel(/Bundle on this machine/).fill(path);
  await page.getByRole('button', { name: 'Check the bundle' }).click();
  await expect(page.getByTestId('bundle-ok')).toBeVisible();
}

test('an offline agent upgrade through the wizard: a downgrade needs a reason, the upgrade verifies, the report says before and after', async ({
  page,
  app,
  lab,
}) => {
  test.setTimeout(360_000);
  const dev = lab.devices[0]!;
  const dir = join(lab.dir, 'e2e-upgrade');
  const [v476, v475, v4720] = await Promise.all([
    buildFixtureBundle({ dir: join(dir, '476'), version: '4.7.6', payloadBytes: 1 << 20 }),
    buildFixtureBundle({ dir: join(dir, '475'), version: '4.7.5', payloadBytes: 1 << 20 }),
    buildFixtureBundle({ dir: join(dir, '4720'), version: '4.7.20', payloadBytes: 1 << 20 }),
  ]);

  // A device that already runs agent 4.7.6 (installed through the wizard, as on an earlier visit). The lab
  // devices are shared by the specs: start from a device without an agent.
  await dev.removeAgent();
  await startVisit(page, app);
  await addAndConnectByKey(page, lab, 0);
  await page.getByRole('button', { name: 'Next: check devices' }).click();
  const cores = page.getByTestId(`checks-${dev.address}`).locator('tr[data-check="cpu-cores"]');
  await cores.getByRole('button', { name: 'Override…' }).click();
  await page.getByLabel('Reason (goes on the report)').fill('Lab device on a two-core test machine');
  await page.getByRole('button', { name: 'Record override' }).click();
  await page.getByRole('button', { name: 'Next: plan the cluster' }).click();
  // Agent 4.7.6 cannot run the packs released with 4.7.20 (PXK-E 1.32.8 is one): plan a version it can.
  await page.getByLabel('Kubernetes version').fill('1.31.9');
  await page.getByRole('button', { name: 'Next: site properties' }).click();
  await page.getByRole('button', { name: 'Next: install' }).click();
  await checkBundle(page, v476.path);
  await page.getByRole('button', { name: 'Install on the chosen devices' }).click();
  await expect(page.getByTestId(`run-${dev.address}`)).toHaveAttribute('data-phase', 'done', { timeout: 180_000 });

  // The Upgrade step: stage an older bundle first; the plan refuses the downgrade until a reason is given.
  await page.getByRole('button', { name: 'Upgrade', exact: true }).click();
  await page.getByRole('checkbox', { name: new RegExp(dev.address.replace(/\./g, '\\.')) }).check();
  await checkBundle(page, v475.path);
  await page.getByRole('button', { name: 'Upload and stage on the chosen devices' }).click();
  const plan = page.getByTestId('upgrade-plan');
  await expect(plan).toContainText('New agent: 4.7.5', { timeout: 60_000 });
  await expect(plan.locator('[data-issue="downgrade"]')).toHaveAttribute('data-severity', 'block');
  const apply = page.getByRole('button', { name: 'Upgrade 1 device, one at a time' });
  await expect(apply).toBeDisabled();
  await page.getByLabel(/Reason for the downgrade/).fill('Plant IT asked for the previous agent');
  await expect(plan.locator('[data-issue="downgrade"]')).toHaveAttribute('data-severity', 'warn');
  await expect(apply).toBeEnabled();

  // Changing one's mind: stage the newer bundle instead and run it.
  await checkBundle(page, v4720.path);
  await page.getByRole('button', { name: 'Upload and stage on the chosen devices' }).click();
  await expect(plan).toContainText('New agent: 4.7.20', { timeout: 60_000 });
  await expect(plan.locator('[data-issue="downgrade"]')).toHaveCount(0);
  await page.getByLabel(/Kubernetes pack the cluster moves to/).selectOption('pxke');
  await page.getByLabel('Pack version').fill('1.32.8');
  await expect(plan.locator('[data-issue="packs-order"]')).toContainText('only after every node verifies 4.7.20');
  await page.getByRole('button', { name: 'Upgrade 1 device, one at a time' }).click();
  const card = page.getByTestId(`upgrade-${dev.address}`);
  await expect(card).toHaveAttribute('data-phase', 'done', { timeout: 180_000 });
  await expect(card).toContainText('Upgraded 4.7.6 → 4.7.20 and verified');
  expect(await dev.exec('/opt/spectrocloud/bin/palette-agent version')).toContain('v4.7.20');

  await page.getByRole('button', { name: 'Next: report' }).click();
  await expect(page.getByTestId('report-summary')).toHaveAttribute('data-result', 'success');
  await expect(page.getByTestId(`report-device-${dev.address}`)).toContainText('agent 4.7.20');
  const [download] = await Promise.all([page.waitForEvent('download'), page.getByRole('button', { name: 'Download JSON' }).click()]);
  const report = JSON.parse(await (await import('node:fs/promises')).readFile((await download.path())!, 'utf8'));
  expect(report.kind).toBe('upgrade');
  expect(report.devices[0]).toMatchObject({ versionBefore: '4.7.6', versionAfter: '4.7.20', result: 'done' });
});
