import type { EventSink } from '../../../common/contract';
import { AGENT_IN_BUNDLE, DEVICE_PATHS } from '../../../common/device/paths';
import { AppError, toErrorShape } from '../../../common/errors';
import { parseAgentVersion } from '../../../common/parsers/agent-version';
import {
  UPGRADE_APPLY_PHASES,
  UPGRADE_PREPARE_PHASES,
  UPGRADE_REINSTALL_PHASES,
  type UpgradeApplyPhase,
  type UpgradePreparePhase,
  type UpgradeReinstallPhase,
} from '../../../common/runs/phases';
import type { UpgradeDeviceView, UpgradePhase, UpgradeRunView } from '../../../common/upgrade/model';
import { verifyFailures } from '../../../common/install/model';
import { redact } from '../../../common/redact';
import { pathIssues, planUpgrade, type InstalledAgent, type UpgradeConfirmations } from '../../../common/upgrade/rules';
import { upgradePathOf } from '../../../common/upgrade/paths';
import { verifyBundle, type BundleInfo } from '../bundle/verify-bundle';
import type { DeviceService } from '../devices';
import type { VisitStore } from '../visit-store';
import { rebootDevice, stageBundle, uploadToStaging, verifyAgent, waitForFirstBoot } from './agent-steps';
import { deviceScript, sections } from './device-scripts';
import { assertReadyForRun, deviceTools, newRunId, runPhases, type DeviceRun, type PhaseWork } from './engine';
import type { RunJournal, RunJournals } from './journal-file';
import type { DeviceLink, LinkFor } from './link';
import { runContext } from './run-context';

interface Run {
  view: UpgradeRunView;
  bundle: BundleInfo;
  journal: RunJournal;
}

/**
 * Offline agent upgrade (device-contract §5, the installer's own method) as two runs of the engine: the
 * prepare phases on every device in parallel (read what is installed, upload, stage), the technician's
 * review of the plan, then the apply phases one device at a time, the leader last (back up, put the new
 * tree in place with the sentinel cleared, reboot, reconnect, verify). A failure after the backup restores
 * it, reboots and verifies the old version; the run stops at the first failure.
 */
export class UpgradeService {
  private readonly runs = new Map<string, Run>();

  constructor(
    private readonly store: VisitStore,
    private readonly devices: DeviceService,
    private readonly linkFor: LinkFor,
    private readonly emit: EventSink,
    private readonly journals: RunJournals,
    private readonly secrets: () => (string | undefined)[],
    private readonly opts: {
      rebootTimeoutMs?: number;
      verifyTimeoutMs?: number;
      firstBootTimeoutMs?: number;
      firstBootStallMs?: number;
      firstBootPollMs?: number;
      /** The agent version the Palette instance expects (the site survey read it with an API key). */
      paletteExpects?: () => string | null;
    } = {},
  ) {}

  /** Detect, upload and stage on every device in parallel; the run then waits in review. */
  async start(bundlePath: string, deviceIds: string[], expectedSha256?: string): Promise<UpgradeRunView> {
    if (deviceIds.length === 0)
      throw new AppError({
        code: 'INVALID_INPUT',
        message: 'Choose at least one device to upgrade.',
        fix: 'Tick the devices whose agent you are upgrading.',
      });
    const visit = this.store.get();
    for (const id of deviceIds) assertReadyForRun(this.store.device(id));
    for (const id of deviceIds) this.devices.assertFree(id);
    // A run still waiting in review for these devices is superseded: the technician staged another bundle.
    for (const r of this.runs.values())
      if (r.view.stage === 'review' && r.view.devices.some((d) => deviceIds.includes(d.deviceId))) this.abandon(r);
    const arches = new Set(deviceIds.map((id) => this.store.device(id).facts?.arch).filter(Boolean));
    const bundle = await verifyBundle(bundlePath, { expectedSha256, deviceArch: arches.size === 1 ? [...arches][0] : undefined });
    const runId = newRunId();
    const journal = this.journals.open(runId);
    const leader = visit.plan.leader;
    const view: UpgradeRunView = {
      runId,
      startedAt: new Date().toISOString(),
      bundle: { fileName: bundle.fileName, sha256: bundle.sha256, size: bundle.size, arch: bundle.arch },
      stage: 'preparing',
      target: null,
      devices: deviceIds.map((id) => ({
        deviceId: id,
        label: this.store.device(id).label,
        leader: id === leader,
        phase: 'queued',
        installed: null,
        log: [],
      })),
    };
    const run: Run = { view, bundle, journal };
    this.runs.set(runId, run);
    // Taken while staging, given back for the review (nothing runs then), taken again by apply.
    for (const id of deviceIds) this.devices.claim(id, runId, 'an agent upgrade');
    journal.append({ kind: 'run-started', data: { kind: 'upgrade', bundle: view.bundle, bundlePath, devices: deviceIds } });
    this.changed(view);
    void Promise.all(view.devices.map((d) => this.prepare(run, d))).then(() => {
      const staged = view.devices.filter((d) => d.phase === 'ready' && d.stagedVersion);
      const versions = new Set(staged.map((d) => d.stagedVersion));
      const first = staged[0];
      view.target = first && versions.size === 1 ? { version: first.stagedVersion!, fips: !!first.stagedFips, build: null } : null;
      view.stage = 'review';
      for (const d of view.devices) this.devices.release(d.deviceId, runId);
      view.plan = this.plan(view, {}, null);
      this.changed(view);
    });
    return structuredClone(view);
  }

