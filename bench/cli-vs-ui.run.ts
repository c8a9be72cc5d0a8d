import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, it } from 'vitest';
import { stringify } from 'yaml';
import { buildFixtureBundle, type FixtureBundle } from '../e2e/lab/fixture-bundle';
import { Lab } from '../e2e/lab/lab';
import { EXIT, runCli } from '../main/cli/eai';
import { servicesForTest } from '../test/lab/helpers';
import { median, report } from './report';
import { importLab, openWindow, overridePlanAndVip, startVisit } from './window';

/**
 * `cli-install-3-vs-ui`: a three-device install (one control plane, two workers, a VIP) headless with
 * `eai install --kit`, against the same install through the window (Playwright pressing what a technician would:
 * Connect all, three overrides, the plan, the VIP, "Check from the devices", the bundle, Install), two interleaved
 * rounds, the median. Both from the first contact to the last device verified (the CLI's report and PDFs after that
 * are printed with where its time went, not counted).
 * Target <= 1.0: the command line is not the slower way to run the same install.
 */
let lab: Lab;
let bundle: FixtureBundle;
let kit: string;
const REASON = 'Lab device on a two-core test machine';

beforeAll(async () => {
  lab = await Lab.start(3);
  kit = join(lab.dir, 'kit');
  mkdirSync(kit, { recursive: true });
  bundle = await buildFixtureBundle({ dir: join(kit, 'bundle'), version: '4.7.9', payloadBytes: 8 * 2 ** 20 });
  const vip = `${lab.devices[0]!.address.split('.').slice(0, 3).join('.')}.250`;
  const svc = servicesForTest();
  const v = await svc.call('visit.get', {});
  await svc.call('plan.update', { ...v.plan, topology: 'multi' });
  await svc.call('site.update', { ...v.site, endpoint: { kind: 'vip', vip } });
  writeFileSync(join(kit, 'site.yaml'), (await svc.call('profiles.export', { name: 'Bench' })).yaml);
  svc.close();
  writeFileSync(
    join(kit, 'devices.csv'),
    [
      'host,user,auth,keyPath,role',
      ...lab.devices.map((d, i) => `${d.address},root,key,${lab.clientKey},${i ? 'worker' : 'control-plane'}`),
    ].join('\n') + '\n',
  );
  writeFileSync(
    join(kit, 'kit.yaml'),
    stringify({
      siteName: 'Bench',
      technician: 'Bench',
      bundle: 'bundle/agent-mode-linux-amd64.tar',
      leader: lab.devices[0]!.address,
      overrides: lab.devices.map((d) => ({ device: d.address, check: 'cpu-cores', reason: REASON, technician: 'Bench' })),
    }),
  );
}, 300_000);

afterAll(async () => {
  await lab?.stop();
});

const fresh = () => Promise.all(lab.devices.map((d) => d.removeAgent()));

async function headless(): Promise<number> {
  await fresh();
  const trust = (await Promise.all(lab.devices.map(async (d) => ['--trust', `${d.address}=${await d.fingerprint()}`]))).flat();
  // A data folder of its own each round, as a first run from a kit would have.
  const dataDir = join(lab.dir, `cli-data-${Date.now()}`);
  let code = -1;
  const t0 = performance.now();
  const marks: string[] = [];
  let lastDone = 0;
  const out = (line: string) => {
    const e = JSON.parse(line) as { kind: string; phase?: string };
    if (e.kind === 'phase' && e.phase === 'done') lastDone = performance.now() - t0;
    if (e.kind !== 'phase' || e.phase === 'upload' || e.phase === 'done')
      marks.push(`${e.kind}${e.phase ? ` ${e.phase}` : ''} ${((performance.now() - t0) / 1000).toFixed(1)} s`);
  };
  code = await runCli(['install', '--kit', kit, '--json', '--data-dir', dataDir, ...trust], { out, stdin: () => '' });
  if (code !== EXIT.done) throw new Error(`bench: eai install exited ${code}`);
  console.log(`bench: where the CLI's time went: ${marks.join(', ')}`);
  // To the last device verified, as the window is timed (the CLI then writes its report and PDFs: printed above).
  return lastDone;
}

async function throughWindow(): Promise<number> {
  await fresh();
  const win = await openWindow(lab);
  const page = win.page;
  try {
    await startVisit(page, 'Bench');
    await importLab(page, lab);
    const t0 = performance.now();
    await page.getByRole('button', { name: /^Connect all/ }).click();
    await page.getByTestId('connect-all-status').waitFor();
    await page.getByRole('button', { name: 'Next: check devices' }).click();
    await overridePlanAndVip(page, lab, REASON);
    // The checks the CLI makes before every install (VIP free, gateway, DNS, proxy, clock), pressed here too.
    await page.getByTestId('site-survey').getByRole('button').first().click();
    await page
      .locator('[data-testid="site-survey"] [data-survey]')
      .nth(lab.devices.length - 1)
      .waitFor({ timeout: 120_000 });
    await page.getByRole('button', { name: 'Next: install' }).click();
    await page.getByLabel(/Bundle on this machine/).fill(bundle.path);
    await page.getByRole('button', { name: 'Check the bundle' }).click();
    await page.getByTestId('bundle-ok').waitFor();
    await page.getByRole('button', { name: 'Install on the chosen devices' }).click();
    for (const dev of lab.devices)
      await page.locator(`[data-testid="run-${dev.address}"][data-phase="done"]`).waitFor({ timeout: 600_000 });
    return performance.now() - t0;
  } finally {
    await win.close();
  }
}

it('a three-device install headless against the same install through the window', async () => {
  const cli: number[] = [];
  const ui: number[] = [];
  for (let round = 0; round < 2; round++) {
    cli.push(await headless());
    ui.push(await throughWindow());
  }
  console.log(report('cli-install-3-seconds', median(cli) / 1000, 's', { cmp: '<=', value: 600 }));
  console.log(report('ui-install-3-seconds', median(ui) / 1000, 's', { cmp: '<=', value: 600 }));
  console.log(report('cli-install-3-vs-ui', median(cli) / median(ui), 'x', { cmp: '<=', value: 1.0 }));
}, 1_800_000);
