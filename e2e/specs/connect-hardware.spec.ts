import { addPasswordDevice, expect, startVisit, test } from '../fixtures';

test('connect by password, confirm the fingerprint, and see the hardware the device reports', async ({ page, app, lab }) => {
  const dev = lab.devices[0]!;
  await startVisit(page, app);
  await addPasswordDevice(page, dev.address, 'tech');

  const card = page.getByTestId(`device-${dev.address}`);
  await card.getByLabel('Password', { exact: true }).fill(dev.techPassword);
  await card.getByLabel('sudo password (if sudo asks for one)').fill(dev.techPassword);
  await card.getByRole('button', { name: 'Connect' }).click();

  // Trust on first use: the exact fingerprint the device's own key has, before anything is sent.
  await expect(card.getByTestId('hostkey-confirm')).toBeVisible();
  await expect(card.getByTestId('pending-fingerprint')).toHaveText(await dev.fingerprint());
  await card.getByRole('button', { name: /trust and connect/ }).click();
  await expect(card.getByTestId('device-state')).toHaveAttribute('data-state', 'connected');
  await expect(card.getByTestId('fingerprint')).toContainText(await dev.fingerprint());
  await expect(card.getByText('sudo (password checked)')).toBeVisible();

  await page.getByRole('button', { name: 'Next: check devices' }).click();
  const facts = page.getByTestId(`facts-${dev.address}`);
  const nproc = (await dev.exec('nproc')).trim();
  const memKb = /MemTotal:\s+(\d+) kB/.exec(await dev.exec('cat /proc/meminfo'))![1]!;
  const machine = (await dev.exec('uname -m')).trim();
  await expect(facts.getByTestId('fact-cpu')).toHaveAttribute('data-raw', nproc);
  await expect(facts.getByTestId('fact-memory')).toHaveAttribute('data-raw', String(Number(memKb) * 1024));
  await expect(facts.getByTestId('fact-arch')).toHaveAttribute('data-raw', machine);
  await expect(facts.getByTestId('fact-hostname')).toHaveText(dev.name);
  await expect(facts.getByTestId('fact-machine-id')).toHaveText(dev.machineId);
});

test('a replaced host key is refused with both fingerprints, and no password is sent', async ({ page, app, lab }) => {
  const dev = lab.devices[1]!;
  await startVisit(page, app);
  await addPasswordDevice(page, dev.address, 'tech');
  const card = page.getByTestId(`device-${dev.address}`);
  await card.getByLabel('Password', { exact: true }).fill(dev.techPassword);
  await card.getByRole('button', { name: 'Connect' }).click();
  await card.getByRole('button', { name: /trust and connect/ }).click();
  await expect(card.getByTestId('device-state')).toHaveAttribute('data-state', 'connected');
  const pinned = await dev.fingerprint();
  await card.getByRole('button', { name: 'Disconnect' }).click();

  await dev.replaceHostKey();
  const mark = dev.sshdLog().length;
  await card.getByLabel('Password', { exact: true }).fill(dev.techPassword);
  await card.getByRole('button', { name: 'Connect again' }).click();

  const stop = card.getByTestId('hostkey-changed');
  await expect(stop).toBeVisible();
  await expect(stop.getByTestId('expected-fingerprint')).toHaveText(pinned);
  await expect(stop.getByTestId('presented-fingerprint')).toHaveText(await dev.fingerprint());
  await expect(card.getByTestId('device-state')).toHaveAttribute('data-state', 'failed');
  const log = dev.sshdLog().slice(mark);
  expect(log).toMatch(/Connection from/);
  expect(log).not.toMatch(/userauth-request|Accepted|Failed password|Postponed/);
});

test('three devices by key: each confirmed, connected and read in parallel, each with its own identity', async ({ page, app, lab }) => {
  await startVisit(page, app);
  for (const dev of lab.devices) {
    await page.getByLabel('Address').fill(dev.address);
    await page.getByLabel('User', { exact: true }).fill('root');
    await page.getByRole('radio', { name: 'Key file' }).check();
    await page.getByLabel('Private key file (on this laptop)').fill(lab.clientKey);
    await page.getByRole('button', { name: 'Add device' }).click();
  }
  for (const dev of lab.devices) {
    const card = page.getByTestId(`device-${dev.address}`);
    await card.getByRole('button', { name: 'Connect' }).click();
    await expect(card.getByTestId('pending-fingerprint')).toHaveText(await dev.fingerprint());
    await card.getByRole('button', { name: /trust and connect/ }).click();
    await expect(card.getByTestId('device-state')).toHaveAttribute('data-state', 'connected');
    await expect(card.getByText('root', { exact: true })).toBeVisible();
  }
  await page.getByRole('button', { name: 'Next: check devices' }).click();
  for (const dev of lab.devices) {
    const facts = page.getByTestId(`facts-${dev.address}`);
    await expect(facts.getByTestId('fact-hostname')).toHaveText(dev.name);
    await expect(facts.getByTestId('fact-machine-id')).toHaveText(dev.machineId);
  }
});
