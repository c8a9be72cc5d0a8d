import { randomBytes } from 'node:crypto';
import { join } from 'node:path';
import { coerce, gte } from 'semver';
import type { EventSink } from '../../../common/contract';
import { AppError, toErrorShape } from '../../../common/errors';
import type { DeviceRunView, InstallMethod, InstallPhase, RunView } from '../../../common/install/model';
import { shQuote } from '../../../common/shell/quote';
import { verifyBundle, type BundleInfo } from '../bundle/verify-bundle';
import type { DeviceService } from '../devices';
import type { SiteService } from '../site/site-service';
import { writeUserData } from '../site/write-userdata';
import { evaluateChecks } from '../checks';
import type { VisitStore } from '../visit-store';
import { RunJournal } from './journal';
import { runContext } from './run-context';
import { stepTools } from './step-tools';
import { assertCanActAsRoot } from './device-steps';
import { AGENT_IN_BUNDLE, reconnectDevice, rebootDevice, stageBundle, STAGING, uploadToStaging, verifyAgent } from './device-steps';

export const LOCAL_MANAGEMENT_MIN_AGENT = '4.6.21';

export interface InstallOptions {
  /** How long a device may take to come back after its reboot. */
  rebootTimeoutMs?: number;
  verifyTimeoutMs?: number;
  parallel?: number;
}

/**
 * The offline install, per device: upload → stage (read the agent version) → extract into / → write
 * the user-data → reboot (the dropped session is expected) → reconnect with the same pinned key →
 * verify. Devices run in parallel; one failing device does not stop the others. Every step is
 * journaled; steps are idempotent, so a retry continues where the device stands.
 */
export class InstallService {
  private readonly runs = new Map<string, { view: RunView; bundle: BundleInfo; journal: RunJournal; abort: AbortController }>();

  constructor(
    private readonly store: VisitStore,
    private readonly devices: DeviceService,
    private readonly site: SiteService,
    private readonly emit: EventSink,
    private readonly dataDir: string,
    private readonly opts: InstallOptions = {},
  ) {}

  async start(bundlePath: string, deviceIds: string[], expectedSha256?: string, method: InstallMethod = 'reboot'): Promise<RunView> {
    if (deviceIds.length === 0) throw new AppError({ code: 'INVALID_INPUT', message: 'Choose at least one device to install.', fix: 'Give devices a role in the plan, and connect them.' });
    const visit = this.store.get();
    // Main checks again what the window showed: nothing is sent while the plan or a device is blocked.
    const checks = evaluateChecks(visit);
    const planBlock = checks.plan.find((i) => i.severity === 'block');
    if (planBlock) throw new AppError({ code: 'INVALID_INPUT', message: `The plan is blocked: ${planBlock.message}`, fix: planBlock.fix });
    for (const id of deviceIds) {
      const d = this.store.device(id);
      if (d.state !== 'connected') throw new AppError({ code: 'NOT_CONNECTED', message: `${d.label} is not connected.`, fix: 'Connect it on the Devices step first.' });
      assertCanActAsRoot(d);
      if (!visit.plan.roles[id]) throw new AppError({ code: 'INVALID_INPUT', message: `${d.label} has no role in the plan.`, fix: 'Give it a role on the Plan step.' });
      const result = checks.devices.find((x) => x.deviceId === id);
      if (!result) throw new AppError({ code: 'INVALID_INPUT', message: `${d.label} has not been checked yet.`, fix: 'Read it on the Check step.' });
      const block = result.results.find((r) => r.status === 'block' && !r.override);
      if (block) throw new AppError({ code: 'INVALID_INPUT', message: `${d.label} is blocked: ${block.title} (measured ${block.measured}, required ${block.required}).`, fix: block.overridable ? `${block.fix} Or override it on the Check step with a reason.` : block.fix });
      this.site.userDataFor(id); // refuses while the site is incomplete: nothing is sent before that
    }
    for (const id of deviceIds) this.devices.assertFree(id);
    const arches = new Set(deviceIds.map((id) => this.store.device(id).facts?.arch).filter(Boolean));
    const bundle = await verifyBundle(bundlePath, { expectedSha256, deviceArch: arches.size === 1 ? [...arches][0] : undefined });
    const runId = `${new Date().toISOString().replace(/[:.]/g, '-')}-${randomBytes(3).toString('hex')}`;
    const journal = new RunJournal(join(this.dataDir, 'runs'), runId, () => this.secrets());
    const view: RunView = {
      runId,
      method,
      startedAt: new Date().toISOString(),
      bundle: { fileName: bundle.fileName, sha256: bundle.sha256, size: bundle.size, arch: bundle.arch },
      devices: deviceIds.map((deviceId) => ({ deviceId, phase: 'queued', log: [] })),
      finished: false,
    };
    const run = { view, bundle, journal, abort: new AbortController() };
    this.runs.set(runId, run);
    journal.append({ kind: 'run-started', data: { bundle: view.bundle, bundlePath, expectedSha256: expectedSha256 ?? null, devices: deviceIds, plan: visit.plan, method } });
    journal.append({ kind: 'context', data: { ...runContext('install', visit, deviceIds, checks, this.site.secretState()) } });
    this.changed(run.view);
    void this.runAll(runId, deviceIds);
    return structuredClone(view);
  }