  private plan(
    view: UpgradeRunView,
    confirm: UpgradeConfirmations,
    targetPack: { distribution: string; kubernetesVersion: string } | null,
  ) {
    const ready = view.devices
      .filter((d) => d.phase === 'ready')
      .map((d) => ({ id: d.deviceId, label: d.label, leader: d.leader, installed: d.installed }));
    const paletteExpects = this.opts.paletteExpects?.() ?? null;
    // Only hosts the wizard must not touch (central, or in a cluster): nothing was staged, the plan says why.
    if (!view.target) return { order: [], issues: pathIssues(ready, paletteExpects), blocked: true };
    return planUpgrade(ready, view.target, { confirm, targetPack, paletteExpects });
  }

  /** Re-evaluates the plan in main with the technician's confirmations; refuses any block; then runs it. */
  apply(
    runId: string,
    confirm: UpgradeConfirmations,
    targetPack: { distribution: string; kubernetesVersion: string } | null,
  ): UpgradeRunView {
    const run = this.get(runId);
    const view = run.view;
    if (view.stage !== 'review')
      throw new AppError({
        code: 'PRECONDITION',
        message: view.stage === 'preparing' ? 'The bundle is still being staged on the devices.' : 'This upgrade has already run.',
        fix: 'Wait for staging to finish, or start a new upgrade.',
      });
    if (!view.target)
      throw new AppError({
        code: 'PRECONDITION',
        message: 'No device staged the bundle, or they disagree on its version.',
        fix: "Read each device's error, fix it and start again.",
      });
    const plan = this.plan(view, confirm, targetPack);
    const block = plan.issues.find((i) => i.severity === 'block');
    if (block) throw new AppError({ code: 'PRECONDITION', message: `The upgrade is blocked: ${block.message}`, fix: block.fix });
    if (plan.order.length === 0)
      throw new AppError({ code: 'PRECONDITION', message: 'Every chosen device already runs this version.', fix: 'Nothing to do.' });
    for (const id of plan.order) this.devices.claim(id, runId, 'an agent upgrade');
    view.plan = plan;
    view.confirm = confirm;
    view.stage = 'running';
    const visit = this.store.get();
    const context = runContext(
      'upgrade',
      visit,
      view.devices.map((d) => d.deviceId),
      { devices: [], plan: [], catalogVersion: '' },
      {},
    );
    for (const d of context.devices) d.versionBefore = view.devices.find((x) => x.deviceId === d.id)?.installed?.version ?? null;
    context.planIssues = plan.issues
      .filter((i) => i.severity !== 'info')
      .map((i) => ({
        id: i.id,
        severity: i.severity as 'block' | 'warn',
        message: i.message,
        fix: i.fix,
        source: i.source,
        sourceUrl: '',
      }));
    run.journal.append({
      kind: 'context',
      data: {
        ...context,
        upgrade: {
          target: view.target,
          order: plan.order,
          confirm,
          targetPack,
          paths: plan.paths ?? {},
          orderReason: plan.orderReason ?? '',
        },
      },
    });
    for (const d of view.devices) if (!plan.order.includes(d.deviceId) && d.phase === 'ready') d.phase = 'skipped';
    this.changed(view);
    void this.runInOrder(run, plan.order);
    return structuredClone(view);
  }

  status(runId: string): UpgradeRunView {
    return structuredClone(this.get(runId).view);
  }

