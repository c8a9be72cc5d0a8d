/**
 * Each run kind is a list of phases declared as data: what the window calls it, whether the connection is
 * expected to drop during it, whether a cancel may stop the run before it, and what a resume does when the
 * journal shows it started but never ended. The engine (main/services/runs/engine.ts) only follows these.
 */
export interface PhaseSpec<P extends string = string> {
  phase: P;
  title: string;
  /** The session drops on purpose here (the reboot): a dropped connection is the expected outcome. */
  expectsDisconnect?: boolean;
  /** A cancel stops the run before this phase. False where stopping would leave the device half-done. */
  safeCancel: boolean;
  /**
   * Started but not ended in the journal (the app stopped): 'rerun' runs it again (it is idempotent);
   * 'after-reboot-mark' counts it as done once it recorded its reboot marker (the reconnect then tells the
   * rebooted system from the one going down), and runs it again otherwise.
   */
  onInterrupted: 'rerun' | 'after-reboot-mark';
}

export type InstallRunPhase =
  'upload' | 'stage' | 'apply' | 'userdata' | 'agent-install' | 'reboot' | 'reconnect' | 'first-boot' | 'verify' | 'local-ui' | 'cleanup';
export type ClusterVerifyPhase = 'detect' | 'wait-version';
export type UninstallPhase = 'dry-run' | 'uninstall' | 'verify';
export type UpgradePreparePhase = 'detect' | 'upload' | 'stage' | 'dry-run';
export type UpgradeApplyPhase = 'backup' | 'apply' | 'reboot' | 'reconnect' | 'first-boot' | 'verify';
export type UpgradeReinstallPhase =
  'backup' | 'uninstall' | 'apply' | 'userdata' | 'agent-install' | 'reboot' | 'reconnect' | 'first-boot' | 'verify';

const upload = { phase: 'upload', title: 'Upload the bundle', safeCancel: true, onInterrupted: 'rerun' } as const;
const reboot = {
  phase: 'reboot',
  title: 'Reboot (the session drops: expected)',
  expectsDisconnect: true,
  safeCancel: true,
  onInterrupted: 'after-reboot-mark',
} as const;
const reconnect = { phase: 'reconnect', title: 'Reconnect (same host key)', safeCancel: true, onInterrupted: 'rerun' } as const;
/** sshd answers while the first-boot step still installs: wait for it, never re-apply or reboot meanwhile. */
const firstBoot = {
  phase: 'first-boot',
  title: 'Wait for the first-boot install on the device',
  safeCancel: true,
  onInterrupted: 'rerun',
} as const;

export const INSTALL_PHASES: readonly PhaseSpec<InstallRunPhase>[] = [
  upload,
  { phase: 'stage', title: 'Stage and read the agent version', safeCancel: true, onInterrupted: 'rerun' },
  { phase: 'apply', title: 'Put the agent in place under /', safeCancel: true, onInterrupted: 'rerun' },
  // From the apply to the user-data there is no safe point: an agent without user-data would boot unconfigured.
  { phase: 'userdata', title: 'Write the user-data', safeCancel: false, onInterrupted: 'rerun' },
  { phase: 'agent-install', title: 'Run palette-agent install', safeCancel: false, onInterrupted: 'rerun' },
  reboot,
  reconnect,
  firstBoot,
  { phase: 'verify', title: 'Verify the agent', safeCancel: true, onInterrupted: 'rerun' },
  // Local management: the hand-off is Local UI, so wait until it answers TLS (within a limit) and keep its fingerprint.
  { phase: 'local-ui', title: 'Wait for Local UI to answer (TLS)', safeCancel: true, onInterrupted: 'rerun' },
  // The staged copies hold a second agent image: removed once the agent verified, and the space reported.
  { phase: 'cleanup', title: 'Remove the staged bundle', safeCancel: true, onInterrupted: 'rerun' },
];

/** The two documented ways to finish (device-contract §1): let the first boot install, or install first. */
export function installPhases(method: 'reboot' | 'install-first' = 'reboot'): readonly PhaseSpec<InstallRunPhase>[] {
  return INSTALL_PHASES.filter((p) => p.phase !== 'agent-install' || method === 'install-first');
}

export const UPGRADE_PREPARE_PHASES: readonly PhaseSpec<UpgradePreparePhase>[] = [
  { phase: 'detect', title: 'Read the installed agent', safeCancel: true, onInterrupted: 'rerun' },
  upload,
  { phase: 'stage', title: 'Stage and read the new version', safeCancel: true, onInterrupted: 'rerun' },
  // Only on the documented reinstall path: what `palette-agent uninstall --dry-run` says it would do, for the plan.
  { phase: 'dry-run', title: 'Read what uninstall would do (dry run)', safeCancel: true, onInterrupted: 'rerun' },
];

export const UPGRADE_APPLY_PHASES: readonly PhaseSpec<UpgradeApplyPhase>[] = [
  { phase: 'backup', title: 'Back up the current agent and user-data', safeCancel: true, onInterrupted: 'rerun' },
  { phase: 'apply', title: 'Put the new agent in place', safeCancel: false, onInterrupted: 'rerun' },
  reboot,
  reconnect,
  firstBoot,
  { phase: 'verify', title: 'Verify the new version', safeCancel: true, onInterrupted: 'rerun' },
];

/**
 * The documented reinstall (librarium install-agent-host, "Uninstall" then "Reinstall Palette Agent", local
 * management): uninstall, re-extract, keep /var/lib/spectro/userdata, run the staged agent's install, reboot.
 * The backup first, so that a failure can still be rolled back.
 */
export const UPGRADE_REINSTALL_PHASES: readonly PhaseSpec<UpgradeReinstallPhase>[] = [
  { phase: 'backup', title: 'Back up the current agent and user-data', safeCancel: true, onInterrupted: 'rerun' },
  { phase: 'uninstall', title: 'palette-agent uninstall', safeCancel: false, onInterrupted: 'rerun' },
  { phase: 'apply', title: 'Extract the new agent', safeCancel: false, onInterrupted: 'rerun' },
  { phase: 'userdata', title: 'Keep the same user-data', safeCancel: false, onInterrupted: 'rerun' },
  { phase: 'agent-install', title: 'Run palette-agent install', safeCancel: false, onInterrupted: 'rerun' },
  reboot,
  reconnect,
  firstBoot,
  { phase: 'verify', title: 'Verify the new version', safeCancel: true, onInterrupted: 'rerun' },
];

/** Uninstall (librarium install-agent-host, "Uninstall Palette Agent"): the dry run again, the uninstall, the check. */
export const UNINSTALL_PHASES: readonly PhaseSpec<UninstallPhase>[] = [
  { phase: 'dry-run', title: 'Read what uninstall will do (dry run)', safeCancel: true, onInterrupted: 'rerun' },
  { phase: 'uninstall', title: 'palette-agent uninstall', safeCancel: false, onInterrupted: 'rerun' },
  { phase: 'verify', title: 'Check that the agent is gone', safeCancel: true, onInterrupted: 'rerun' },
];

/**
 * A locally managed cluster upgraded through Local UI (content bundle and cluster definition): the wizard
 * changes nothing, it reads each host's agent version before, then until it shows the target (or a limit).
 */
export const CLUSTER_VERIFY_PHASES: readonly PhaseSpec<ClusterVerifyPhase>[] = [
  { phase: 'detect', title: 'Read the installed agent', safeCancel: true, onInterrupted: 'rerun' },
  { phase: 'wait-version', title: 'Wait until the host runs the target version', safeCancel: true, onInterrupted: 'rerun' },
];
