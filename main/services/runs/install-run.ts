import { coalesce } from './coalesce';
import { coerce, gte, lt } from 'semver';
import type { EventSink } from '../../../common/contract';
import { DEVICE_PATHS } from '../../../common/device/paths';
import { AppError, toErrorShape } from '../../../common/errors';
import { verifyFailures, type DeviceRunView, type InstallMethod, type InstallPhase, type RunView } from '../../../common/install/model';
import { redact } from '../../../common/redact';
import { deviceLines, firstStart, runFinished, type JournalLine } from '../../../common/runs/journal';
import { installPhases, type InstallRunPhase } from '../../../common/runs/phases';
import { DISTRIBUTIONS } from '../../../common/plan/model';
import { staticAddressOf } from '../../../common/site/issues';
import { SOURCES } from '../../../common/requirements/sources';
import { LOCAL_MANAGEMENT_MIN_AGENT, PACKS_4_7_20, PACKS_NEED_AGENT } from '../../../common/upgrade/rules';
import { verifyBundle, type BundleInfo } from '../bundle/verify-bundle';
import { evaluateChecks, installBlockers } from '../../../common/install/readiness';
import type { DeviceService } from '../devices';
import type { SiteService } from '../site/site-service';
import { writeUserData } from '../site/write-userdata';
import type { VisitStore } from '../visit-store';
import { STYLUS_VERSION_PATH } from '../site/palette-checks';
import { rebootDevice, stageBundle, uploadToStaging, verifyAgent, waitForFirstBoot, waitForLocalUi } from './agent-steps';
import { deviceScript, sections } from './device-scripts';
import { formatBytes } from '../../../common/format';
import { assertReadyForRun, deviceTools, newRunId, runPhases, type DeviceRun, type PhaseWork } from './engine';
import type { RunJournal, RunJournals } from './journal-file';
import type { LinkFor } from './link';
import { runContext } from './run-context';
import { AGENT_IN_BUNDLE } from '../../../common/device/paths';

export interface InstallOptions {
  /** How long a device may take to come back after its reboot. */
  rebootTimeoutMs?: number;
  /** How long the wizard waits for the first-boot install at first (the technician can extend it). */
  firstBootTimeoutMs?: number;
  /** No change in the first-boot step for this long fails the wait. */
  firstBootStallMs?: number;
  /** How often the first-boot step is read (3 s by default). */
  firstBootPollMs?: number;
  verifyTimeoutMs?: number;
  /** How long the wizard waits for Local UI to answer after the agent verified (local management). */
  localUiTimeoutMs?: number;
  localUiPollMs?: number;
  parallel?: number;
}

interface Run {
  view: RunView;
  bundle: BundleInfo;
  journal: RunJournal;
  abort: AbortController;
}

/** How often at most the window gets a run's view: smooth to the eye, light with 64 devices streaming. */
const VIEW_EVERY_MS = 150;

/**
 * The offline install (device-contract §1) as a run of the engine: the phases of common/runs/phases.ts
 * (upload → stage → apply → user-data → [palette-agent install] → reboot → reconnect → verify), per device
 * in parallel; one failing device does not stop the others. What runs next is always read from the journal.
 */
export class InstallService {
  private readonly runs = new Map<string, Run>();
  /** Until when each device's first-boot wait goes on (ms), by run and device: the technician can extend it. */
  private readonly firstBootUntil = new Map<string, number>();

  constructor(
    private readonly store: VisitStore,
    private readonly devices: DeviceService,
    private readonly site: SiteService,
    private readonly linkFor: LinkFor,
    private readonly emit: EventSink,
    private readonly journals: RunJournals,
    private readonly opts: InstallOptions = {},
  ) {}