  /** The upgrades of this session, newest first. */
  active(): UpgradeRunView[] {
    return [...this.runs.values()].map((r) => structuredClone(r.view)).reverse();
  }

  private get(runId: string): Run {
    const run = this.runs.get(runId);
    if (!run)
      throw new AppError({
        code: 'NOT_FOUND',
        message: `There is no upgrade run ${runId} in this session.`,
        fix: 'Start the upgrade again.',
      });
    return run;
  }

  private deviceRun(run: Run, d: UpgradeDeviceView): DeviceRun<UpgradePhase> & { link: DeviceLink } {
    return {
      device: d,
      link: this.linkFor(d.deviceId),
      journal: run.journal,
      changed: () => this.changed(run.view),
      secrets: this.secrets,
    };
  }

  private async prepare(run: Run, d: UpgradeDeviceView): Promise<void> {
    const r = this.deviceRun(run, d);
    const t = deviceTools(r);
    const work: PhaseWork<UpgradePreparePhase> = {
      detect: async () => {
        d.installed = await detectInstalled(r.link);
        d.path = upgradePathOf(d.installed) ?? undefined;
        return { installed: d.installed, path: d.path ?? null };
      },
      upload: async () => {
        if (handsOff(d)) return { skipped: `path ${d.path}: nothing is sent` };
        const result = await uploadToStaging(r.link, t, run.bundle, new AbortController().signal, (p) => {
          d.progress = p;
          this.changed(run.view);
        });
        run.journal.append({ kind: 'output', deviceId: d.deviceId, step: 'upload', data: { ...result } });
      },
      stage: async () => {
        if (handsOff(d)) return { skipped: `path ${d.path}` };
        const staged = await stageBundle(t, run.bundle);
        d.stagedVersion = staged.version;
        d.stagedFips = staged.fips;
        return { version: staged.version, fips: staged.fips };
      },
      // The documented reinstall starts with an uninstall: what it would remove is shown in the plan first.
      'dry-run': async () => {
        if (d.path !== 'reinstall') return { skipped: true };
        const out = t.must(
          await t.root(deviceScript('uninstall', 'dry-run')),
          'palette-agent uninstall --dry-run',
          'Read the output below; the agent on this device may not have a working uninstall. Nothing was changed.',
        );
        d.dryRun = redact(out.stdout.trim(), this.secrets()).slice(-4000);
        return { dryRun: d.dryRun };
      },
    };
    try {
      await runPhases(r, UPGRADE_PREPARE_PHASES, work, { cancelled: () => false });
      d.phase = 'ready';
    } catch (err) {
      d.phase = 'failed';
      d.error = toErrorShape(err);
    }
    this.changed(run.view);
  }

  private async runInOrder(run: Run, order: string[]): Promise<void> {
    let stopped = false;
    for (const id of order) {
      const d = run.view.devices.find((x) => x.deviceId === id)!;
      if (stopped) {
        d.phase = 'skipped';
        d.error = {
          code: 'CANCELLED',
          message: 'Not upgraded: an earlier device failed, and the run stops at the first failure.',
          fix: 'Fix that device, then start the upgrade again for the rest.',
        };
        run.journal.append({ kind: 'step-failed', deviceId: id, step: 'queued', data: { ms: 0, error: d.error } });
        continue;
      }
      const ok = await this.upgradeOne(run, d);
      if (!ok) stopped = true;
    }
    this.finish(run);
  }

  private finish(run: Run, note?: string): void {
    run.view.stage = 'finished';
    for (const d of run.view.devices) this.devices.release(d.deviceId, run.view.runId);
    run.journal.append({
      kind: 'run-finished',
      data: { results: Object.fromEntries(run.view.devices.map((d) => [d.deviceId, d.phase])), ...(note ? { note } : {}) },
    });
    this.changed(run.view);
  }

  /** A reviewed plan never applied: nothing was changed on the devices beyond staging. */
  private abandon(run: Run): void {
    for (const d of run.view.devices) if (d.phase === 'ready') d.phase = 'skipped';
    this.finish(run, 'superseded by a new upgrade before it was applied');
  }

