import AxeBuilder from '@axe-core/playwright';
import type { Page } from '@playwright/test';
import { addAndConnectByKey, expect, startVisit, test } from '../fixtures';

/** axe-core over every step, in the light, dark and high-contrast themes: no serious or critical violation. */
async function audit(page: Page, step: string) {
  for (const theme of ['light', 'dark', 'high-contrast'] as const) {
    await page.evaluate((t) => (document.documentElement.dataset.theme = t), theme);
    const result = await new AxeBuilder({ page }).analyze();
    const bad = result.violations.filter((v) => v.impact === 'serious' || v.impact === 'critical');
    expect(
      bad.map(
        (v) =>
          `${step} (${theme}): ${v.id} — ${v.help} — ${v.nodes
            .map((n) => n.target.join(' '))
            .slice(0, 3)
            .join(' | ')}`,
      ),
    ).toEqual([]);
  }
  await page.evaluate(() => (document.documentElement.dataset.theme = 'light'));
}

test('every step passes axe-core in both themes', async ({ page, app, lab }) => {
  await page.goto(app.url);
  await expect(page.getByLabel('Site name')).toBeVisible();
  await audit(page, 'site visit');
  await startVisit(page, app);
  await audit(page, 'devices (empty)');
  await addAndConnectByKey(page, lab, 0);
  await audit(page, 'devices');
  await page.getByRole('button', { name: 'Next: check devices' }).click();
  await expect(page.getByTestId(`checks-${lab.devices[0]!.address}`).getByTestId('verdict')).toBeVisible();
  await audit(page, 'check');
  await page.getByRole('button', { name: 'Next: plan the cluster' }).click();
  await audit(page, 'plan');
  await page.getByRole('button', { name: 'Next: site properties' }).click();
  await audit(page, 'site');
  await page.getByRole('button', { name: 'Next: install' }).click();
  await audit(page, 'install');
  await page.getByRole('button', { name: 'Upgrade', exact: true }).click();
  await audit(page, 'upgrade');
  await page.getByRole('button', { name: 'Report', exact: true }).click();
  await audit(page, 'report (no run yet)');
});
