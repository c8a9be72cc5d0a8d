import { join } from 'node:path';
import type { Locator, Page } from '@playwright/test';
import { buildFixtureBundle } from '../lab/fixture-bundle';
import { addAndConnectByKey, expect, startVisit, test } from '../fixtures';

/**
 * Presses Tab (never the mouse) until the target has the focus, and checks that the focus is visible
 * there. Failing to reach it within the page's tab order is the bug this test exists for.
 */
async function tabTo(page: Page, target: Locator, max = 120): Promise<void> {
  await expect(target).toBeVisible();
  // Tab skips a disabled control: wait until it can take the focus (the Install button enables once the
  // bundle and the checks are read), or the presses pass it by and the page's whole cycle has to come round.
  await expect(target).toBeEnabled();
  for (let i = 0; i < max; i++) {
    if (await target.evaluate((el) => el === document.activeElement)) {
      const outline = await target.evaluate((el) => getComputedStyle(el).outlineStyle + ' ' + getComputedStyle(el).outlineWidth);
      expect(outline, 'the focus ring is visible').not.toMatch(/^none|\s0px$/);
      return;
    }
    await page.keyboard.press('Tab');
  }
  throw new Error(`Tab never reached ${target}`);
}
const press = async (page: Page, target: Locator, key = 'Enter') => {
  await tabTo(page, target);
  await page.keyboard.press(key);
};
const type = async (page: Page, target: Locator, text: string) => {
  await tabTo(page, target);
  await page.keyboard.type(text);
};

test('keyboard only: connect → check → plan → site → install on a lab device, without the mouse', async ({ page, app, lab }) => {
  test.setTimeout(300_000);
  const dev = lab.devices[0]!;
  const bundle = await buildFixtureBundle({ dir: join(lab.dir, 'kbd-bundle'), version: '4.7.9', payloadBytes: 1 << 20 });
  // The lab devices are shared by the specs: start from a device without an agent (one already set up is not
  // ticked for an install, rightly, and this test is about the keyboard).
  await dev.removeAgent();
  await page.goto(app.url);

  await type(page, page.getByLabel('Site name'), 'Keyboard plant');
  await type(page, page.getByLabel('Technician'), 'Kim');
  await press(page, page.getByRole('button', { name: 'Next: add devices' }));

  await type(page, page.getByLabel('Address'), dev.address);
  await type(page, page.getByLabel('User', { exact: true }), 'root');
  // Tab reaches a radio group at its checked radio; the arrow keys move the choice.
  await tabTo(page, page.getByRole('radio', { checked: true }).first());
  for (let i = 0; i < 4 && !(await page.getByRole('radio', { name: 'Key file' }).isChecked()); i++) await page.keyboard.press('ArrowDown');
  await expect(page.getByRole('radio', { name: 'Key file' })).toBeChecked();
  await type(page, page.getByLabel('Private key file (on this laptop)'), lab.clientKey);
  await press(page, page.getByRole('button', { name: 'Add device' }));
  const card = page.getByTestId(`device-${dev.address}`);
  await press(page, card.getByRole('button', { name: 'Connect' }));
  await expect(card.getByTestId('pending-fingerprint')).toHaveText(await dev.fingerprint());
  await press(page, card.getByRole('button', { name: /trust and connect/ }));
  await expect(card.getByTestId('device-state')).toHaveAttribute('data-state', 'connected');

  await press(page, page.getByRole('button', { name: 'Next: check devices' }));
  const checks = page.getByTestId(`checks-${dev.address}`);
  await expect(checks.getByTestId('verdict')).toBeVisible();
  const cores = checks.locator('tr[data-check="cpu-cores"]');
  await press(page, cores.getByRole('button', { name: 'Override…' }));
  await type(page, page.getByLabel('Reason (goes on the report)'), 'Lab device on a two-core test machine');
  await press(page, page.getByRole('button', { name: 'Record override' }));
  await expect(cores).toHaveAttribute('data-status', 'overridden');

  await press(page, page.getByRole('button', { name: 'Next: plan the cluster' }));
  await press(page, page.getByRole('button', { name: 'Next: site properties' }));
  await press(page, page.getByRole('button', { name: 'Next: install' }));

  await type(page, page.getByLabel(/Bundle on this machine/), bundle.path);
  await press(page, page.getByRole('button', { name: 'Check the bundle' }));
  await expect(page.getByTestId('bundle-ok')).toBeVisible();
  await press(page, page.getByRole('button', { name: 'Install on the chosen devices' }));
  await expect(page.getByTestId(`run-${dev.address}`)).toHaveAttribute('data-phase', 'done', { timeout: 180_000 });
  await press(page, page.getByRole('button', { name: 'Next: report' }));
  await expect(page.getByTestId('report-summary')).toHaveAttribute('data-result', 'success');
});

test('the theme can be switched (light, dark, high contrast), is kept across a reload, and "system" follows the OS', async ({
  page,
  app,
}) => {
  await page.emulateMedia({ colorScheme: 'light' });
  await page.goto(app.url);
  const bg = () => page.evaluate(() => getComputedStyle(document.body).backgroundColor);
  await expect.poll(bg).toBe('rgb(246, 247, 249)');
  await page.getByLabel('Theme').selectOption('high-contrast');
  await expect.poll(bg).toBe('rgb(0, 0, 0)');
  await page.reload();
  await expect(page.getByLabel('Theme')).toHaveValue('high-contrast');
  await expect.poll(bg).toBe('rgb(0, 0, 0)');
  await page.getByLabel('Theme').selectOption('dark');
  await expect.poll(bg).toBe('rgb(16, 19, 23)');
  await page.getByLabel('Theme').selectOption('system');
  await expect.poll(bg).toBe('rgb(246, 247, 249)');
  await page.emulateMedia({ colorScheme: 'dark' });
  await expect.poll(bg).toBe('rgb(16, 19, 23)');
});

test('at 200 % zoom (1280×720 seen as 640×360) the device cards and the log stay usable: nothing runs off the side', async ({
  page,
  app,
  lab,
}) => {
  await page.setViewportSize({ width: 640, height: 360 });
  await startVisit(page, app);
  await addAndConnectByKey(page, lab, 0);
  const dev = lab.devices[0]!;
  const fits = async (what: Locator) => {
    await what.scrollIntoViewIfNeeded();
    const box = (await what.boundingBox())!;
    expect(box.x, `${what} starts inside the window`).toBeGreaterThanOrEqual(0);
    expect(box.x + box.width, `${what} ends inside the window`).toBeLessThanOrEqual(641);
  };
  expect(await page.evaluate(() => document.documentElement.scrollWidth)).toBeLessThanOrEqual(641);
  const card = page.getByTestId(`device-${dev.address}`);
  await fits(card);
  for (const button of await card.getByRole('button').all()) await fits(button);
  // The log: opened, its lines wrap inside the window and the newest is on screen.
  await page.getByText(/^Activity log/).click();
  const lines = page.locator('.log-lines');
  await fits(lines);
  await expect(lines).toContainText(dev.address);
  await page.getByRole('button', { name: 'Next: check devices' }).click();
  await fits(page.getByTestId(`checks-${dev.address}`).getByTestId('verdict'));
  expect(await page.evaluate(() => document.documentElement.scrollWidth)).toBeLessThanOrEqual(641);
});