  /**
   * Runs whose journal has no end: the app stopped (or was killed) while they ran. Rebuilt from the
   * journal alone, so they can be shown and resumed after a restart.
   */
  interrupted(): RunView[] {
    const dir = join(this.dataDir, 'runs');
    return RunJournal.list(dir)
      .filter((id) => !this.runs.has(id))
      .map((id) => viewFromJournal(id, RunJournal.read(dir, id)))
      .filter((v): v is RunView => !!v && !v.finished);
  }

  /** Continues an interrupted run: every device not done starts again; its finished steps are skipped by their own checks. */
  async resume(runId: string): Promise<RunView> {
    const dir = join(this.dataDir, 'runs');
    const events = RunJournal.read(dir, runId);
    const view = viewFromJournal(runId, events);
    const started = events.find((e) => e.kind === 'run-started')?.data as { bundlePath?: string; expectedSha256?: string | null } | undefined;
    if (!view || !started?.bundlePath) throw new AppError({ code: 'NOT_FOUND', message: `The journal of run ${runId} cannot be resumed.`, fix: 'Start a new install.' });
    const pending = view.devices.filter((d) => d.phase !== 'done');
    for (const d of pending) {
      const device = this.store.device(d.deviceId);
      if (device.state !== 'connected') throw new AppError({ code: 'NOT_CONNECTED', message: `${device.label} is not connected.`, fix: 'Connect it again on the Devices step (its secrets are not kept across a restart), then resume.' });
    }
    const bundle = await verifyBundle(started.bundlePath, { expectedSha256: started.expectedSha256 ?? undefined });
    if (bundle.sha256 !== view.bundle.sha256) throw new AppError({ code: 'INVALID_INPUT', message: `The bundle at ${started.bundlePath} is not the one this run started with.`, fix: 'Put the original bundle back, or start a new install.' });
    const journal = new RunJournal(dir, runId, () => this.secrets());
    journal.append({ kind: 'run-started', data: { resumed: true, devices: pending.map((d) => d.deviceId) } });
    for (const d of pending) Object.assign(d, { phase: 'queued', error: undefined, failedStep: undefined, finishedAt: undefined });
    const run = { view, bundle, journal, abort: new AbortController() };
    this.runs.set(runId, run);
    this.changed(view);
    void this.runAll(runId, pending.map((d) => d.deviceId));
    return structuredClone(view);
  }

  status(runId: string): RunView {
    return structuredClone(this.get(runId).view);
  }

  retry(runId: string, deviceId: string): RunView {
    const run = this.get(runId);
    const d = run.view.devices.find((x) => x.deviceId === deviceId);
    if (!d || (d.phase !== 'failed' && d.phase !== 'cancelled')) throw new AppError({ code: 'INVALID_INPUT', message: 'Only a failed or cancelled device can be retried.', fix: 'Wait for it to finish.' });
    if (run.abort.signal.aborted) run.abort = new AbortController();
    run.view.finished = false;
    Object.assign(d, { phase: 'queued', error: undefined, failedStep: undefined, finishedAt: undefined });
    this.changed(run.view);
    void this.runDevice(run, deviceId).then(() => this.finishIfDone(run));
    return structuredClone(run.view);
  }

