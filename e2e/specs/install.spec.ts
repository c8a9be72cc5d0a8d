import { execFileSync } from 'node:child_process';
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import Ajv from 'ajv';
import addFormats from 'ajv-formats';
import { reportJsonSchema } from '../../main/services/report/report-service';
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

  // Pressed twice in a hurry (the first press once showed nothing for 1.5 s): the button says it is working at
  // once, the second press starts nothing, and no false failure replaces the run.
  const installButton = page.getByRole('button', { name: /Install on the chosen devices|starting/ });
  await installButton.click();
  await installButton.click({ force: true, timeout: 2000 }).catch(() => undefined);
  const card = page.getByTestId(`run-${dev.address}`);
  await expect(card).toHaveAttribute('data-phase', 'done', { timeout: 180_000 });
  await expect(card).toContainText('Installed agent 4.7.9 and verified');
  await expect(page.getByText(/is busy/)).toHaveCount(0);
  await expect(page.getByTestId('install-run').locator('section.card')).toHaveCount(1);
  // The board: every step of the device's bar done, the run finished.
  await expect(page.getByTestId('board-summary')).toHaveText('1 of 1 done · run finished');
  const bar = page.getByTestId(`board-${dev.address}`).locator('.seg');
  await expect(bar).toHaveCount(10);
  await expect(page.getByTestId(`board-${dev.address}`).locator('.seg[data-state="done"]')).toHaveCount(10);
  await expect(card.getByRole('list', { name: 'Verification' })).toContainText('setup_done');
  expect(dev.reboots).toBeGreaterThanOrEqual(1);
  expect(await dev.exec('/opt/spectrocloud/bin/palette-agent version')).toContain('v4.7.9');

  // The Report step: HTML, JSON and PDF hold the device facts, every check, the override with its reason,
  // the bundle's sha256 and the step timings; the JSON validates against its schema; the PDF has pages.
  await page.getByRole('button', { name: 'Next: report' }).click();
  await expect(page.getByTestId('report-summary')).toHaveAttribute('data-result', 'success');
  const saveAs = async (name: string) => {
    const [download] = await Promise.all([page.waitForEvent('download'), page.getByRole('button', { name }).click()]);
    const path = join(lab.dir, `e2e-${download.suggestedFilename()}`);
    await download.saveAs(path);
    return path;
  };
  const html = readFileSync(await saveAs('Download HTML'), 'utf8');
  const report = JSON.parse(readFileSync(await saveAs('Download JSON'), 'utf8'));
  const pdfPath = await saveAs('Download PDF');
  const facts = await dev.exec('cat /proc/sys/kernel/hostname /etc/machine-id');
  const [hostName, machineId] = facts.trim().split('\n');
  const ajv = new Ajv({ allErrors: true, strict: false });
  addFormats(ajv);
  const validate = ajv.compile(reportJsonSchema());
  expect(validate(report), JSON.stringify(validate.errors)).toBe(true);
  const device = report.devices[0];
  expect(device).toMatchObject({ hostName, machineId, result: 'done', versionAfter: '4.7.9' });
  expect(device.checks.length).toBeGreaterThan(20);
  expect(device.checks.find((c: { id: string }) => c.id === 'cpu-cores').override).toMatchObject({
    reason: 'Lab device on a two-core test machine',
    technician: 'Alex Field',
  });
  expect(device.steps.map((x: { step: string }) => x.step)).toEqual([
    'upload',
    'stage',
    'apply',
    'userdata',
    'reboot',
    'reconnect',
    'first-boot',
    'verify',
    'local-ui',
    'cleanup',
  ]);
  expect(device.steps.every((x: { durationMs: number }) => x.durationMs >= 0)).toBe(true);
  expect(report.bundle.sha256).toBe(bundle.sha256);
  for (const text of [
    hostName!,
    machineId!,
    bundle.sha256,
    'Lab device on a two-core test machine',
    'Upload the bundle',
    'Verify the agent',
    'At least 4 CPU cores',
  ])
    expect(html).toContain(text);
  expect(html.match(/<tr data-check=/g)?.length).toBe(device.checks.length);

  // Table cells wrap: compare without whitespace.
  const pdfLines = execFileSync('pdftotext', ['-layout', pdfPath, '-'], { encoding: 'utf8' });
  // No word of the check table is broken across lines (the columns once got so narrow that "Result" read "Res/ult").
  const tokens = new Set(pdfLines.split(/\s+/));
  expect(['Res', 'Resu', 'Resul', 'Requir', 'Requi', 'Measur', 'Measu', 'bloc', 'Statu'].filter((t) => tokens.has(t))).toEqual([]);
  const pdfText = pdfLines.replace(/\s+/g, '');
  expect(Number(/Pages:\s+(\d+)/.exec(execFileSync('pdfinfo', [pdfPath], { encoding: 'utf8' }))?.[1])).toBeGreaterThan(1);
  for (const text of [hostName!, machineId!, bundle.sha256.slice(0, 32), 'Lab device on a two-core test machine', 'Verify the agent'])
    expect(pdfText).toContain(text.replace(/\s+/g, ''));
  // Rendered to an image and read back (OCR): the pages show the content, not only carry it.
  execFileSync('pdftoppm', ['-png', '-r', '110', '-f', '1', '-l', '1', pdfPath, join(lab.dir, 'report-page')]);
  const png = readdirSync(lab.dir).find((f) => f.startsWith('report-page') && f.endsWith('.png'))!;
  const seen = execFileSync('tesseract', [join(lab.dir, png), '-', '--psm', '3'], {
    encoding: 'utf8',
    stdio: ['ignore', 'pipe', 'ignore'],
  });
  expect(seen).toMatch(/Agent install report/);
  expect(seen).toMatch(/Plant 4/);
  expect(seen).toMatch(/Every device installed and verified/);
});

