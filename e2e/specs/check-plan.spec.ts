import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { addAndConnectByKey, expect, startVisit, test } from '../fixtures';

test('a one-core device is blocked with measured and required values; an override needs a reason, which is kept', async ({
  page,
  app,
  lab,
}) => {
  const small = lab.devices[2]!;
  expect(await small.exec('taskset -pc 1')).toMatch(/: 0$/m); // the device's processes may use CPU 0 only
  await startVisit(page, app);
  await addAndConnectByKey(page, lab, 2);
  await page.getByRole('button', { name: 'Next: check devices' }).click();

  const checks = page.getByTestId(`checks-${small.address}`);
  const cores = checks.locator('tr[data-check="cpu-cores"]');
  await expect(cores).toHaveAttribute('data-status', 'block');
  await expect(cores.getByTestId('measured')).toHaveText('1 core');
  await expect(cores.getByTestId('required')).toHaveText('at least 4 cores');
  await expect(cores).toContainText('Agent mode architecture');
  await expect(checks.getByTestId('verdict')).toContainText('block');

  // Without a reason the override is refused, next to the field.
  await cores.getByRole('button', { name: 'Override…' }).click();
  const form = checks.getByRole('form', { name: /Override “At least 4 CPU cores”/ });
  await form.getByRole('button', { name: 'Record override' }).click();
  await expect(form.getByText(/Say why this device may go on/)).toBeVisible();
  await expect(cores).toHaveAttribute('data-status', 'block');

  const reason = 'Demo unit on the bench; no workloads will run on it';
  await form.getByLabel('Reason (goes on the report)').fill(reason);
  await form.getByRole('button', { name: 'Record override' }).click();
  await expect(cores).toHaveAttribute('data-status', 'overridden');
  await expect(cores.getByTestId('override-note')).toContainText(`Overridden by Alex Field: ${reason}`);

  // Kept by the services (and so for the report), not only on screen.
  const saved = JSON.parse(readFileSync(join(app.dataDir, 'data', 'visit.json'), 'utf8'));
  expect(saved.overrides).toEqual([expect.objectContaining({ checkId: 'cpu-cores', reason, technician: 'Alex Field' })]);
});

test('Canonical on a non-Ubuntu device is blocked, names the limitation, and cannot be overridden', async ({ page, app, lab }) => {
  await startVisit(page, app);
  await addAndConnectByKey(page, lab, 0);
  await page.getByRole('button', { name: 'Next: check devices' }).click();
  await expect(page.getByTestId(`checks-${lab.devices[0]!.address}`).getByTestId('verdict')).toBeVisible();
  await page.getByRole('navigation', { name: 'Wizard steps' }).getByRole('button', { name: 'Plan' }).click();
  await page.getByRole('radio', { name: /Palette Optimized Canonical/ }).check();
  // The newest architecture page no longer calls Canonical a Tech Preview: no such warning any more.
  await expect(page.getByTestId('plan-issues').locator('[data-issue="canonical-tech-preview"]')).toHaveCount(0);
  await expect(page.getByTestId(`role-${lab.devices[0]!.address}`)).toContainText('unresolved block');

  await page.getByRole('navigation', { name: 'Wizard steps' }).getByRole('button', { name: 'Check' }).click();
  const row = page.getByTestId(`checks-${lab.devices[0]!.address}`).locator('tr[data-check="canonical-ubuntu"]');
  await expect(row).toHaveAttribute('data-status', 'block');
  await expect(row).toContainText('Palette Optimized Canonical runs on Ubuntu only');
  await expect(row.getByTestId('measured')).toContainText('Debian');
  await expect(row).toContainText('Cannot be overridden');
  await expect(row.getByRole('button', { name: 'Override…' })).toHaveCount(0);
});

test('three devices probed in parallel; a multi-node plan checks that they reach each other', async ({ page, app, lab }) => {
  await startVisit(page, app);
  for (const i of [0, 1, 2]) await addAndConnectByKey(page, lab, i);
  await page.getByRole('button', { name: 'Next: check devices' }).click();
  for (const d of lab.devices) {
    await expect(page.getByTestId(`checks-${d.address}`).getByTestId('verdict')).toBeVisible();
    await expect(page.getByTestId(`facts-${d.address}`).getByTestId('fact-hostname')).toHaveText(d.name);
  }

  await page.getByRole('button', { name: 'Next: plan the cluster' }).click();
  await page.getByRole('radio', { name: 'Multi-node' }).check();
  for (const d of lab.devices.slice(1)) await page.getByLabel(`Role of ${d.address}`).selectOption('worker');
  await expect(page.getByTestId('plan-issues').locator('[data-severity="block"]')).toHaveCount(0);

  await lab.devices[1]!.dropPort(10250); // a firewall on one device
  try {
    await page.getByRole('button', { name: 'Check reachability' }).click();
    const rows = page.getByTestId('reachability').locator('tbody tr');
    await expect(rows).toHaveCount(3 * 2 * 4, { timeout: 60_000 });
    await expect(page.getByTestId('reachability').locator('tr[data-verdict="refused"]')).toHaveCount(3 * 2 * 4 - 2);
    await expect(page.getByTestId('reachability').locator('tr[data-verdict="filtered"]')).toHaveCount(2);
  } finally {
    await lab.devices[1]!.undropPort(10250);
  }
});
