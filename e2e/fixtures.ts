import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { test as base, expect, type Page } from '@playwright/test';
import { Lab } from './lab/lab';

export interface AppHandle {
  url: string;
  dataDir: string;
  process: ChildProcess;
}

/** Starts the real browser host (out/main/web.js) with its own data folder and home. */
async function startApp(): Promise<AppHandle> {
  const dataDir = mkdtempSync(join(tmpdir(), 'eai-e2e-'));
  const child = spawn(process.execPath, ['out/main/web.js'], {
    env: { ...process.env, EAI_DATA_DIR: join(dataDir, 'data'), HOME: join(dataDir, 'home'), SSH_AUTH_SOCK: '' },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  const url = await new Promise<string>((resolve, reject) => {
    let out = '';
    const timer = setTimeout(() => reject(new Error(`browser host did not start: ${out}`)), 20000);
    child.stdout!.on('data', (d) => {
      out += d;
      const m = /^EAI_URL=(\S+)$/m.exec(out);
      if (m) {
        clearTimeout(timer);
        resolve(m[1]!);
      }
    });
    child.stderr!.on('data', (d) => (out += d));
    child.once('exit', (code) => reject(new Error(`browser host exited (${code}): ${out}`)));
  });
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
