import { randomBytes } from 'node:crypto';
import { join } from 'node:path';
import type { EventSink } from '../../../common/contract';
import { AppError, toErrorShape } from '../../../common/errors';
import { parseAgentVersion } from '../../../common/parsers/agent-version';
import { shQuote } from '../../../common/shell/quote';
import type { UpgradeDeviceView, UpgradePhase, UpgradeRunView } from '../../../common/upgrade/model';
import { planUpgrade, type InstalledAgent, type UpgradeConfirmations } from '../../../common/upgrade/rules';
import { verifyBundle, type BundleInfo } from '../bundle/verify-bundle';
import type { DeviceService } from '../devices';
import { assertCanActAsRoot, reconnectDevice, rebootDevice, stageBundle, STAGING, STYLUS_ROOT_SH, uploadToStaging, verifyAgent } from '../install/device-steps';
import { RunJournal } from '../install/journal';
import { stepTools } from '../install/step-tools';
import { runContext } from '../install/run-context';
import type { VisitStore } from '../visit-store';

const BACKUP = '/var/lib/eai-backup';
interface Run {
  view: UpgradeRunView;
  bundle: BundleInfo;
  journal: RunJournal;
}

/**
 * Offline agent upgrade (device-contract §5, the installer's own method): read what is installed, upload
 * and stage the new bundle on every device, let the technician review the plan, then one device at a time
 * (the leader last): back up the agent tree and user-data, put the new tree in place, clear the sentinel so
 * the boot step installs the new version with the existing user-data, reboot, verify. A failure after the
 * backup restores it, reboots and verifies the old version; the run stops at the first failure.
 */
export class UpgradeService {
  private readonly runs = new Map<string, Run>();

  constructor(
    private readonly store: VisitStore,
    private readonly devices: DeviceService,
    private readonly emit: EventSink,
    private readonly dataDir: string,
    private readonly secrets: () => (string | undefined)[],
    private readonly opts: { rebootTimeoutMs?: number; verifyTimeoutMs?: number } = {},
  ) {}