  private async upgradeOne(run: Run, d: UpgradeDeviceView): Promise<boolean> {
    const r = this.deviceRun(run, d);
    const t = deviceTools(r);
    const target = run.view.target!.version;
    const before = d.installed!.version!;
    const mode = d.installed?.mode ?? this.store.get().plan.mode;
    const localUiPort = this.store.get().site.localUiPort;
    let backedUp = false;
    const shared = {
      backup: async () => {
        t.must(
          // First: the staged file must still be the one the plan was made from (another run could have replaced it).
          await t.root(
            deviceScript(
              'backup',
              DEVICE_PATHS.stagedBundle,
              run.bundle.sha256,
              DEVICE_PATHS.backup,
              before,
              DEVICE_PATHS.userData,
              DEVICE_PATHS.stylusTree,
              DEVICE_PATHS.firstBootScript,
            ),
          ),
          'Checking the staged bundle and backing up the current agent',
          'Read the output below (stage again if the bundle changed, or free space under /var/lib), then start again. Nothing was changed.',
        );
        backedUp = true;
      },
      reboot: async () => {
        await rebootDevice(r.link, t, run.journal, d.deviceId);
      },
      reconnect: () =>
        r.link.waitUntilBack({
          deadlineMs: this.opts.rebootTimeoutMs ?? 600_000,
          afterReboot: true,
          onAttempt: (n, e) => t.log(`reconnect attempt ${n}: ${e ?? ''}`),
        }),
      'first-boot': () => {
        const until = Date.now() + (this.opts.firstBootTimeoutMs ?? 20 * 60_000);
        return waitForFirstBoot(r.link, {
          until: () => until,
          stallMs: this.opts.firstBootStallMs ?? 10 * 60_000,
          pollMs: this.opts.firstBootPollMs,
          redact: (text) => redact(text, this.secrets()),
          onStatus: () => this.changed(run.view),
        });
      },
      verify: async () => {
        const c = await verifyAgent(r.link, { version: target, mode, localUiPort, settleMs: this.opts.verifyTimeoutMs });
        d.verify = c;
        const failures = verifyFailures(c);
        if (failures.length)
          throw new AppError({
            code: 'COMMAND_FAILED',
            message: `The new agent did not verify: ${failures.map((x) => x.detail).join(' ')}`,
            fix: 'The upgrade is rolled back to the backup.',
          });
        return { verify: c };
      },
    };
    // The installer's own method (no uninstall on this agent): the new tree over the old, setup_done cleared.
    const replace: PhaseWork<UpgradeApplyPhase> = {
      ...shared,
      apply: async () => {
        t.must(
          await t.root(deviceScript('upgradeApply', DEVICE_PATHS.stagingExtract, DEVICE_PATHS.stylusTree)),
          'Putting the new agent in place',
          'The backup is kept; the upgrade will be rolled back.',
        );
      },
    };
    // The documented reinstall: uninstall, extract, the same user-data, palette-agent install, reboot.
    const reinstall: PhaseWork<UpgradeReinstallPhase> = {
      ...shared,
      uninstall: async () => {
        const out = t.must(
          await t.root(deviceScript('uninstall', 'run')),
          'palette-agent uninstall',
          'The backup is kept; the upgrade will be rolled back.',
        );
        return { output: redact(out.stdout.trim(), this.secrets()).slice(-2000) };
      },
      apply: async () => {
        t.must(
          await t.root(deviceScript('apply', DEVICE_PATHS.stagingExtract)),
          'Extracting the new agent under /',
          'The backup is kept; the upgrade will be rolled back.',
        );
      },
      userdata: async () => {
        const out = t.must(
          await t.root(deviceScript('keepUserdata', DEVICE_PATHS.userData, DEVICE_PATHS.backup)),
          'Keeping the same user-data',
          'The backup is kept; the upgrade will be rolled back.',
        );
        return { userdata: out.stdout.trim() };
      },
      'agent-install': async () => {
        t.must(
          await t.root(deviceScript('agentInstall', `/${AGENT_IN_BUNDLE}`, DEVICE_PATHS.stylusTree, DEVICE_PATHS.userData)),
          'palette-agent install',
          'The backup is kept; the upgrade will be rolled back.',
        );
      },
    };
    try {
      const out =
        d.path === 'reinstall'
          ? await runPhases(r, UPGRADE_REINSTALL_PHASES, reinstall, { cancelled: () => false })
          : await runPhases(r, UPGRADE_APPLY_PHASES, replace, { cancelled: () => false });
      d.phase = 'done';
      d.versionAfter = target;
      this.devices.noteAgent(d.deviceId, { version: target, fips: run.view.target!.fips });
      run.journal.append({
        kind: 'device-done',
        deviceId: d.deviceId,
        data: { version: target, versionBefore: before, verify: out.state.verify ?? [] },
      });
      this.changed(run.view);
      return true;
    } catch (err) {
      d.error = toErrorShape(err);
      if (backedUp) await this.rollback(run, d, before, mode, localUiPort);
      else d.phase = 'failed';
      this.changed(run.view);
      return false;
    }
  }

