import { execFile } from 'node:child_process';
import { copyFileSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { stringify } from 'yaml';
import { buildFixtureBundle } from '../lab/fixture-bundle';
import { addAndConnectByKey, clearCores, expect, startVisit, test } from '../fixtures';

const execFileP = promisify(execFile);

test("the visit saved as a site kit in the window is installed by the command line, with the window's override", async ({
  page,
  app,
  lab,
}) => {
  test.setTimeout(300_000);
  const dev = lab.devices[1]!;
  await dev.removeAgent();
  const bundle = await buildFixtureBundle({ dir: join(lab.dir, 'kit-bundle'), version: '4.7.9', payloadBytes: 2 ** 20 });
  await startVisit(page, app);
  await addAndConnectByKey(page, lab, 1);
  await page.getByRole('button', { name: 'Next: check devices' }).click();
  await clearCores(page, dev);
  await page.getByRole('button', { name: 'Next: plan the cluster' }).click();
  await page.getByRole('button', { name: 'Next: site properties' }).click();
  await page.getByRole('button', { name: 'Next: install' }).click();
  await page.getByLabel(/Bundle on this machine/).fill(bundle.path);
  await page.getByRole('button', { name: 'Check the bundle' }).click();
  await expect(page.getByTestId('bundle-ok')).toBeVisible();

  // Save as a site kit, from the Install step, instead of installing from the window.
  const kit = join(lab.dir, 'saved-kit');
  await page.getByLabel('Kit folder on this machine').fill(kit);
  await page.getByRole('button', { name: 'Save kit' }).click();
  await expect(page.getByTestId('kit-saved')).toContainText(`Saved kit.yaml, site.yaml, devices.csv in ${kit}`);
  await expect(page.getByTestId('kit-saved')).toContainText(`npx eai survey --kit ${kit}`);

  // The command line installs it: the window's override and site profile come with the kit; the host key is
  // typed (the CLI has its own pins), never taken silently.
  const { stdout } = await execFileP(
    process.execPath,
    ['out/main/cli.js', 'install', '--kit', kit, '--json', '--trust', `${dev.address}=${await dev.fingerprint()}`],
    { timeout: 240_000, env: { ...process.env, EAI_SSH_PASSWORD: '' } },
  );
  const events = stdout
    .trim()
    .split('\n')
    .map((l) => JSON.parse(l));
  expect(events.filter((e) => e.kind === 'block')).toEqual([]);
  expect(events.at(-1)).toMatchObject({ kind: 'finished', failed: 0 });
  expect(await dev.exec('/opt/spectrocloud/bin/palette-agent version')).toContain('v4.7.9');
  // The report the CLI wrote beside the kit carries the override the technician recorded in the window.
  const report = JSON.parse(readFileSync(join(kit, 'out', 'report.json'), 'utf8'));
  expect(report.devices[0].checks.find((c: { id: string }) => c.id === 'cpu-cores').override).toMatchObject({
    reason: 'Lab device on a two-core test machine',
  });
});

test('a site kit opened in the window brings its devices, roles, overrides and bundle', async ({ page, app, lab }) => {
  test.setTimeout(180_000);
  const dev = lab.devices[2]!;
  const kit = join(lab.dir, 'kit-to-open');
  mkdirSync(kit, { recursive: true });
  const bundle = await buildFixtureBundle({ dir: join(kit, 'bundle'), version: '4.7.9', payloadBytes: 2 ** 20 });
  copyFileSync('docs/example-kit/site.yaml', join(kit, 'site.yaml'));
  writeFileSync(join(kit, 'devices.csv'), `host,user,auth,keyPath,hostName\n${dev.address},root,key,${lab.clientKey},store12-c\n`);
  writeFileSync(
    join(kit, 'kit.yaml'),
    stringify({
      siteName: 'Store 12',
      technician: 'Robin',
      bundle: 'bundle/agent-mode-linux-amd64.tar',
      roles: { 'store12-c': 'control-plane' },
      leader: 'store12-c',
      overrides: [{ device: dev.address, check: 'cpu-cores', reason: 'Pilot on two cores, agreed with the customer', technician: 'Robin' }],
    }),
  );
  await startVisit(page, app);
  await page.getByText('Open a site kit').click();
  await page.getByLabel('Kit folder on this machine').fill(kit);
  await page.getByRole('button', { name: 'Open kit' }).click();
  await expect(page.getByTestId('kit-opened')).toContainText(`Opened: 1 device; the Install step starts with ${bundle.path}`);
  await expect(page.locator('header.topbar')).toContainText('Store 12 · Robin');
  const card = page.getByTestId(`device-${dev.address}`);
  await expect(card).toContainText('store12-c');
  await card.getByRole('button', { name: 'Connect' }).click();
  await expect(card.getByTestId('pending-fingerprint')).toHaveText(await dev.fingerprint());
  await card.getByRole('button', { name: /trust and connect/ }).click();
  await expect(card.getByTestId('device-state')).toHaveAttribute('data-state', 'connected');
  await page.getByRole('button', { name: 'Next: check devices' }).click();
  // The kit's override, with its reason, is on the check it was recorded for.
  const cores = page.getByTestId(`checks-${dev.address}`).locator('tr[data-check="cpu-cores"]');
  await expect(cores).toHaveAttribute('data-status', 'overridden');
  await expect(page.getByTestId(`checks-${dev.address}`)).toContainText('Pilot on two cores, agreed with the customer');
  await page
    .getByRole('navigation', { name: 'Wizard steps' })
    .getByRole('button', { name: /Install/ })
    .click();
  await expect(page.getByLabel(/Bundle on this machine/)).toHaveValue(bundle.path);
});