  /** Detect, upload and stage on every device in parallel; the run then waits in review. */
  async start(bundlePath: string, deviceIds: string[], expectedSha256?: string): Promise<UpgradeRunView> {
    if (deviceIds.length === 0) throw new AppError({ code: 'INVALID_INPUT', message: 'Choose at least one device to upgrade.', fix: 'Tick the devices whose agent you are upgrading.' });
    const visit = this.store.get();
    for (const id of deviceIds) {
      const d = this.store.device(id);
      if (d.state !== 'connected') throw new AppError({ code: 'NOT_CONNECTED', message: `${d.label} is not connected.`, fix: 'Connect it on the Devices step first.' });
      assertCanActAsRoot(d);
    }
    for (const id of deviceIds) this.devices.assertFree(id);
    // A run still waiting in review for these devices is superseded: the technician staged another bundle.
    for (const r of this.runs.values()) if (r.view.stage === 'review' && r.view.devices.some((d) => deviceIds.includes(d.deviceId))) this.abandon(r);
    const arches = new Set(deviceIds.map((id) => this.store.device(id).facts?.arch).filter(Boolean));
    const bundle = await verifyBundle(bundlePath, { expectedSha256, deviceArch: arches.size === 1 ? [...arches][0] : undefined });
    const runId = `${new Date().toISOString().replace(/[:.]/g, '-')}-${randomBytes(3).toString('hex')}`;
    const journal = new RunJournal(join(this.dataDir, 'runs'), runId, this.secrets);
    const leader = visit.plan.leader;
    const view: UpgradeRunView = {
      runId,
      startedAt: new Date().toISOString(),
      bundle: { fileName: bundle.fileName, sha256: bundle.sha256, size: bundle.size, arch: bundle.arch },
      stage: 'preparing',
      target: null,
      devices: deviceIds.map((id) => ({ deviceId: id, label: this.store.device(id).label, leader: id === leader, phase: 'queued', installed: null, log: [] })),
    };
    const run: Run = { view, bundle, journal };
    this.runs.set(runId, run);
    // Taken while staging, given back for the review (nothing runs then), taken again by apply.
    for (const id of deviceIds) this.devices.claim(id, runId, 'an agent upgrade');
    journal.append({ kind: 'run-started', data: { kind: 'upgrade', bundle: view.bundle, bundlePath, devices: deviceIds } });
    this.changed(view);
    void Promise.all(view.devices.map((d) => this.prepare(run, d))).then(() => {
      const staged = view.devices.filter((d) => d.phase === 'ready');
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

  private plan(view: UpgradeRunView, confirm: UpgradeConfirmations, targetPack: { distribution: string; kubernetesVersion: string } | null) {
    const ready = view.devices.filter((d) => d.phase === 'ready');
    if (!view.target) return { order: [], issues: [], blocked: true };
    return planUpgrade(ready.map((d) => ({ id: d.deviceId, label: d.label, leader: d.leader, installed: d.installed })), view.target, { confirm, targetPack });
  }

  /** Re-evaluates the plan in main with the technician's confirmations; refuses any block; then runs it. */
  apply(runId: string, confirm: UpgradeConfirmations, targetPack: { distribution: string; kubernetesVersion: string } | null): UpgradeRunView {
    const run = this.get(runId);
    const view = run.view;
    if (view.stage !== 'review') throw new AppError({ code: 'INVALID_INPUT', message: view.stage === 'preparing' ? 'The bundle is still being staged on the devices.' : 'This upgrade has already run.', fix: 'Wait for staging to finish, or start a new upgrade.' });
    if (!view.target) throw new AppError({ code: 'INVALID_INPUT', message: 'No device staged the bundle, or they disagree on its version.', fix: 'Read each device\'s error, fix it and start again.' });
    const plan = this.plan(view, confirm, targetPack);
    const block = plan.issues.find((i) => i.severity === 'block');
    if (block) throw new AppError({ code: 'INVALID_INPUT', message: `The upgrade is blocked: ${block.message}`, fix: block.fix });
    if (plan.order.length === 0) throw new AppError({ code: 'INVALID_INPUT', message: 'Every chosen device already runs this version.', fix: 'Nothing to do.' });
    for (const id of plan.order) this.devices.claim(id, runId, 'an agent upgrade');
    view.plan = plan;
    view.confirm = confirm;
    view.stage = 'running';
    const visit = this.store.get();
    const context = runContext('upgrade', visit, plan.order, { devices: [], plan: [], catalogVersion: '' }, {});
    for (const d of context.devices) d.versionBefore = view.devices.find((x) => x.deviceId === d.id)?.installed?.version ?? null;
    context.planIssues = plan.issues.filter((i) => i.severity !== 'info').map((i) => ({ id: i.id, severity: i.severity as 'block' | 'warn', message: i.message, fix: i.fix, source: i.source, sourceUrl: '' }));
    run.journal.append({ kind: 'context', data: { ...context, upgrade: { target: view.target, order: plan.order, confirm, targetPack } } });
    for (const d of view.devices) if (!plan.order.includes(d.deviceId) && d.phase === 'ready') d.phase = 'skipped';
    this.changed(view);
    void this.runInOrder(run, plan.order);
    return structuredClone(view);
  }

  status(runId: string): UpgradeRunView {
    return structuredClone(this.get(runId).view);
  }

  private get(runId: string): Run {
    const run = this.runs.get(runId);
    if (!run) throw new AppError({ code: 'NOT_FOUND', message: `There is no upgrade run ${runId} in this session.`, fix: 'Start the upgrade again.' });
    return run;
  }

  private async prepare(run: Run, d: UpgradeDeviceView): Promise<void> {
    const { sudo, must, step } = this.tools(run, d);
    try {
      d.installed = await step('detect', () => this.detect(d.deviceId), (a) => ({ installed: a }));
      await step('upload', async () => {
        const result = await uploadToStaging({ devices: this.devices, deviceId: d.deviceId, loginUser: this.loginUser(d.deviceId), bundle: run.bundle, sudo, must, signal: new AbortController().signal, onProgress: (p) => {
          d.progress = p;
          this.changed(run.view);
        } });
        run.journal.append({ kind: 'output', deviceId: d.deviceId, step: 'upload', data: { ...result } });
      });
      const staged = await step('stage', () => stageBundle(sudo, must, run.bundle.fileName), (v) => ({ version: v.version, fips: v.fips }));
      d.stagedVersion = staged.version;
      d.stagedFips = staged.fips;
      d.phase = 'ready';
    } catch (err) {
      d.phase = 'failed';
      d.error = toErrorShape(err);
    }
    this.changed(run.view);
  }

  /** What is installed: version, build and FIPS from the agent itself, the sentinel, mode and multi-node from the user-data. */
  async detect(deviceId: string): Promise<InstalledAgent | null> {
    const device = this.store.device(deviceId);
    // The user-data holds secrets: only two keys are read out of it on the device, never the file.
    const r = await this.devices.session(deviceId).sudo(
      `${STYLUS_ROOT_SH}
s() { printf '\\n@@%s\\n' "$1"; }
s version; [ -x "$root/opt/spectrocloud/bin/palette-agent" ] && "$root/opt/spectrocloud/bin/palette-agent" version 2>&1
s setup; [ -e "$root/opt/spectrocloud/state/setup_done" ] && echo yes
s userdata; [ -f /var/lib/spectro/userdata ] && echo present
s mode; sed -n 's/^[[:space:]]*managementMode:[[:space:]]*["\\x27]\\{0,1\\}\\([a-z]*\\).*/\\1/p' /var/lib/spectro/userdata 2>/dev/null | head -n 1
s multinode; sed -n 's/^[[:space:]]*enableMultiNode:[[:space:]]*\\([a-z]*\\).*/\\1/p' /var/lib/spectro/userdata 2>/dev/null | head -n 1`,
      { asRoot: device.privilege === 'root', timeoutMs: 60_000 },
    );
    const part = (name: string) => (r.stdout.split(`@@${name}\n`)[1] ?? '').split('\n@@')[0]!.trim();
    const v = parseAgentVersion(part('version'));
    if (!v.version) return null;
    const hasUserData = part('userdata') === 'present';
    const mode = part('mode');
    return {
      version: v.version,
      build: v.build,
      fips: v.fips,
      setupDone: part('setup') === 'yes',
      // managementMode defaults to central when the key is absent (device-contract §2).
      mode: !hasUserData ? null : mode === 'local' ? 'local' : 'central',
      multiNode: hasUserData ? part('multinode') === 'true' : null,
    };
  }

  private async runInOrder(run: Run, order: string[]): Promise<void> {
    let stopped = false;
    for (const id of order) {
      const d = run.view.devices.find((x) => x.deviceId === id)!;
      if (stopped) {
        d.phase = 'skipped';
        d.error = { code: 'CANCELLED', message: 'Not upgraded: an earlier device failed, and the run stops at the first failure.', fix: 'Fix that device, then start the upgrade again for the rest.' };
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
    run.journal.append({ kind: 'run-finished', data: { results: Object.fromEntries(run.view.devices.map((d) => [d.deviceId, d.phase])), ...(note ? { note } : {}) } });
    this.changed(run.view);
  }

  /** A reviewed plan never applied: nothing was changed on the devices beyond staging. */
  private abandon(run: Run): void {
    for (const d of run.view.devices) if (d.phase === 'ready') d.phase = 'skipped';
    this.finish(run, 'superseded by a new upgrade before it was applied');
  }

  private async upgradeOne(run: Run, d: UpgradeDeviceView): Promise<boolean> {
    const { sudo, must, step, log } = this.tools(run, d);
    const target = run.view.target!.version;
    const before = d.installed!.version!;
    const mode = d.installed?.mode ?? this.store.get().plan.mode;
    const localUiPort = this.store.get().site.localUiPort;
    let backedUp = false;
    try {
      await step('backup', async () => {
        must(
          // First: the staged file must still be the one the plan was made from (another run could have replaced it).
          await sudo(`set -e; ${STYLUS_ROOT_SH}
[ "$(sha256sum ${shQuote(`${STAGING}/${run.bundle.fileName}`)} | cut -d' ' -f1)" = ${shQuote(run.bundle.sha256)} ] || { echo "the staged bundle changed since the plan: stage it again" >&2; exit 3; };
need=$(du -sk "$root/opt/spectrocloud" /var/lib/spectro/stylus /var/lib/spectro/userdata 2>/dev/null | awk '{s+=$1} END {print s+0}')
avail=$(df -Pk /var/lib | tail -n 1 | awk '{print $4}')
if [ "$avail" -lt "$need" ]; then echo "the backup needs $need KiB, $avail KiB free under /var/lib" >&2; exit 28; fi
rm -rf ${BACKUP}; mkdir -p ${BACKUP}; chmod 700 ${BACKUP}
cp -a "$root/opt/spectrocloud" ${BACKUP}/opt-spectrocloud
[ ! -d /var/lib/spectro/stylus ] || cp -a /var/lib/spectro/stylus ${BACKUP}/stylus
cp -a /var/lib/spectro/userdata ${BACKUP}/userdata
[ ! -f /var/lib/spectro/spectro-init.sh ] || cp -a /var/lib/spectro/spectro-init.sh ${BACKUP}/
echo ${shQuote(before)} > ${BACKUP}/version; touch ${BACKUP}/complete`),
          'Checking the staged bundle and backing up the current agent',
          'Read the output below (stage again if the bundle changed, or free space under /var/lib), then start again. Nothing was changed.',
        );
        backedUp = true;
      });
      // The new tree replaces the old one entirely (no stale files); clearing the sentinel makes the boot
      // step install it with the user-data already on the device.
      await step('apply', async () =>
        must(
          await sudo(`set -e; ${STYLUS_ROOT_SH}; rm -rf /var/lib/spectro/stylus; tar --no-overwrite-dir -xf ${shQuote(`${STAGING}/${run.bundle.fileName}`)} -C /; rm -f "$root/opt/spectrocloud/state/setup_done"`),
          'Putting the new agent in place',
          'The backup is kept; the upgrade will be rolled back.',
        ),
      );
      await step('reboot', () => rebootDevice(this.devices, d.deviceId, sudo));
      await step('reconnect', () => reconnectDevice(this.devices, d.deviceId, this.opts.rebootTimeoutMs ?? 600_000, (n, e) => log(`reconnect attempt ${n}: ${e ?? ''}`)));
      const checks = await step('verify', async () => {
        const c = await verifyAgent(this.devices, d.deviceId, { version: target, mode, localUiPort, settleMs: this.opts.verifyTimeoutMs });
        d.verify = c;
        if (c.some((x) => !x.ok)) throw new AppError({ code: 'COMMAND_FAILED', message: `The new agent did not verify: ${c.filter((x) => !x.ok).map((x) => x.detail).join(' ')}`, fix: 'The upgrade is rolled back to the backup.' });
        return c;
      });
      d.phase = 'done';
      d.versionAfter = target;
      this.devices.noteAgent(d.deviceId, { version: target, fips: run.view.target!.fips });
      run.journal.append({ kind: 'device-done', deviceId: d.deviceId, data: { version: target, versionBefore: before, verify: checks } });
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
    const { sudo, must, log } = this.tools(run, d);
    d.phase = 'rollback';
    this.changed(run.view);
    const started = Date.now();
    run.journal.append({ kind: 'step-started', deviceId: d.deviceId, step: 'rollback' });
    try {
      if (this.devices.sessionState(d.deviceId) !== 'connected') {
        await reconnectDevice(this.devices, d.deviceId, this.opts.rebootTimeoutMs ?? 600_000, (n, e) => log(`rollback: reconnect attempt ${n}: ${e ?? ''}`));
      }
      must(
        await sudo(`set -e; ${STYLUS_ROOT_SH}; [ -f ${BACKUP}/complete ] || { echo "no complete backup in ${BACKUP}" >&2; exit 3; }
rm -rf "$root/opt/spectrocloud" /var/lib/spectro/stylus
cp -a ${BACKUP}/opt-spectrocloud "$root/opt/spectrocloud"
[ ! -d ${BACKUP}/stylus ] || cp -a ${BACKUP}/stylus /var/lib/spectro/stylus
cp -a ${BACKUP}/userdata /var/lib/spectro/userdata
[ ! -f ${BACKUP}/spectro-init.sh ] || cp -a ${BACKUP}/spectro-init.sh /var/lib/spectro/spectro-init.sh`),
        'Restoring the backup',
        `Restore ${BACKUP} by hand (see the device's output).`,
      );
      await rebootDevice(this.devices, d.deviceId, sudo);
      await reconnectDevice(this.devices, d.deviceId, this.opts.rebootTimeoutMs ?? 600_000, (n, e) => log(`rollback: reconnect attempt ${n}: ${e ?? ''}`));
      const verify = await verifyAgent(this.devices, d.deviceId, { version: before, mode, localUiPort, settleMs: this.opts.verifyTimeoutMs });
      const ok = verify.every((c) => c.ok);
      if (ok) this.devices.noteAgent(d.deviceId, { version: before, fips: d.installed?.fips ?? null });
      d.rollback = { ok, verify, detail: ok ? `Rolled back to ${before}; it verifies again.` : `Rolled back to ${before}, but it does not verify: ${verify.filter((c) => !c.ok).map((c) => c.detail).join(' ')}` };
    } catch (err) {
      d.rollback = { ok: false, detail: `The rollback failed: ${toErrorShape(err).message} The backup is in ${BACKUP} on the device.` };
    }
    d.phase = 'rolled-back';
    d.failedStep = failedStep;
    const error = { code: 'COMMAND_FAILED' as const, message: `${d.error?.message ?? 'The upgrade failed.'} ${d.rollback.detail}`, fix: d.rollback.ok ? 'The device runs its previous agent. Read the output, fix the cause, and try again.' : `Restore ${BACKUP} on the device by hand, then verify.` };
    d.error = error;
    run.journal.append({ kind: 'step-failed', deviceId: d.deviceId, step: 'rollback', data: { ms: Date.now() - started, error, rollback: d.rollback } });
  }

  private tools(run: Run, d: UpgradeDeviceView) {
    return stepTools<UpgradePhase>({
      devices: this.devices,
      journal: run.journal,
      device: d,
      asRoot: () => this.store.device(d.deviceId).privilege === 'root',
      changed: () => this.changed(run.view),
      secrets: this.secrets,
    });
  }

  private loginUser(deviceId: string): string {
    const c = this.store.device(deviceId).connection;
    return c.kind === 'ssh' ? c.user : 'root';
  }

  private changed(view: UpgradeRunView): void {
    this.emit('upgrade.changed', structuredClone(view));
  }
}