test('three devices installed in parallel through the wizard, each through its own reboot', async ({ page, app, lab }) => {
  test.setTimeout(420_000);
  const bundle = await buildFixtureBundle({ dir: join(lab.dir, 'e2e-bundle-3'), version: '4.7.9', payloadBytes: 8 * 2 ** 20 });
  // The first test installed device 1: start all three without an agent (one already set up is not ticked).
  for (const dev of lab.devices) await dev.removeAgent();
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
  await page
    .getByLabel("VIP address (free, on the hosts' network)")
    .fill(`${lab.devices[0]!.address.split('.').slice(0, 3).join('.')}.240`);
  await expect(page.getByTestId('save-status')).toHaveAttribute('data-status', 'saved');
  await page.getByRole('button', { name: 'Next: install' }).click();
  await page.getByLabel(/Bundle on this machine/).fill(bundle.path);
  await page.getByRole('button', { name: 'Check the bundle' }).click();
  await expect(page.getByTestId('bundle-ok')).toBeVisible();
  // The UI stays responsive while progress streams in from three devices: no long task over 200 ms.
  await page.evaluate(() => {
    const w = window as unknown as { __longTasks: number[] };
    w.__longTasks = [];
    new PerformanceObserver((list) => list.getEntries().forEach((e) => w.__longTasks.push(e.duration))).observe({
      type: 'longtask',
      buffered: false,
    });
  });
  await page.getByRole('button', { name: 'Install on the chosen devices' }).click();
  for (const dev of lab.devices)
    await expect(page.getByTestId(`run-${dev.address}`)).toHaveAttribute('data-phase', 'done', { timeout: 300_000 });
  for (const dev of lab.devices) expect(await dev.exec('grep -c enableMultiNode /var/lib/spectro/userdata')).toBe('1\n');
  const longTasks = await page.evaluate(() => (window as unknown as { __longTasks: number[] }).__longTasks);
  expect(
    longTasks.filter((ms) => ms > 200),
    `long tasks: ${longTasks.map((ms) => Math.round(ms)).join(', ')}`,
  ).toEqual([]);
});