  async start(bundlePath: string, deviceIds: string[], expectedSha256?: string, method: InstallMethod = 'reboot'): Promise<RunView> {
    if (deviceIds.length === 0)
      throw new AppError({
        code: 'INVALID_INPUT',
        message: 'Choose at least one device to install.',
        fix: 'Give devices a role in the plan, and connect them.',
      });
    const visit = this.store.get();
    // Main checks again what the window showed: nothing is sent while the plan or a device is blocked, and
    // the refusal names every block, not only the first.
    const checks = evaluateChecks(visit);
    const blockers = installBlockers(visit, deviceIds, checks);
    if (blockers.length) {
      throw new AppError({
        code: blockers.some((b) => / is not connected/.test(b)) ? 'NOT_CONNECTED' : 'PRECONDITION',
        message:
          blockers.length === 1
            ? blockers[0]!
            : `${blockers.length} things block the install: ${blockers.map((b, n) => `(${n + 1}) ${b}`).join(' ')}`,
        fix: 'Fix each of them (the Install button lists them too), then start again.',
      });
    }
    for (const id of deviceIds) {
      const d = this.store.device(id);
      assertReadyForRun(d);
      this.site.userDataFor(id); // refuses while the site is incomplete: nothing is sent before that
      // "Check from the devices" found a block: it blocks (a VIP in use, a proxy that refuses...).
      const survey = this.site.surveyBlocks(id);
      if (survey.length) {
        throw new AppError({
          code: 'PRECONDITION',
          message: `${d.label}: the check from the device found ${survey.length === 1 ? 'a block' : `${survey.length} blocks`}: ${survey.map((c) => `${c.title.replace(/^The /, 'the ')} — no (${c.detail})`).join('; ')}.`,
          fix: `${survey
            .map((c) => c.fix)
            .filter(Boolean)
            .join(' ')} Then run "Check from the devices" again on the Site step.`,
        });
      }
    }
    for (const id of deviceIds) this.devices.assertFree(id);
    const arches = new Set(deviceIds.map((id) => this.store.device(id).facts?.arch).filter(Boolean));
    const bundle = await verifyBundle(bundlePath, { expectedSha256, deviceArch: arches.size === 1 ? [...arches][0] : undefined });
    for (const id of deviceIds) this.devices.assertFree(id); // again: the check took a while
    const runId = newRunId();
    const journal = this.journals.open(runId);
    const view: RunView = {
      runId,
      method,
      startedAt: new Date().toISOString(),
      bundle: { fileName: bundle.fileName, sha256: bundle.sha256, size: bundle.size, arch: bundle.arch },
      devices: deviceIds.map((deviceId) => ({ deviceId, phase: 'queued', log: [] })),
      finished: false,
    };
    const run: Run = { view, bundle, journal, abort: new AbortController() };
    this.runs.set(runId, run);
    journal.append({
      kind: 'run-started',
      data: {
        kind: 'install',
        bundle: view.bundle,
        bundlePath,
        expectedSha256: expectedSha256 ?? null,
        devices: deviceIds,
        plan: visit.plan,
        method,
      },
    });
    // Hosts joining a cluster whose leader is already installed: the leader goes in the context for the hand-off.
    const leader = visit.plan.leader;
    const contextIds = leader && !deviceIds.includes(leader) ? [...deviceIds, leader] : deviceIds;
    journal.append({ kind: 'context', data: runContext('install', visit, contextIds, checks, { ...this.site.secretState() }) });
    this.changed(run.view);
    void this.runAll(run, deviceIds);
    return structuredClone(view);
  }

  /** Runs whose journal has no end: the app stopped (or was killed, or this machine rebooted) while they ran. */
  interrupted(): RunView[] {
    return this.journals
      .list()
      .filter((id) => !this.runs.has(id))
      .map((id) => viewFromJournal(id, this.journals.read(id)))
      .filter((v): v is RunView => !!v && !v.finished);
  }

  /** Continues an interrupted run: the transition function picks each device up where its journal ends. */
  async resume(runId: string): Promise<RunView> {
    const lines = this.journals.read(runId);
    const view = viewFromJournal(runId, lines);
    const started = firstStart(lines);
    if (!view || !started?.data.bundlePath)
      throw new AppError({ code: 'NOT_FOUND', message: `The journal of run ${runId} cannot be resumed.`, fix: 'Start a new install.' });
    const pending = view.devices.filter((d) => d.phase !== 'done');
    for (const d of pending) assertReadyForRun(this.store.device(d.deviceId));
    const bundle = await verifyBundle(started.data.bundlePath, { expectedSha256: started.data.expectedSha256 ?? undefined });
    if (bundle.sha256 !== view.bundle.sha256)
      throw new AppError({
        code: 'INVALID_INPUT',
        message: `The bundle at ${started.data.bundlePath} is not the one this run started with.`,
        fix: 'Put the original bundle back, or start a new install.',
      });
    const journal = this.journals.open(runId);
    journal.append({ kind: 'run-resumed', data: { devices: pending.map((d) => d.deviceId) } });
    for (const d of pending) Object.assign(d, { phase: 'queued', error: undefined, failedStep: undefined, finishedAt: undefined });
    const run: Run = { view, bundle, journal, abort: new AbortController() };
    this.runs.set(runId, run);
    this.changed(view);
    void this.runAll(
      run,
      pending.map((d) => d.deviceId),
    );
    return structuredClone(view);
  }

