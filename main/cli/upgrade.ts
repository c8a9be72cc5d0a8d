import { copyFileSync, mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { upgradeStatusLine } from '../../common/upgrade/model';
import { UPGRADE_PATH_TEXT } from '../../common/upgrade/paths';
import type { Kit } from '../services/site-kit';
import type { Args, Call, Event } from './eai';
import { EXIT } from './exit-codes';

/**
 * `eai upgrade`: the window's upgrade run on the kit's devices with the kit's bundle. Detect, upload and stage on
 * every device; the plan (each device's documented path, the order and why, every issue) is printed and written
 * to out/upgrade-plan.json; then applied with the confirmations given as flags (main evaluates the rules again and
 * refuses a block: exit 2); one line per device phase; the report and asset register into out/.
 */
export async function upgrade(call: Call, kit: Kit, targets: { id: string; label: string }[], event: Event, args: Args): Promise<number> {
  const outDir = join(kit.dir, 'out');
  mkdirSync(outDir, { recursive: true });
  const bundle = await call('bundle.inspect', { path: kit.bundlePath, expectedSha256: kit.kit.sha256 });
  let v = await call('upgrade.start', { bundleId: bundle.bundleId, deviceIds: targets.map((d) => d.id) });
  const seen = new Map<string, string>();
  const phases = (view: typeof v) => {
    for (const d of view.devices)
      if (seen.get(d.deviceId) !== d.phase) {
        seen.set(d.deviceId, d.phase);
        event(
          'phase',
          { device: d.label, phase: d.phase, ...(d.error ? { error: d.error.message } : {}) },
          `${d.label}: ${upgradeStatusLine(d)}${d.error ? ` — ${d.error.message}` : ''}`,
        );
      }
  };
  while (v.stage === 'preparing') {
    phases(v);
    await new Promise((r) => setTimeout(r, 1000));
    v = await call('upgrade.status', { runId: v.runId });
  }
  phases(v);
  const plan = v.plan;
  writeFileSync(
    join(outDir, 'upgrade-plan.json'),
    JSON.stringify(
      {
        runId: v.runId,
        target: v.target,
        order: plan?.order.map((id) => v.devices.find((d) => d.deviceId === id)?.label ?? id) ?? [],
        orderReason: plan?.orderReason ?? null,
        devices: v.devices.map((d) => ({
          device: d.label,
          installed: d.installed,
          path: d.path ?? null,
          pathTitle: d.path ? UPGRADE_PATH_TEXT[d.path].title : null,
          documented: d.path ? UPGRADE_PATH_TEXT[d.path].documented : null,
          dryRun: d.dryRun ?? null,
        })),
        issues: plan?.issues ?? [],
      },
      null,
      2,
    ) + '\n',
  );
  for (const d of v.devices)
    if (d.path)
      event(
        'path',
        { device: d.label, path: d.path, documented: UPGRADE_PATH_TEXT[d.path].documented },
        `${d.label}: ${UPGRADE_PATH_TEXT[d.path].title}${UPGRADE_PATH_TEXT[d.path].documented ? '' : ' (not a documented path)'}`,
      );
  for (const i of plan?.issues ?? [])
    event('issue', { severity: i.severity, message: i.message }, `${i.severity.toUpperCase()} ${i.message}`);
  if (v.stage === 'finished' || !plan) {
    event('finished', { runId: v.runId, failed: v.devices.length }, `upgrade ${v.runId}: nothing could be staged`);
    return EXIT.failed;
  }
  if (!plan.order.length) {
    event('finished', { runId: v.runId, failed: 0 }, `upgrade ${v.runId}: no device to upgrade by the wizard (see the plan)`);
    return EXIT.done;
  }
  try {
    v = await call('upgrade.apply', {
      runId: v.runId,
      confirm: {
        ...(args.downgradeReason ? { downgradeReason: args.downgradeReason } : {}),
        ...(args.flavourSwap ? { flavourSwap: true } : {}),
      },
      targetPack: args.targetPack,
    });
  } catch (err) {
    event('blocked', { message: (err as Error).message }, `eai: ${(err as Error).message}`);
    return EXIT.blocked;
  }
  while (v.stage !== 'finished') {
    phases(v);
    await new Promise((r) => setTimeout(r, 1000));
    v = await call('upgrade.status', { runId: v.runId });
  }
  phases(v);
  const failed = v.devices.filter((d) => plan.order.includes(d.deviceId) && d.phase !== 'done').length;
  const exported = await call('reports.export', { runId: v.runId });
  for (const f of exported.files) copyFileSync(join(exported.folder, f.name), join(outDir, f.name));
  event(
    'finished',
    { runId: v.runId, failed },
    `upgrade ${v.runId}: ${failed ? `${failed} device(s) did not finish` : 'every device upgraded and verified'} — ${join(outDir, 'report.html')}`,
  );
  return failed ? EXIT.failed : EXIT.done;
}
