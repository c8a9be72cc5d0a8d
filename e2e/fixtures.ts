import type { ChildProcess } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { test as base, expect, type Page } from '@playwright/test';
import { startBrowserHost } from './lab/browser-host';
import { Lab } from './lab/lab';

export interface AppHandle {
  url: string;
  dataDir: string;
  process: ChildProcess;
}

/** Starts the real browser host (out/main/web.js) with its own data folder and home. */
async function startApp(): Promise<AppHandle> {
  const dataDir = mkdtempSync(join(tmpdir(), 'eai-e2e-'));
  const { url, process: child } = await startBrowserHost(dataDir);
  return { url, dataDir, process: child };
}

export const test = base.extend<{ app: AppHandle }, { lab: Lab }>({
  lab: [
    async ({}, use) => {
      // The third device may use one CPU only, so it fails the core count on any machine.
      const lab = await Lab.start(Number(process.env.EAI_E2E_DEVICES ?? 3), [{}, {}, { cpus: '0' }]);
      await use(lab);
      await lab.stop();
    },
    { scope: 'worker', timeout: 120_000 },
  ],
  app: async ({}, use) => {
    const app = await startApp();
    await use(app);
    app.process.kill('SIGTERM');
    rmSync(app.dataDir, { recursive: true, force: true });
  },
});

export { expect };

/** The first step: name the site and the technician. */
export async function startVisit(page: Page, app: AppHandle): Promise<void> {
  // The launch address works once (its token is traded for a session on the first load).
  if (!page.url().startsWith(new URL(app.url).origin)) await page.goto(app.url);
  await page.getByLabel('Site name').fill('Plant 4 — Line 2');
  await page.getByLabel('Technician').fill('Alex Field');
  await page.getByRole('button', { name: 'Next: add devices' }).click();
}

/** Adds a device by password on the Devices step. */
export async function addPasswordDevice(page: Page, host: string, user: string): Promise<void> {
  await page.getByLabel('Address').fill(host);
  await page.getByLabel('User', { exact: true }).fill(user);
  await page.getByRole('radio', { name: 'Password' }).check();
  await page.getByRole('button', { name: 'Add device' }).click();
}

/** Adds a lab device as root with the lab's client key, connects and trusts its fingerprint. */
export async function addAndConnectByKey(page: Page, lab: Lab, index: number): Promise<void> {
  const dev = lab.devices[index]!;
  await page.getByLabel('Address').fill(dev.address);
  await page.getByLabel('User', { exact: true }).fill('root');
  await page.getByRole('radio', { name: 'Key file' }).check();
  await page.getByLabel('Private key file (on this laptop)').fill(lab.clientKey);
  await page.getByRole('button', { name: 'Add device' }).click();
  const card = page.getByTestId(`device-${dev.address}`);
  await card.getByRole('button', { name: 'Connect' }).click();
  await expect(card.getByTestId('pending-fingerprint')).toHaveText(await dev.fingerprint());
  await card.getByRole('button', { name: /trust and connect/ }).click();
  await expect(card.getByTestId('device-state')).toHaveAttribute('data-state', 'connected');
}

/** On the Check step: the lab device's two-core block overridden with a reason, as every lab install needs. */
export async function clearCores(page: Page, dev: { address: string }, reason = 'Lab device on a two-core test machine'): Promise<void> {
  const cores = page.getByTestId(`checks-${dev.address}`).locator('tr[data-check="cpu-cores"]');
  await cores.getByRole('button', { name: 'Override…' }).click();
  await page.getByLabel('Reason (goes on the report)').fill(reason);
  await page.getByRole('button', { name: 'Record override' }).click();
  await expect(cores).toHaveAttribute('data-status', 'overridden');
}
