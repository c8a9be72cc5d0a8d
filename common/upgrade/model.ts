import { CLUSTER_VERIFY_PHASES, UPGRADE_APPLY_PHASES, UPGRADE_PREPARE_PHASES, UPGRADE_REINSTALL_PHASES } from '../runs/phases';
import type { UpgradePath } from './paths';
import type { AppErrorShape } from '../errors';
import type { VerifyCheck } from '../install/model';
import type { InstalledAgent, UpgradeConfirmations, UpgradePlan } from './rules';

export type UpgradePhase =
  | 'queued'
  | 'detect'
  | 'upload'
  | 'stage'
  | 'ready' // staged, waiting for the plan to be confirmed
  | 'dry-run'
  | 'wait-version'
  | 'backup'
  | 'uninstall'
  | 'userdata'
  | 'agent-install'
  | 'apply'
  | 'reboot'
  | 'reconnect'
  | 'first-boot'
  | 'verify'
  | 'rollback'
  | 'done'
  | 'rolled-back'
  | 'failed'
  | 'skipped';

/** The steps the window lists: the prepare and apply phase tables' names and titles (common/runs/phases.ts). */
export const UPGRADE_STEPS: { phase: UpgradePhase; title: string }[] = [
  ...UPGRADE_PREPARE_PHASES,
  ...UPGRADE_APPLY_PHASES,
  ...UPGRADE_REINSTALL_PHASES.filter((p) => !UPGRADE_APPLY_PHASES.some((a) => a.phase === p.phase)),
  ...CLUSTER_VERIFY_PHASES.filter((p) => p.phase === 'wait-version'),
].map(({ phase, title }) => ({ phase, title }));

export interface UpgradeDeviceView {
  deviceId: string;
  label: string;
  leader: boolean;
  phase: UpgradePhase;
  installed: InstalledAgent | null;
  /** The documented (or not) path this device takes, once its agent was read. */
  path?: UpgradePath;
  /** What `palette-agent uninstall --dry-run` printed (reinstall path), redacted. */
  dryRun?: string;
  progress?: { bytes: number; total: number; rateBytesPerSec: number; etaSeconds: number | null };
  stagedVersion?: string;
  stagedFips?: boolean | null;
  versionAfter?: string;
  verify?: VerifyCheck[];
  /** What the rollback did, when there was one. */
  rollback?: { ok: boolean; detail: string; verify?: VerifyCheck[] };
  failedStep?: UpgradePhase;
  error?: AppErrorShape;
  log: string[];
}

export interface UpgradeRunView {
  runId: string;
  startedAt: string;
  bundle: { fileName: string; sha256: string; size: number; arch: string };
  /** preparing: detect, upload and stage on every device; review: the plan waits for the technician. */
  stage: 'preparing' | 'review' | 'running' | 'finished';
  target: { version: string; fips: boolean; build: string | null } | null;
  plan?: UpgradePlan;
  confirm?: UpgradeConfirmations;
  devices: UpgradeDeviceView[];
}

export function upgradeStatusLine(d: UpgradeDeviceView): string {
  switch (d.phase) {
    case 'queued':
      return 'Waiting for its turn';
    case 'ready':
      return `Staged ${d.stagedVersion ?? ''}: waiting for the plan`;
    case 'done':
      return `Upgraded ${d.installed?.version ?? '?'} → ${d.versionAfter} and verified`;
    case 'rolled-back':
      return `Rolled back to ${d.installed?.version ?? '?'}${d.rollback?.ok ? ' (verified)' : ' (NOT verified: see below)'}`;
    case 'skipped':
      return 'Not upgraded';
    case 'failed':
      return `Failed at: ${UPGRADE_STEPS.find((s) => s.phase === d.failedStep)?.title ?? d.failedStep}`;
    case 'upload':
      return d.progress ? `Uploading ${Math.floor((d.progress.bytes / Math.max(1, d.progress.total)) * 100)}%` : 'Uploading…';
    default:
      return UPGRADE_STEPS.find((s) => s.phase === d.phase)?.title ?? (d.phase === 'rollback' ? 'Rolling back to the backup' : d.phase);
  }
}

/** A cluster upgraded in Local UI, verified by the wizard: each host's version before and now. */
export interface ClusterVerifyView {
  runId: string;
  target: string;
  limitSec: number;
  finished: boolean;
  devices: {
    deviceId: string;
    label: string;
    phase: 'queued' | 'detect' | 'wait-version' | 'done' | 'failed';
    failedStep?: 'detect' | 'wait-version';
    before: string | null;
    now: string | null;
    error?: AppErrorShape;
    log: string[];
  }[];
}