  status(runId: string): RunView {
    return structuredClone(this.get(runId).view);
  }

  /** The runs of this session, newest first: the window shows them again after leaving the step. */
  active(): RunView[] {
    return [...this.runs.values()].map((r) => structuredClone(r.view)).reverse();
  }

  /** Retries a failed or cancelled device: the journal says where it stopped, so it continues there. */
  retry(runId: string, deviceId: string): RunView {
    const run = this.get(runId);
    const d = run.view.devices.find((x) => x.deviceId === deviceId);
    if (!d || (d.phase !== 'failed' && d.phase !== 'cancelled'))
      throw new AppError({
        code: 'PRECONDITION',
        message: 'Only a failed or cancelled device can be retried.',
        fix: 'Wait for it to finish.',
      });
    this.devices.assertFree(deviceId, runId);
    if (run.abort.signal.aborted) run.abort = new AbortController();
    run.view.finished = false;
    Object.assign(d, { phase: 'queued', error: undefined, failedStep: undefined, finishedAt: undefined });
    this.changed(run.view);
    void this.runDevice(run, deviceId).then(() => this.finishIfDone(run));
    return structuredClone(run.view);
  }

  /** Waits longer for a device's first-boot step (the limit is shown next to it). */
  extendWait(runId: string, deviceId: string, minutes: number): RunView {
    const run = this.get(runId);
    const d = run.view.devices.find((x) => x.deviceId === deviceId);
    if (!d || d.phase !== 'first-boot')
      throw new AppError({
        code: 'PRECONDITION',
        message: 'That device is not waiting for its first-boot step.',
        fix: 'Nothing to extend.',
      });
    const key = `${runId}:${deviceId}`;
    const until = Math.max(this.firstBootUntil.get(key) ?? Date.now(), Date.now()) + minutes * 60_000;
    this.firstBootUntil.set(key, until);
    if (d.firstBoot) d.firstBoot = { ...d.firstBoot, waitUntil: new Date(until).toISOString() };
    this.changed(run.view);
    return structuredClone(run.view);
  }

  /** Stops every device at its next safe point (never between putting the agent in place and the user-data). */
  cancel(runId: string): RunView {
    const run = this.get(runId);
    run.abort.abort();
    return structuredClone(run.view);
  }

  /** The services are closing: every run stops at its next safe point, as on Cancel. */
  close(): void {
    for (const run of this.runs.values()) run.abort.abort();
  }

  private get(runId: string): Run {
    const run = this.runs.get(runId);
    if (!run)
      throw new AppError({
        code: 'NOT_FOUND',
        message: `There is no install run ${runId} in this session.`,
        fix: 'Start the install again.',
      });
    return run;
  }

  private async runAll(run: Run, ids: string[]): Promise<void> {
    const queue = [...ids];
    const workers = Array.from({ length: Math.min(this.opts.parallel ?? 4, ids.length) }, async () => {
      for (let id = queue.shift(); id; id = queue.shift()) await this.runDevice(run, id);
    });
    await Promise.all(workers);
    this.finishIfDone(run);
  }

  private finishIfDone(run: Run): void {
    if (run.view.devices.every((d) => ['done', 'failed', 'cancelled'].includes(d.phase))) {
      run.view.finished = true;
      run.journal.append({
        kind: 'run-finished',
        data: { results: Object.fromEntries(run.view.devices.map((d) => [d.deviceId, d.phase])) },
      });
      this.changed(run.view);
    }
  }

