import type { EventSink } from '../../../common/contract';
import { AppError, toErrorShape } from '../../../common/errors';
import { redact } from '../../../common/redact';
import { UNINSTALL_PHASES, type UninstallPhase } from '../../../common/runs/phases';
import { UPGRADE_SOURCE } from '../../../common/upgrade/paths';
import type { UninstallPreview, UninstallView } from '../../../common/upgrade/uninstall';
import type { DeviceService } from '../devices';
import type { VisitStore } from '../visit-store';
import { deviceScript, sections } from './device-scripts';
import { assertReadyForRun, deviceTools, newRunId, runPhases, type DeviceRun, type PhaseWork } from './engine';
import type { RunJournals } from './journal-file';
import type { LinkFor } from './link';
import { runContext } from './run-context';
import { detectInstalled } from './upgrade-run';

/** A dry run is shown, then acted on: an old one no longer says what the device holds. */
const PREVIEW_VALID_MS = 30 * 60_000;

/**
 * "Uninstall the agent" for one device, as the install page documents it (UPGRADE_SOURCE.uninstall): the dry
 * run first (shown, nothing changed), then `palette-agent uninstall --force`, then a check that the agent is
 * gone (the page's own check: no palette-agent binary) and that /etc/machine-id is kept. A centrally managed
 * host needs the technician's word first that its Edge Host record will be deleted in Palette: the identity
 * comes from /etc/machine-id, so a reinstall is rejected as a duplicate until the old record is gone.
 */
export class UninstallService {
  private readonly previews = new Map<string, UninstallPreview & { at: number }>();

  constructor(
    private readonly store: VisitStore,
    private readonly devices: DeviceService,
    private readonly linkFor: LinkFor,
    private readonly emit: EventSink,
    private readonly journals: RunJournals,
    private readonly secrets: () => (string | undefined)[],
  ) {}

  async preview(deviceId: string): Promise<UninstallPreview> {
    const d = this.store.device(deviceId);
    assertReadyForRun(d);
    this.devices.assertFree(deviceId);
    const link = this.linkFor(deviceId);
    const installed = await detectInstalled(link);
    if (!installed)
      throw new AppError({ code: 'NOT_FOUND', message: `${d.label} has no Palette agent to uninstall.`, fix: 'Nothing to do.' });
    if (!installed.canUninstall)
      throw new AppError({
        code: 'PRECONDITION',
        message: `Agent ${installed.version} on ${d.label} has no uninstall command (it arrived with agent 4.9.10).`,
        fix: 'Upgrade the agent to 4.9.10 or later first (Upgrade step), then uninstall it.',
      });
    const r = await link.script(deviceScript('uninstall', 'dry-run'), { root: true, timeoutMs: 120_000 });
    const text = redact(`${r.stdout}${r.stderr}`.trim(), this.secrets()).slice(-6000);
    if (r.code !== 0)
      throw new AppError({
        code: 'COMMAND_FAILED',
        message: `palette-agent uninstall --dry-run failed on ${d.label} (exit ${r.code}).`,
        fix: 'Read the output; nothing was changed.',
        detail: text,
      });
    const preview: UninstallPreview = {
      deviceId,
      version: installed.version ?? '',
      mode: installed.mode,
      dryRun: text,
      needsPaletteConfirmation: installed.mode === 'central',
    };
    this.previews.set(deviceId, { ...preview, at: Date.now() });
    return preview;
  }

