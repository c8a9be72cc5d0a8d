import { INSTALL_PHASES, installPhases, type InstallRunPhase } from '../runs/phases';
import type { AppErrorShape } from '../errors';
import type { HostFacts } from '../model/host-facts';
import type { Plan } from '../plan/model';
import type { PlanIssue } from '../plan/rules';
import type { CheckResult } from '../requirements/evaluate';
import type { SiteConfig } from '../site/model';

export type InstallPhase = InstallRunPhase | 'queued' | 'done' | 'failed' | 'cancelled';

/**
 * The two documented ways to finish (device-contract §1): reboot and let spectro-init install on first
 * boot (the default), or run `palette-agent install` first and then reboot.
 */
export type InstallMethod = 'reboot' | 'install-first';

/** The steps the window lists: the phase table's names and titles (common/runs/phases.ts). */
export const INSTALL_STEPS: { phase: InstallPhase; title: string }[] = INSTALL_PHASES.map(({ phase, title }) => ({ phase, title }));

/** The steps a run goes through with this method. */
export function stepsFor(method: InstallMethod = 'reboot'): { phase: InstallPhase; title: string }[] {
  return installPhases(method).map(({ phase, title }) => ({ phase, title }));
}

export interface VerifyCheck {
  name: string;
  ok: boolean;
  detail: string;
  /** false: reported only (Local UI can take minutes to listen); `ok` still says whether it is met. */
  required?: false;
}

/** The checks that fail the verification: not met, and required (Local UI, say, is only reported). */
export function verifyFailures(checks: VerifyCheck[]): VerifyCheck[] {
  return checks.filter((c) => !c.ok && c.required !== false);
}

export interface DeviceRunView {
  deviceId: string;
  phase: InstallPhase;
  /** The step that failed, when phase is failed. */
  failedStep?: InstallPhase;
  /** Upload progress in bundle bytes; `compressed` when the bytes go as zstd frames (the rate is then more than the link's). */
  progress?: { bytes: number; total: number; rateBytesPerSec: number; etaSeconds: number | null; compressed?: boolean };
  agentVersion?: string;
  verify?: VerifyCheck[];
  error?: AppErrorShape;
  startedAt?: string;
  finishedAt?: string;
  /** The device's own output, last lines, redacted. */
  log: string[];
  /** While the first-boot step runs on the device: what it is doing, its log's tail, and how long the wizard waits. */
  firstBoot?: FirstBootView;
  /** Local management: where Local UI answers, with which certificate, and who can sign in. */
  localUi?: LocalUiHandoff;
}

/** The Local UI hand-off of one host (librarium clusters/edge/local-ui/host-management/access-console). */
export interface LocalUiHandoff {
  url: string;
  answered: boolean;
  /** SHA-256 fingerprint of the certificate Local UI presents (self-signed: the technician compares it). */
  fingerprint: string | null;
  subject: string | null;
  /** OS users with a password: Local UI accepts any of them. */
  users: string[];
  /** How long the wizard waited, and (when nothing answered) the agent's last journal lines. */
  waitedSec: number;
  limitSec: number;
  journal?: string[];
}

export interface FirstBootView {
  detail: string;
  tail: string[];
  /** ISO time: the wizard waits until then (the technician can extend it). */
  waitUntil: string;
}

export interface RunView {
  runId: string;
  method?: InstallMethod;
  startedAt: string;
  bundle: { fileName: string; sha256: string; size: number; arch: string };
  devices: DeviceRunView[];
  finished: boolean;
}

/** The balenaEtcher idea: the status line is a pure function of the phase and progress. */
export function statusLine(d: DeviceRunView): string {
  switch (d.phase) {
    case 'upload': {
      if (!d.progress) return 'Uploading…';
      const pct = Math.floor((d.progress.bytes / Math.max(1, d.progress.total)) * 100);
      const rate = d.progress.rateBytesPerSec / 2 ** 20;
      const eta = d.progress.etaSeconds === null ? '' : `, ${formatEta(d.progress.etaSeconds)} left`;
      return `Uploading ${pct}% at ${rate.toFixed(1)} MiB/s${eta}`;
    }
    case 'queued':
      return 'Waiting for its turn';
    case 'done':
      return `Installed${d.agentVersion ? ` agent ${d.agentVersion}` : ''} and verified`;
    case 'failed':
      return `Failed at: ${INSTALL_STEPS.find((s) => s.phase === d.failedStep)?.title ?? d.failedStep}`;
    case 'cancelled':
      return 'Cancelled at a safe point';
    case 'first-boot':
      return d.firstBoot ? d.firstBoot.detail.charAt(0).toUpperCase() + d.firstBoot.detail.slice(1) : 'Waiting for the first-boot install';
    default:
      return INSTALL_STEPS.find((s) => s.phase === d.phase)?.title ?? d.phase;
  }
}

export function formatEta(seconds: number): string {
  if (seconds < 60) return `${Math.ceil(seconds)} s`;
  return `${Math.floor(seconds / 60)} min ${Math.ceil(seconds % 60)} s`;
}

/**
 * What the run was started against, journaled once at its start (kind 'context') so that the report of a
 * past run needs nothing but its journal. Never holds a secret: the site has none, only whether each was set.
 */
export interface RunContext {
  kind: 'install' | 'upgrade' | 'uninstall';
  siteName: string;
  technician: string;
  plan: Plan;
  site: SiteConfig;
  secretsSet: Record<string, boolean>;
  planIssues: PlanIssue[];
  devices: {
    id: string;
    label: string;
    address: string;
    hostKey: string | null;
    facts: HostFacts | null;
    checks: CheckResult[];
    versionBefore: string | null;
  }[];
}