  /** Stops every device at its next safe point (never between extracting and writing the user-data). */
  cancel(runId: string): RunView {
    const run = this.get(runId);
    run.abort.abort();
    return structuredClone(run.view);
  }

  private get(runId: string) {
    const run = this.runs.get(runId);
    if (!run) throw new AppError({ code: 'NOT_FOUND', message: `There is no install run ${runId} in this session.`, fix: 'Start the install again.' });
    return run;
  }

  private async runAll(runId: string, ids: string[]): Promise<void> {
    const run = this.get(runId);
    const queue = [...ids];
    const workers = Array.from({ length: Math.min(this.opts.parallel ?? 4, ids.length) }, async () => {
      for (let id = queue.shift(); id; id = queue.shift()) await this.runDevice(run, id);
    });
    await Promise.all(workers);
    this.finishIfDone(run);
  }

  private finishIfDone(run: { view: RunView; journal: RunJournal }): void {
    if (run.view.devices.every((d) => ['done', 'failed', 'cancelled'].includes(d.phase))) {
      run.view.finished = true;
      run.journal.append({ kind: 'run-finished', data: { results: Object.fromEntries(run.view.devices.map((d) => [d.deviceId, d.phase])) } });
      this.changed(run.view);
    }
  }

  private async runDevice(run: { view: RunView; bundle: BundleInfo; journal: RunJournal; abort: AbortController }, deviceId: string): Promise<void> {
    const d = run.view.devices.find((x) => x.deviceId === deviceId)!;
    d.startedAt = new Date().toISOString();
    try {
      this.devices.claim(deviceId, run.view.runId, 'an install');
    } catch (err) {
      Object.assign(d, { phase: 'failed', error: toErrorShape(err), finishedAt: new Date().toISOString() });
      this.changed(run.view);
      return;
    }
    const asRoot = () => this.store.device(deviceId).privilege === 'root';
    const remoteBundle = `${STAGING}/${run.bundle.fileName}`;
    const { sudo, must, step, log } = stepTools<InstallPhase>({
      devices: this.devices,
      journal: run.journal,
      device: d,
      asRoot,
      changed: () => this.changed(run.view),
      secrets: () => this.secrets(),
      beforeStep: (phase) => {
        if (run.abort.signal.aborted && phase !== 'userdata') throw new AppError({ code: 'CANCELLED', message: 'Cancelled.', fix: 'Retry the device to continue.' });
      },
    });

    try {
      const mode = this.store.get().plan.mode;
      await step('upload', async () => {
        const result = await uploadToStaging({ devices: this.devices, deviceId, loginUser: this.loginUser(deviceId), bundle: run.bundle, sudo, must, signal: run.abort.signal, onProgress: (p) => {
          d.progress = p;
          this.changed(run.view);
        } });
        run.journal.append({ kind: 'output', deviceId, step: 'upload', data: { ...result } });
      });
      const version = await step('stage', async () => {
        const { version: v, installedSetUp: installed } = await stageBundle(sudo, must, run.bundle.fileName);
        // An agent already set up skips the first-boot install: the new one would never run. Say so now.
        if (installed && installed !== v) {
          throw new AppError({ code: 'INVALID_INPUT', message: `Agent ${installed} is already installed and set up on this device; its first-boot step would skip ${v}.`, fix: 'Use the Upgrade step to move it to the new version. Nothing was applied.' });
        }
        if (mode === 'local' && !gte(coerce(v) ?? '0.0.0', LOCAL_MANAGEMENT_MIN_AGENT)) {
          throw new AppError({ code: 'INVALID_INPUT', message: `Local management needs agent ${LOCAL_MANAGEMENT_MIN_AGENT} or later (Palette 4.6.32); this bundle has ${v}.`, fix: 'Use a newer agent-mode bundle. Nothing was applied.' });
        }
        d.agentVersion = v;
        return v;
      }, (v) => ({ version: v }));
      // From here to the user-data there is no safe point: extracting without user-data leaves an agent
      // that would boot unconfigured.
      await step('apply', async () => must(await sudo(`tar --no-overwrite-dir -xf ${shQuote(remoteBundle)} -C /`), 'Extracting the bundle into /', 'Check free space on / and /var, then retry.'));
      await step('userdata', async () => writeUserData(this.devices.session(deviceId), this.site.userDataFor(deviceId), asRoot()));
      if (run.view.method === 'install-first') {
        // The documented alternative to letting spectro-init do it on first boot; the reboot follows either way.
        await step('agent-install', async () =>
          must(await sudo(`/${AGENT_IN_BUNDLE} install --source dir:/var/lib/spectro/stylus --config /var/lib/spectro/userdata`), 'palette-agent install', 'Read the output below; fix the cause on the device, then retry. The bundle and user-data are in place.'),
        );
      }
      await step('reboot', () => rebootDevice(this.devices, deviceId, sudo));
      await step('reconnect', () => reconnectDevice(this.devices, deviceId, this.opts.rebootTimeoutMs ?? 600_000, (attempt, error) => log(`reconnect attempt ${attempt}: ${error ?? ''}`)));
      const checks = await step('verify', () => verifyAgent(this.devices, deviceId, { version, mode, localUiPort: this.store.get().site.localUiPort, settleMs: this.opts.verifyTimeoutMs }));
      d.verify = checks;
      if (checks.some((c) => !c.ok)) {
        d.failedStep = 'verify';
        throw new AppError({ code: 'COMMAND_FAILED', message: `The agent did not verify: ${checks.filter((c) => !c.ok).map((c) => c.name).join(', ')}.`, fix: 'Open the device\'s log (/var/log/stylus-upgrade.log, journalctl -u "spectro*") and retry.' });
      }
      d.phase = 'done';
      run.journal.append({ kind: 'device-done', deviceId, data: { version, verify: checks } });
      this.devices.noteAgent(deviceId, { version, fips: run.bundle.fips ?? null });
    } catch (err) {
      const shape = toErrorShape(err);
      d.phase = shape.code === 'CANCELLED' ? 'cancelled' : 'failed';
      d.error = shape;
    } finally {
      this.devices.release(deviceId, run.view.runId);
      d.finishedAt = new Date().toISOString();
      this.changed(run.view);
    }
  }

