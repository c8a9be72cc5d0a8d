import { readFileSync } from 'node:fs';
import { run } from '../lab/run';
import { addAndConnectByKey, expect, startVisit, test } from '../fixtures';

test('site: VIP checked on the device, secrets masked in the preview, a profile without secrets that loads back', async ({
  page,
  app,
  lab,
}) => {
  const [dev, neighbour] = lab.devices;
  const subnet = dev!.address.split('.').slice(0, 3).join('.');
  await startVisit(page, app);
  await addAndConnectByKey(page, lab, 0);
  await page.getByRole('button', { name: 'Next: check devices' }).click();
  await expect(page.getByTestId(`checks-${dev!.address}`).getByTestId('verdict')).toBeVisible();
  await page.getByRole('button', { name: 'Next: plan the cluster' }).click();
  await page.getByRole('button', { name: 'Next: site properties' }).click();

  await page.getByRole('radio', { name: /Central/ }).check();
  await page.getByLabel('Palette endpoint (host name)').fill('api.palette.example');
  await page.getByLabel('Project name').fill('Edge Plants');
  await page.getByLabel('Registration token').fill('CANARY-TOKEN-e2e-5d2c');
  await page.getByLabel('Registration token').blur();
  await expect(page.getByText('Token entered (kept in memory only)')).toBeVisible();

  // A single node may use its own address as the VIP (kube-vip then turns itself off): explained next to the
  // field as a warning, not refused.
  const vip = page.getByLabel("VIP address (free, on the hosts' network)");
  await vip.fill(dev!.address);
  await expect(page.locator('#vip-msg')).toContainText('own address');
  await expect(page.locator('#vip-msg')).toContainText('kube-vip then turns itself off');
  await expect(page.locator('#vip-msg')).toHaveClass(/field-warn/);

  // A VIP another host already answers on is reported in use by the device itself.
  const taken = `${subnet}.210`;
  await run('ip', ['-n', neighbour!.ns, 'addr', 'add', `${taken}/16`, 'dev', 'eth0']);
  try {
    await vip.fill(taken);
    await expect(page.locator('#vip-msg')).toHaveText('');
    await expect(page.getByTestId('save-status')).toHaveAttribute('data-status', 'saved'); // saved a moment after the last keystroke
    await page.getByRole('button', { name: 'Run the checks' }).click();
    await expect(page.getByTestId('site-survey').locator('tr[data-survey="vip-free"]')).toHaveAttribute('data-status', 'block', {
      timeout: 30_000,
    });
  } finally {
    await run('ip', ['-n', neighbour!.ns, 'addr', 'del', `${taken}/16`, 'dev', 'eth0']);
  }
  await vip.fill(`${subnet}.211`);
  await expect(page.getByTestId('save-status')).toHaveAttribute('data-status', 'saved');
  await page.getByRole('button', { name: 'Run the checks' }).click();
  await expect(page.getByTestId('site-survey').locator('tr[data-survey="vip-free"]')).toHaveAttribute('data-status', 'pass', {
    timeout: 30_000,
  });

  // Every input box of the form has the same height (the Local UI user's were stretched by their buttons).
  const heights = await Promise.all(
    ['#http-proxy', '#local-ui-user', '#local-ui-password'].map(async (sel) => (await page.locator(sel).boundingBox())!.height),
  );
  expect(new Set(heights.map((h) => Math.round(h))).size).toBe(1);

  const preview = page.getByTestId('userdata-preview');
  await expect(preview).toContainText('#cloud-config');
  await expect(preview).toContainText('edgeHostToken: "********"');
  await expect(preview).not.toContainText('CANARY');

  const download = page.waitForEvent('download');
  await page.getByRole('button', { name: 'Save profile' }).click();
  const file = await (await download).path();
  const yaml = readFileSync(file!, 'utf8');
  expect(yaml).toContain('paletteEndpoint: api.palette.example');
  expect(yaml).not.toContain('CANARY');
  await page.getByLabel('Load profile').setInputFiles(file!);
  await expect(page.getByText('Profile loaded. Enter the secrets again:')).toBeVisible();
  await expect(page.getByText('edgeHostToken')).toBeVisible();
});
