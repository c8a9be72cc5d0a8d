import type { EventSink } from '../../../common/contract';
import { AppError, toErrorShape } from '../../../common/errors';
import { CLUSTER_VERIFY_PHASES, type ClusterVerifyPhase } from '../../../common/runs/phases';
import type { ClusterVerifyView } from '../../../common/upgrade/model';
import { normalizeAgentVersion } from '../../../common/upgrade/rules';
import type { DeviceService } from '../devices';
import type { VisitStore } from '../visit-store';
import { assertReadyForRun, deviceTools, newRunId, runPhases, type DeviceRun, type PhaseWork } from './engine';
import type { RunJournal, RunJournals } from './journal-file';
import type { LinkFor } from './link';
import { runContext } from './run-context';
import { detectInstalled } from './upgrade-run';

/**
 * The documented upgrade of a locally managed cluster goes through Local UI (a content bundle and cluster
 * definition naming the new agent): the wizard does not replace the agent. It reads every host's version
 * before, then again until each runs the target (or the limit passes), and journals before/after so the
 * report shows them.
 */
export class ClusterVerifyService {
  private readonly runs = new Map<string, ClusterVerifyView>();

  constructor(
    private readonly store: VisitStore,
    private readonly devices: DeviceService,
    private readonly linkFor: LinkFor,
    private readonly emit: EventSink,
    private readonly journals: RunJournals,
    private readonly secrets: () => (string | undefined)[],
    private readonly opts: { pollMs?: number } = {},
  ) {}

  start(deviceIds: string[], target: string, limitMs: number): ClusterVerifyView {
    const version = normalizeAgentVersion(target);
    if (!version)
      throw new AppError({
        code: 'INVALID_INPUT',
        message: `"${target}" is not an agent version.`,
        fix: 'Type the version the new cluster profile names (for example 4.9.12).',
      });
    for (const id of deviceIds) assertReadyForRun(this.store.device(id));
    const runId = newRunId();
    const journal = this.journals.open(runId);
    const view: ClusterVerifyView = {
      runId,
      target: version,
      limitSec: Math.round(limitMs / 1000),
      finished: false,
      devices: deviceIds.map((id) => ({
        deviceId: id,
        label: this.store.device(id).label,
        phase: 'queued',
        before: null,
        now: null,
        log: [],
      })),
    };
    this.runs.set(runId, view);
    journal.append({ kind: 'run-started', data: { kind: 'upgrade', devices: deviceIds } });
    const context = runContext('upgrade', this.store.get(), deviceIds, { devices: [], plan: [], catalogVersion: '' }, {});
    journal.append({
      kind: 'context',
      data: {
        ...context,
        upgrade: {
          target: { version },
          order: [],
          confirm: {},
          targetPack: null,
          paths: Object.fromEntries(deviceIds.map((id) => [id, 'content-bundle' as const])),
          orderReason:
            'The hosts were upgraded in Local UI (content bundle and cluster definition), in the order the cluster update takes; the wizard only read their versions.',
        },
      },
    });
    const until = Date.now() + limitMs;
    void Promise.all(view.devices.map((d) => this.watch(view, journal, d, until))).then(() => {
      view.finished = true;
      journal.append({ kind: 'run-finished', data: { results: Object.fromEntries(view.devices.map((d) => [d.deviceId, d.phase])) } });
      this.changed(view);
    });
    this.changed(view);
    return structuredClone(view);
  }

  status(runId: string): ClusterVerifyView {
    const v = this.runs.get(runId);
    if (!v)
      throw new AppError({
        code: 'NOT_FOUND',
        message: `There is no cluster verification ${runId} in this session.`,
        fix: 'Start it again.',
      });
    return structuredClone(v);
  }

  private async watch(view: ClusterVerifyView, journal: RunJournal, d: ClusterVerifyView['devices'][number], until: number): Promise<void> {
    const r: DeviceRun<ClusterVerifyView['devices'][number]['phase']> = {
      device: d,
      link: this.linkFor(d.deviceId),
      journal,
      changed: () => this.changed(view),
      secrets: this.secrets,
    };
    const t = deviceTools(r);
    const work: PhaseWork<ClusterVerifyPhase> = {
      detect: async () => {
        const a = await detectInstalled(r.link);
        d.before = a?.version ?? null;
        d.now = d.before;
        return { installed: a };
      },
      'wait-version': async () => {
        for (;;) {
          const a = await detectInstalled(r.link).catch(() => null);
          d.now = a?.version ?? d.now;
          this.changed(view);
          if (d.now && normalizeAgentVersion(d.now) === view.target) return { version: d.now };
          if (Date.now() >= until)
            throw new AppError({
              code: 'TIMED_OUT',
              message: `${d.label} still runs agent ${d.now ?? '(none)'} after ${view.limitSec} s, not ${view.target}.`,
              fix: 'Check the cluster update in Local UI (its events and the content bundle upload), then verify again.',
            });
          t.log(`agent ${d.now ?? '(none)'}; waiting for ${view.target}`);
          await new Promise((res) => setTimeout(res, this.opts.pollMs ?? 15_000));
        }
      },
    };
    try {
      await runPhases(r, CLUSTER_VERIFY_PHASES, work, { cancelled: () => false });
      d.phase = 'done';
      journal.append({
        kind: 'device-done',
        deviceId: d.deviceId,
        data: { version: d.now ?? '', versionBefore: d.before ?? undefined, verify: [] },
      });
    } catch (err) {
      d.phase = 'failed';
      d.error = toErrorShape(err);
    }
    this.changed(view);
  }

  private changed(view: ClusterVerifyView): void {
    this.emit('clusterVerify.changed', structuredClone(view));
  }
}
