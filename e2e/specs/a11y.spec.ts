import AxeBuilder from '@axe-core/playwright';
import type { Page } from '@playwright/test';
import { addAndConnectByKey, expect, startVisit, test } from '../fixtures';

/** axe-core over every step, in the light and the dark theme: no serious or critical violation. */
async function audit(page: Page, step: string) {
  for (const scheme of ['light', 'dark'] as const) {
    await page.emulateMedia({ colorScheme: scheme });
    const result = await new AxeBuilder({ page }).analyze();
    const bad = result.violations.filter((v) => v.impact === 'serious' || v.impact === 'critical');
    expect(bad.map((v) => `${step} (${scheme}): ${v.id} — ${v.help} — ${v.nodes.map((n) => n.target.join(' ')).slice(0, 3).join(' | ')}`)).toEqual([]);
  }
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
});
