import { execFileSync, type ChildProcess } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { chromium, type Browser, type Page } from '@playwright/test';
import { startBrowserHost } from '../e2e/lab/browser-host';
import type { Lab } from '../e2e/lab/lab';

/**
 * The window for a benchmark: the browser host the e2e suite uses (out/main/web.js, built by `npm run bench`) with
 * its own data folder and a home whose known_hosts already pins the lab's devices (as after a survey), and Debian's
 * Chromium on it, every long task of the page kept in `window.__longTasks`.
 */
export interface BenchWindow {
  page: Page;
  host: ChildProcess;
  /**
   * With EAI_BENCH_TRACE=<folder>: a Chromium performance trace of what follows, until the returned stop, written as
   * <folder>/<name>.json (open it in the DevTools Performance panel); without it, nothing.
   */
  trace(name: string): Promise<() => Promise<void>>;
  close(): Promise<void>;
}

export async function openWindow(lab: Lab): Promise<BenchWindow> {
  if (!existsSync('out/main/web.js')) execFileSync('npx', ['electron-vite', 'build'], { stdio: 'inherit' });
  const home = mkdtempSync(join(tmpdir(), 'eai-bench-window-'));
  mkdirSync(join(home, 'home', '.ssh'), { recursive: true, mode: 0o700 });
  writeFileSync(
    join(home, 'home', '.ssh', 'known_hosts'),
    lab.devices.map((d) => `${d.address} ${readFileSync(join(d.control, 'ssh_host_ed25519_key.pub'), 'utf8').trim()}`).join('\n') + '\n',
  );
  const { url, process: host } = await startBrowserHost(home);
  const browser: Browser = await chromium.launch({
    executablePath: process.env.EAI_CHROMIUM ?? '/usr/bin/chromium',
    args: ['--no-sandbox', '--disable-gpu', '--no-first-run', '--disable-background-networking', '--disable-component-update'],
  });
  const page = await browser.newPage({ viewport: { width: 1280, height: 800 } });
  await page.addInitScript(() => {
    const w = window as unknown as { __longTasks: number[] };
    w.__longTasks = [];
    new PerformanceObserver((list) => list.getEntries().forEach((e) => w.__longTasks.push(e.duration))).observe({ type: 'longtask' });
  });
  await page.goto(url);
  return {
    page,
    host,
    async trace(name) {
      const dir = process.env.EAI_BENCH_TRACE;
      if (!dir) return async () => undefined;
      mkdirSync(dir, { recursive: true });
      await browser.startTracing(page, {
        path: join(dir, `${name}.json`),
        categories: [
          'devtools.timeline',
          'disabled-by-default-devtools.timeline',
          'v8.execute',
          'blink.user_timing',
          'v8',
          'disabled-by-default-v8.cpu_profiler',
        ],
      });
      return async () => void (await browser.stopTracing());
    },
    async close() {
      await browser.close();
      host.kill('SIGTERM');
      rmSync(home, { recursive: true, force: true });
    },
  };
}

/** The first step: name the site and the technician, then the Devices step. */
export async function startVisit(page: Page, siteName: string): Promise<void> {
  await page.getByLabel('Site name').fill(siteName);
  await page.getByLabel('Technician').fill('Bench');
  await page.getByRole('button', { name: 'Next: add devices' }).click();
}

/** The lab's devices from a CSV, as root with the lab's key, on the Devices step. */
export async function importLab(page: Page, lab: Lab, devices = lab.devices): Promise<void> {
  const csv = ['host,user,auth,keyPath', ...devices.map((d) => `${d.address},root,key,${lab.clientKey}`)].join('\n');
  await page.getByText('Import a device list (CSV)').click();
  await page.setInputFiles('#import-csv', { name: 'devices.csv', mimeType: 'text/csv', buffer: Buffer.from(csv) });
  await page
    .locator('[data-testid^="device-198.18."]')
    .nth(devices.length - 1)
    .waitFor();
}

/**
 * From the Check step to the Site step, as a technician with lab devices would: each device's two-core block
 * overridden with a reason, a multi-node plan with the first device its control plane and the others workers, and
 * the VIP (.250 of the lab's subnet) saved.
 */
export async function overridePlanAndVip(page: Page, lab: Lab, reason = 'Lab device on a two-core test machine'): Promise<void> {
  for (const dev of lab.devices) {
    const checks = page.getByTestId(`checks-${dev.address}`);
    await checks.getByTestId('verdict').waitFor();
    await checks.locator('tr[data-check="cpu-cores"]').getByRole('button', { name: 'Override…' }).click();
    await checks.getByLabel('Reason (goes on the report)').fill(reason);
    await checks.getByRole('button', { name: 'Record override' }).click();
    await checks.locator('tr[data-check="cpu-cores"][data-status="overridden"]').waitFor();
  }
  await page.getByRole('button', { name: 'Next: plan the cluster' }).click();
  await page.getByRole('radio', { name: 'Multi-node' }).check();
  for (const d of lab.devices.slice(1)) await page.getByLabel(`Role of ${d.address}`).selectOption('worker');
  await page.getByRole('button', { name: 'Next: site properties' }).click();
  await page
    .getByLabel("VIP address (free, on the hosts' network)")
    .fill(`${lab.devices[0]!.address.split('.').slice(0, 3).join('.')}.250`);
  await page.locator('[data-testid="save-status"][data-status="saved"]').waitFor();
}