  /** Every secret known this session (site and devices), for the one redaction function. */
  private secrets(): (string | undefined)[] {
    return [...this.site.secretValues(), ...this.devices.secretValues()];
  }

  private loginUser(deviceId: string): string {
    const c = this.store.device(deviceId).connection;
    return c.kind === 'ssh' ? c.user : 'root';
  }

  private changed(view: RunView): void {
    this.emit('install.changed', structuredClone(view));
  }
}

/** Rebuilds what a run looked like from its journal lines. */
export function viewFromJournal(runId: string, events: ReturnType<typeof RunJournal.read>): RunView | null {
  const start = events.find((e) => e.kind === 'run-started' && !(e.data as { resumed?: boolean })?.resumed);
  if (!start) return null;
  const data = start.data as { bundle: RunView['bundle']; devices: string[]; method?: InstallMethod };
  const devices: DeviceRunView[] = data.devices.map((deviceId) => {
    const mine = events.filter((e) => e.deviceId === deviceId);
    const last = mine.filter((e) => e.kind !== 'output' && e.kind !== 'command').at(-1);
    const d: DeviceRunView = { deviceId, phase: 'queued', log: [] };
    if (!last) return d;
    if (last.kind === 'device-done') return { ...d, phase: 'done', agentVersion: (last.data as { version?: string })?.version };
    const step = last.step as InstallPhase;
    const error = last.kind === 'step-failed' ? ((last.data as { error?: DeviceRunView['error'] })?.error ?? undefined) : { code: 'CANCELLED' as const, message: `The app stopped during "${step}".`, fix: 'Reconnect the device and resume the run.' };
    return { ...d, phase: 'failed', failedStep: step, error };
  });
  // Finished when the journal's last start or end mark is an end (a resumed run starts again).
  const marks = events.filter((e) => e.kind === 'run-started' || e.kind === 'run-finished');
  return { runId, method: data.method ?? 'reboot', startedAt: start.t, bundle: data.bundle, devices, finished: marks.at(-1)?.kind === 'run-finished' };
}