  async run(deviceId: string, confirm: { paletteRecordWillBeDeleted?: boolean }): Promise<UninstallView> {
    const d = this.store.device(deviceId);
    const preview = this.previews.get(deviceId);
    if (!preview || Date.now() - preview.at > PREVIEW_VALID_MS)
      throw new AppError({
        code: 'PRECONDITION',
        message: `Read the dry run of ${d.label} first: the uninstall shows what it will remove before it removes it.`,
        fix: 'Press "Show what uninstall will do", read it, then uninstall.',
      });
    if (preview.needsPaletteConfirmation && !confirm.paletteRecordWillBeDeleted)
      throw new AppError({
        code: 'PRECONDITION',
        message: `${d.label} is centrally managed: its Edge Host record stays in Palette after the uninstall, and a reinstall is rejected as a duplicate until it is deleted (the identity comes from /etc/machine-id, which uninstall keeps).`,
        fix: `Confirm that the record will be deleted in Palette (Clusters → Edge Hosts → Delete). Source: ${UPGRADE_SOURCE.uninstall}`,
      });
    assertReadyForRun(d);
    this.devices.assertFree(deviceId);
    this.previews.delete(deviceId);
    const runId = newRunId();
    this.devices.claim(deviceId, runId, 'an agent uninstall');
    const journal = this.journals.open(runId);
    const view: UninstallView = { runId, deviceId, label: d.label, phase: 'dry-run', versionBefore: preview.version, log: [] };
    journal.append({ kind: 'run-started', data: { kind: 'uninstall', devices: [deviceId] } });
    const context = runContext('uninstall', this.store.get(), [deviceId], { devices: [], plan: [], catalogVersion: '' }, {});
    journal.append({
      kind: 'context',
      data: { ...context, uninstall: { mode: preview.mode, paletteRecordWillBeDeleted: !!confirm.paletteRecordWillBeDeleted } },
    });
    const r: DeviceRun<UninstallView['phase']> = {
      device: view,
      link: this.linkFor(deviceId),
      journal,
      changed: () => this.emit('uninstall.changed', structuredClone(view)),
      secrets: this.secrets,
    };
    const t = deviceTools<UninstallView['phase']>(r);
    const work: PhaseWork<UninstallPhase> = {
      'dry-run': async () => {
        // Again, in the journal: what was shown is what the report keeps.
        const out = t.must(await t.root(deviceScript('uninstall', 'dry-run')), 'palette-agent uninstall --dry-run', 'Nothing was changed.');
        return { dryRun: redact(out.stdout.trim(), this.secrets()).slice(-4000) };
      },
      uninstall: async () => {
        const out = t.must(
          await t.root(deviceScript('uninstall', 'run'), 600_000),
          'palette-agent uninstall',
          'Read the output: a failed task does not stop the ones after it, so run the uninstall again by hand to finish.',
        );
        return { output: redact(out.stdout.trim(), this.secrets()).slice(-4000) };
      },
      verify: async () => {
        const out = await t.root(deviceScript('uninstalled'));
        const part = sections(out.stdout);
        const checks = [
          {
            name: 'agent binary',
            ok: part('binary') === 'absent',
            detail: part('binary') === 'absent' ? 'palette-agent is gone.' : 'palette-agent is still there.',
          },
          {
            name: 'agent units',
            // The agent's own services must be stopped; the first-boot unit is only reported.
            ok: !/^spectro-stylus-\S+ (active|activating)$/m.test(part('units')),
            detail: part('units').split('\n').filter(Boolean).join('; ') || 'no unit answered',
          },
          {
            name: 'machine-id',
            ok: part('machine-id') === 'kept',
            detail:
              part('machine-id') === 'kept' ? '/etc/machine-id is kept (the host keeps its identity).' : '/etc/machine-id is missing.',
          },
        ];
        view.verify = checks;
        const failed = checks.filter((c) => !c.ok);
        if (failed.length)
          throw new AppError({
            code: 'COMMAND_FAILED',
            message: `The agent is not fully gone: ${failed.map((c) => c.detail).join(' ')}`,
            fix: 'Run palette-agent uninstall again on the device (or remove what is left by hand), then check again.',
          });
        return { verify: checks };
      },
    };
    try {
      const out = await runPhases(r, UNINSTALL_PHASES, work, { cancelled: () => false });
      view.phase = 'done';
      this.devices.noteAgent(deviceId, null);
      journal.append({
        kind: 'device-done',
        deviceId,
        data: { version: '', versionBefore: preview.version, verify: out.state.verify ?? [] },
      });
    } catch (err) {
      view.phase = 'failed';
      view.error = toErrorShape(err);
    } finally {
      this.devices.release(deviceId, runId);
    }
    journal.append({ kind: 'run-finished', data: { results: { [deviceId]: view.phase } } });
    r.changed();
    return structuredClone(view);
  }
}
