import { formatBytes } from '../format';
import { staticAddressOf } from '../site/issues';
import type { SiteConfig } from '../site/model';
import { stepsFor, type DeviceRunView, type RunView } from './model';
import { UPGRADE_APPLY_PHASES, UPGRADE_PREPARE_PHASES, UPGRADE_REINSTALL_PHASES } from '../runs/phases';
import type { UpgradeRunView } from '../upgrade/model';

/**
 * The fleet board: one row per device, readable at arm's length while a rack installs. Pure, from the run view:
 * each phase as a segment (done, current, failed, waiting), the upload speed, an ETA per device and for the run,
 * and what needs the technician.
 */
export type SegmentState = 'done' | 'current' | 'failed' | 'waiting';

export interface BoardRow {
  deviceId: string;
  segments: { phase: string; title: string; state: SegmentState }[];
  speed: string | null;
  etaSeconds: number | null;
  /** Needs the technician now: failed, or waiting for a first boot past most of its limit. */
  attention: boolean;
  done: boolean;
}

interface BoardDevice {
  deviceId: string;
  phase: string;
  failedStep?: string;
  progress?: { rateBytesPerSec: number; etaSeconds: number | null; compressed?: boolean };
}

function row(d: BoardDevice, steps: { phase: string; title: string }[]): BoardRow {
  const stopped = d.phase === 'failed' || d.phase === 'cancelled' || d.phase === 'rolled-back';
  const at = steps.findIndex((s) => s.phase === (stopped ? d.failedStep : d.phase));
  const finished = d.phase === 'done';
  const segments = steps.map((s, i) => ({
    phase: s.phase,
    title: s.title,
    state: (finished || i < at ? 'done' : i === at ? (stopped ? 'failed' : 'current') : 'waiting') as SegmentState,
  }));
  const uploading = d.phase === 'upload' && d.progress;
  return {
    deviceId: d.deviceId,
    segments,
    speed: uploading ? `${formatBytes(d.progress!.rateBytesPerSec)}/s${d.progress!.compressed ? ' (zstd)' : ''}` : null,
    etaSeconds: uploading ? d.progress!.etaSeconds : null,
    attention: stopped,
    done: finished,
  };
}

export function boardRows(run: RunView): BoardRow[] {
  const steps = stepsFor(run.method);
  return run.devices.map((d) => row(d, steps));
}

/** The upgrade's board: the prepare phases, then the apply phases of each device's own path. */
export function upgradeBoardRows(view: UpgradeRunView): BoardRow[] {
  return view.devices
    .filter((d) => d.phase !== 'skipped')
    .map((d) => row(d, [...UPGRADE_PREPARE_PHASES, ...(d.path === 'reinstall' ? UPGRADE_REINSTALL_PHASES : UPGRADE_APPLY_PHASES)]));
}

/** The whole run: devices upload in parallel, so it takes as long as the slowest one still uploading. */
export function runEta(rows: BoardRow[]): number | null {
  const etas = rows.filter((r) => !r.done && r.etaSeconds !== null).map((r) => r.etaSeconds!);
  return etas.length ? Math.max(...etas) : null;
}

/**
 * A device that does not come back after its reboot: what to look at on its console (device-contract §1, §4),
 * instead of only a timeout.
 */
export function consoleChecklist(d: DeviceRunView, site: SiteConfig, address: string): string[] | null {
  if (d.phase !== 'failed' || d.failedStep !== 'reconnect') return null;
  const moved = staticAddressOf(site, d.deviceId);
  return [
    'Is it powered and booted to a login prompt? A screen stuck in firmware or a boot menu never reaches the network.',
    'Log in on the console and run: systemctl status spectro-init — "activating" means the first-boot install still runs; wait.',
    'Read what the first boot did: journalctl -u spectro-init -b, and /var/log/stylus-upgrade.log.',
    `Check its address: ip -br addr${moved ? ` — the site gives it ${moved}; the wizard tried it and ${address}` : ` — the wizard tries ${address}`}.`,
    'Check that sshd runs (systemctl status ssh or sshd) and that the cable and switch port are live (ip -br link).',
    'Once it answers, press Retry: finished steps are not repeated.',
  ];
}