  /** Restores the backup, reboots, verifies the old version again, and says what happened. */
  private async rollback(run: Run, d: UpgradeDeviceView, before: string, mode: string, localUiPort: number): Promise<void> {
    const failedStep = d.failedStep;
    const r = this.deviceRun(run, d);
    const t = deviceTools(r);
    const back = (what: string) =>
      r.link.waitUntilBack({
        deadlineMs: this.opts.rebootTimeoutMs ?? 600_000,
        afterReboot: what === 'reboot',
        onAttempt: (n, e) => t.log(`rollback: reconnect attempt ${n}: ${e ?? ''}`),
      });
    d.phase = 'rollback';
    this.changed(run.view);
    const started = Date.now();
    run.journal.append({ kind: 'step-started', deviceId: d.deviceId, step: 'rollback' });
    try {
      if (!r.link.connected()) await back('connection');
      t.must(
        await t.root(
          deviceScript('restore', DEVICE_PATHS.backup, DEVICE_PATHS.userData, DEVICE_PATHS.stylusTree, DEVICE_PATHS.firstBootScript),
        ),
        'Restoring the backup',
        `Restore ${DEVICE_PATHS.backup} by hand (see the device's output).`,
      );
      await r.link.reboot({ marked: () => undefined });
      await back('reboot');
      const verify = await verifyAgent(r.link, { version: before, mode, localUiPort, settleMs: this.opts.verifyTimeoutMs });
      const ok = verifyFailures(verify).length === 0;
      if (ok) this.devices.noteAgent(d.deviceId, { version: before, fips: d.installed?.fips ?? null });
      d.rollback = {
        ok,
        verify,
        detail: ok
          ? `Rolled back to ${before}; it verifies again.`
          : `Rolled back to ${before}, but it does not verify: ${verifyFailures(verify)
              .map((c) => c.detail)
              .join(' ')}`,
      };
    } catch (err) {
      d.rollback = {
        ok: false,
        detail: `The rollback failed: ${toErrorShape(err).message} The backup is in ${DEVICE_PATHS.backup} on the device.`,
      };
    }
    d.phase = 'rolled-back';
    d.failedStep = failedStep;
    const error = {
      code: 'COMMAND_FAILED' as const,
      message: `${d.error?.message ?? 'The upgrade failed.'} ${d.rollback.detail}`,
      fix: d.rollback.ok
        ? 'The device runs its previous agent. Read the output, fix the cause, and try again.'
        : `Restore ${DEVICE_PATHS.backup} on the device by hand, then verify.`,
    };
    d.error = error;
    run.journal.append({
      kind: 'step-failed',
      deviceId: d.deviceId,
      step: 'rollback',
      data: { ms: Date.now() - started, error, rollback: d.rollback },
    });
  }

  private changed(view: UpgradeRunView): void {
    this.emit('upgrade.changed', structuredClone(view));
  }
}

/** What is installed: version, build and FIPS from the agent itself, the sentinel, mode and multi-node from the user-data. */
export async function detectInstalled(link: DeviceLink): Promise<InstalledAgent | null> {
  const r = await link.script(deviceScript('detect', DEVICE_PATHS.userData), { root: true, timeoutMs: 60_000 });
  const part = sections(r.stdout);
  const v = parseAgentVersion(part('version'));
  if (!v.version) return null;
  const hasUserData = part('userdata') === 'present';
  // managementMode defaults to central; the deprecated installationMode: airgap means local (device-contract §2).
  const local = part('mode') === 'local' || (part('mode') === '' && part('installationmode') === 'airgap');
  return {
    version: v.version,
    build: v.build,
    fips: v.fips,
    setupDone: part('setup') === 'yes',
    mode: !hasUserData ? null : local ? 'local' : 'central',
    multiNode: hasUserData ? part('multinode') === 'true' : null,
    inCluster: part('cluster') === 'yes' ? true : part('cluster') === 'no' ? false : null,
    canUninstall: part('uninstall') === 'yes',
  };
}

/** Hosts the wizard must not change: Palette upgrades the central ones, Local UI the cluster members. */
function handsOff(d: UpgradeDeviceView): boolean {
  return d.path === 'palette' || d.path === 'content-bundle';
}