  private async runDevice(run: Run, deviceId: string): Promise<void> {
    const d = run.view.devices.find((x) => x.deviceId === deviceId)!;
    d.startedAt = new Date().toISOString();
    try {
      this.devices.claim(deviceId, run.view.runId, 'an install');
    } catch (err) {
      Object.assign(d, { phase: 'failed', error: toErrorShape(err), finishedAt: new Date().toISOString() });
      this.changed(run.view);
      return;
    }
    const link = this.linkFor(deviceId);
    const r: DeviceRun<InstallPhase> = {
      device: d,
      link,
      journal: run.journal,
      changed: () => this.changed(run.view),
      secrets: () => this.secrets(),
    };
    const t = deviceTools(r);
    const mode = this.store.get().plan.mode;
    let suspended = false;
    const work: PhaseWork<InstallRunPhase> = {
      upload: async () => {
        const result = await uploadToStaging(link, t, run.bundle, run.abort.signal, (p) => {
          d.progress = p;
          this.changed(run.view);
        });
        run.journal.append({ kind: 'output', deviceId, step: 'upload', data: { ...result } });
      },
      stage: async () => {
        // The journal says the upload finished, but the file can be gone since (a resume after the staging was
        // cleaned, or removed by hand): send it again rather than fail on what the journal cannot know.
        const staged = await stageBundle(t, run.bundle).catch(async (err: unknown) => {
          if (!(err instanceof AppError && err.data?.uploadMissing)) throw err;
          t.log('The uploaded bundle is not on the device any more: uploading it again.');
          await work.upload({});
          return stageBundle(t, run.bundle);
        });
        // An agent already set up skips the first-boot install: the new one would never run. Say so now.
        if (staged.installedSetUp && staged.installedSetUp !== staged.version) {
          throw new AppError({
            code: 'PRECONDITION',
            message: `Agent ${staged.installedSetUp} is already installed and set up on this device; its first-boot step would skip ${staged.version}.`,
            fix: 'Use the Upgrade step to move it to the new version. Nothing was applied.',
          });
        }
        if (mode === 'local' && !gte(coerce(staged.version) ?? '0.0.0', LOCAL_MANAGEMENT_MIN_AGENT)) {
          throw new AppError({
            code: 'PRECONDITION',
            message: `Local management needs agent ${LOCAL_MANAGEMENT_MIN_AGENT} or later (Palette 4.6.32); this bundle has ${staged.version}.`,
            fix: 'Use a newer agent-mode bundle. Nothing was applied.',
          });
        }
        // The flavour is the agent's own word (its `fips:` line), never the file name's (device-contract §1).
        const flavour = this.store.get().plan.flavour;
        if (staged.fips !== null && (flavour === 'fips') !== staged.fips) {
          throw new AppError({
            code: 'PRECONDITION',
            message: `The plan is for the ${flavour === 'fips' ? 'FIPS' : 'standard'} agent, but the staged agent says it is a ${staged.fips ? 'FIPS' : 'standard'} build (whatever the file is called).`,
            fix: `Carry the ${flavour === 'fips' ? 'FIPS' : 'standard'} agent-mode bundle, or change the agent flavour on the Plan step. Nothing was applied. (Source: device-contract §1 — the documented FIPS download saves the tar under the standard name; the agent's own version output says its flavour.)`,
          });
        }
        packRule(this.store.get().plan, staged.version);
        // Central management: Palette replaces an agent of another version than its own (device-contract §1),
        // so a bundle that differs from what the survey read with the API key is refused before it is applied.
        const expected = this.site.expectedAgentVersion();
        if (mode === 'central' && expected && expected.version !== staged.version) {
          throw new AppError({
            code: 'PRECONDITION',
            message: `Palette at ${expected.endpoint} expects agent ${expected.version}; this bundle carries ${staged.version}.`,
            fix: `Carry the agent-mode bundle of version ${expected.version} (the documented download for a dedicated or self-hosted Palette names it). Nothing was applied. (Source: librarium deployment-modes/agent-mode/install-agent-host.md, GET ${STYLUS_VERSION_PATH}.)`,
          });
        }
        d.agentVersion = staged.version;
        return { version: staged.version, fips: staged.fips };
      },
      apply: async () => {
        t.must(
          await t.root(deviceScript('apply', DEVICE_PATHS.stagingExtract)),
          'Putting the agent in place under /',
          'Check free space on / and /var, then retry.',
        );
      },
      userdata: () => writeUserData(link, this.site.userDataFor(deviceId)),
      'agent-install': async () => {
        // The documented alternative to letting spectro-init do it on first boot; the reboot follows either way.
        t.must(
          await t.root(deviceScript('agentInstall', `/${AGENT_IN_BUNDLE}`, DEVICE_PATHS.stylusTree, DEVICE_PATHS.userData)),
          'palette-agent install',
          'Read the output below; fix the cause on the device, then retry. The bundle and user-data are in place.',
        );
      },
      reboot: async () => {
        const how = await rebootDevice(link, t, run.journal, deviceId);
        suspended = how === 'suspended';
      },
      reconnect: () =>
        link.waitUntilBack({
          deadlineMs: this.opts.rebootTimeoutMs ?? 600_000,
          afterReboot: true,
          signal: run.abort.signal,
          onAttempt: (attempt, error) => t.log(`reconnect attempt ${attempt}: ${error ?? ''}`),
          moveTo: staticAddressOf(this.store.get().site, deviceId),
          onMoved: (message) => t.log(message),
        }),
      'first-boot': async () => {
        const key = `${run.view.runId}:${deviceId}`;
        this.firstBootUntil.set(key, Date.now() + (this.opts.firstBootTimeoutMs ?? 20 * 60_000));
        try {
          return await waitForFirstBoot(link, {
            until: () => this.firstBootUntil.get(key) ?? 0,
            stallMs: this.opts.firstBootStallMs ?? 10 * 60_000,
            pollMs: this.opts.firstBootPollMs,
            redact: (text) => redact(text, this.secrets()),
            signal: run.abort.signal,
            onStatus: (fb) => {
              d.firstBoot = fb;
              this.changed(run.view);
            },
          });
        } finally {
          d.firstBoot = undefined;
        }
      },
      'local-ui': async () => {
        if (mode !== 'local') return { localUi: null };
        const c = this.store.device(deviceId).connection;
        const limitMs = this.opts.localUiTimeoutMs ?? 5 * 60_000;
        const port = this.store.get().site.localUiPort;
        t.log(`Waiting for Local UI to answer TLS on port ${port} (up to ${Math.round(limitMs / 60_000)} min).`);
        const ui = await waitForLocalUi(link, {
          host: c.kind === 'ssh' ? c.host : 'localhost',
          port,
          limitMs,
          pollMs: this.opts.localUiPollMs,
          signal: run.abort.signal,
        });
        d.localUi = ui;
        t.log(
          ui.answered
            ? `Local UI answers at ${ui.url}; certificate SHA-256 ${ui.fingerprint}.`
            : `Local UI did not answer on port ${port} within ${ui.limitSec} s. The agent's journal:\n${(ui.journal ?? []).join('\n')}`,
        );
        return { localUi: ui };
      },
      verify: async (state) => {
        const version = state.version ?? d.agentVersion ?? '';
        d.agentVersion = version;
        const checks = await verifyAgent(link, {
          version,
          mode,
          localUiPort: this.store.get().site.localUiPort,
          settleMs: this.opts.verifyTimeoutMs,
        });
        d.verify = checks;
        const failures = verifyFailures(checks);
        if (failures.length) {
          run.journal.append({ kind: 'output', deviceId, step: 'verify', data: { verify: checks } });
          throw new AppError({
            code: 'COMMAND_FAILED',
            message: `The agent did not verify: ${failures.map((c) => c.name).join(', ')}.`,
            fix: 'Open the device\'s log (/var/log/stylus-upgrade.log, journalctl -u "spectro*") and retry.',
          });
        }
        return { verify: checks };
      },
      cleanup: async () => {
        // Not worth failing a verified install for: said in the log, and the folders named.
        const r = await t
          .root(deviceScript('cleanup', DEVICE_PATHS.staging, DEVICE_PATHS.stage))
          .catch((err: unknown) => ({ code: 1, stdout: '', stderr: String(err) }));
        if (r.code !== 0) {
          t.log(
            `Could not remove ${DEVICE_PATHS.staging} and ${DEVICE_PATHS.stage} (${r.stderr.trim().slice(-200)}); remove them by hand to get the space back.`,
          );
          return {};
        }
        const freedBytes = Number(sections(r.stdout)('freed')) * 1024 || 0;
        t.log(`Staging removed: ${formatBytes(freedBytes)} returned to the device.`);
        return { freedBytes };
      },
    };
    try {
      // A Retry after a dropped link reconnects by itself: same pinned key, the secrets still in memory.
      if (!link.connected())
        await link.waitUntilBack({
          deadlineMs: 60_000,
          afterReboot: false,
          signal: run.abort.signal,
          onAttempt: (n, e) => t.log(`reconnect attempt ${n}: ${e ?? ''}`),
        });
      const out = await runPhases(r, installPhases(run.view.method), work, {
        cancelled: () => run.abort.signal.aborted,
        suspended: () => suspended,
      });
      if (out.suspended) {
        t.log('This machine is rebooting. Start the wizard again once it is up, and resume this run: it verifies the agent.');
        return;
      }
      d.phase = 'done';
      d.agentVersion = out.state.version ?? d.agentVersion;
      run.journal.append({
        kind: 'device-done',
        deviceId,
        data: { version: d.agentVersion ?? '', verify: out.state.verify ?? d.verify ?? [] },
      });
      this.devices.noteAgent(deviceId, { version: d.agentVersion ?? '', fips: out.state.fips ?? null });
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

  /** One coalescer per run: a few views a second reach the window, the latest always (see coalesce.ts). */
  private readonly outbox = new Map<string, ReturnType<typeof coalesce<RunView>>>();

  private changed(view: RunView): void {
    let box = this.outbox.get(view.runId);
    if (!box) {
      box = coalesce<RunView>((v) => this.emit('install.changed', structuredClone(v)), VIEW_EVERY_MS);
      this.outbox.set(view.runId, box);
    }
    box.push(view);
    if (view.finished) {
      box.flush();
      this.outbox.delete(view.runId);
    }
  }
}

/**
 * Agents older than 4.7.7 cannot take the Kubernetes packs released with 4.7.20 (architecture page,
 * limitations): at install time too, an old agent for a plan on such a pack is refused before it is applied.
 */
function packRule(plan: { distribution: string; kubernetesVersion: string }, agent: string): void {
  const packs = PACKS_4_7_20[plan.distribution] ?? [];
  if (packs.includes(plan.kubernetesVersion.replace(/^v/, '')) && lt(coerce(agent) ?? '0.0.0', PACKS_NEED_AGENT)) {
    throw new AppError({
      code: 'PRECONDITION',
      message: `Agent ${agent} cannot run the ${DISTRIBUTIONS.find((d) => d.id === plan.distribution)?.name ?? plan.distribution} ${plan.kubernetesVersion} pack: packs released with Palette 4.7.20 need agent ${PACKS_NEED_AGENT} or later.`,
      fix: `Carry an agent-mode bundle of ${PACKS_NEED_AGENT} or later, or plan an earlier Kubernetes version. Nothing was applied. (Source: ${SOURCES.limitations.title}, ${SOURCES.limitations.url})`,
    });
  }
}

/** Rebuilds what a run looked like from its journal lines. */
export function viewFromJournal(runId: string, lines: JournalLine[]): RunView | null {
  const start = firstStart(lines);
  if (!start || start.data.kind !== 'install' || !start.data.bundle) return null;
  const devices: DeviceRunView[] = start.data.devices.map((deviceId) => {
    const mine = deviceLines(lines, deviceId);
    const last = mine.filter((e) => e.kind !== 'output').at(-1);
    const d: DeviceRunView = { deviceId, phase: 'queued', log: [] };
    if (!last) return d;
    if (last.kind === 'device-done') return { ...d, phase: 'done', agentVersion: last.data.version };
    const step = last.step as InstallPhase;
    const error =
      last.kind === 'step-failed'
        ? last.data.error
        : { code: 'CANCELLED' as const, message: `The app stopped during "${step}".`, fix: 'Reconnect the device and resume the run.' };
    return { ...d, phase: 'failed', failedStep: step, error };
  });
  return {
    runId,
    method: start.data.method ?? 'reboot',
    startedAt: start.t,
    bundle: start.data.bundle!,
    devices,
    finished: !!runFinished(lines),
  };
}
