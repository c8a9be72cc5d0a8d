import { randomBytes } from 'node:crypto';
import { identityDifferences, wrongBoxMessage } from '../../../common/devices/identity';
import { AppError, toErrorShape } from '../../../common/errors';
import type { DeviceView } from '../../../common/model/device';
import { redact } from '../../../common/redact';
import { deviceLines, type StepSummary } from '../../../common/runs/journal';
import type { PhaseSpec } from '../../../common/runs/phases';
import { nextPhase } from '../../../common/runs/transition';
import type { ExecResult } from '../ssh/exec';
import type { DeviceScript } from './device-scripts';
import type { RunJournal } from './journal-file';
import type { DeviceLink } from './link';

/** One id scheme for every run: sortable by time, unique by a random tail. */
export function newRunId(): string {
  return `${new Date().toISOString().replace(/[:.]/g, '-')}-${randomBytes(3).toString('hex')}`;
}

/** The agent is installed as root: refuse before anything is sent when this login cannot become root. */
export function assertCanActAsRoot(d: DeviceView): void {
  if (d.privilege === 'root' || d.privilege === 'sudo-nopasswd' || d.privilege === 'sudo-password') return;
  throw new AppError({
    code: d.privilege === 'no-sudo' ? 'SUDO_NOT_ALLOWED' : 'SUDO_NEEDS_PASSWORD',
    message:
      d.privilege === 'no-sudo'
        ? `${d.label}: this login cannot use sudo, so it cannot install the agent.`
        : `${d.label}: sudo needs a password that was not given (or was not accepted).`,
    fix:
      d.privilege === 'no-sudo'
        ? 'Connect as root, or as a user allowed to use sudo.'
        : 'Type the sudo password on the Devices step and connect again.',
  });
}

/** The preconditions every run kind checks for each device before anything is sent. */
export function assertReadyForRun(d: DeviceView): void {
  if (d.state !== 'connected')
    throw new AppError({ code: 'NOT_CONNECTED', message: `${d.label} is not connected.`, fix: 'Connect it on the Devices step first.' });
  assertCanActAsRoot(d);
  // A wrong box is stopped before anything is written to it, whatever the run.
  const diffs = d.facts ? identityDifferences(d.intake, d.facts) : [];
  if (diffs.length)
    throw new AppError({
      code: 'PRECONDITION',
      message: wrongBoxMessage(d.label, diffs),
      fix: 'Nothing was written to it. Check the label on the box and the address you typed; if the list is wrong, correct it and import it again.',
    });
}

/** What a run keeps per device, for every run kind. */
export interface RunDevice<P extends string> {
  deviceId: string;
  phase: P;
  failedStep?: P;
  /** The device's own output, last lines, redacted. */
  log: string[];
}

export interface DeviceRun<P extends string> {
  device: RunDevice<P>;
  link: DeviceLink;
  journal: RunJournal;
  changed: () => void;
  secrets: () => (string | undefined)[];
}

/**
 * The per-device tools of every run: `root` (a device script as root: the link knows how to become it),
 * `must` (logs a command's output and turns a non-zero exit into a specific error), `log` (redacted,
 * journaled, shown), `step` (sets the phase and journals its start, end or failure with its duration).
 */
export function deviceTools<P extends string>(r: DeviceRun<P>) {
  const d = r.device;
  const log = (text: string) => {
    const lines = redact(text, r.secrets()).split('\n').filter(Boolean);
    if (!lines.length) return;
    d.log = [...d.log, ...lines].slice(-200);
    r.journal.append({ kind: 'output', deviceId: d.deviceId, step: d.phase, data: { lines } });
    r.changed();
  };
  const root = (s: DeviceScript, timeoutMs?: number): Promise<ExecResult> => r.link.script(s, { root: true, timeoutMs });
  const must = (res: ExecResult, what: string, fix: string): ExecResult => {
    log(res.stdout.replace(/^@@EAI-SECTION .*@@$/gm, '') + res.stderr);
    if (res.code !== 0)
      throw new AppError({
        code: 'COMMAND_FAILED',
        message: `${what} failed on the device (exit ${res.code}).`,
        fix,
        detail: redact(res.stderr || res.stdout, r.secrets()).slice(-4000),
      });
    return res;
  };
  const step = async <T extends StepSummary | void>(phase: P, fn: () => Promise<T>): Promise<T> => {
    d.phase = phase;
    r.changed();
    const started = Date.now();
    r.journal.append({ kind: 'step-started', deviceId: d.deviceId, step: phase });
    try {
      const out = await fn();
      r.journal.append({ kind: 'step-finished', deviceId: d.deviceId, step: phase, data: { ms: Date.now() - started, ...(out ?? {}) } });
      return out;
    } catch (err) {
      r.journal.append({
        kind: 'step-failed',
        deviceId: d.deviceId,
        step: phase,
        data: { ms: Date.now() - started, error: toErrorShape(err) },
      });
      d.failedStep = phase;
      throw err;
    }
  };
  return { log, root, must, step };
}

/** The tools that do not depend on a run kind's phases: what shared device work takes. */
export type Tools = Pick<ReturnType<typeof deviceTools<string>>, 'log' | 'root' | 'must'>;

/** A phase's work: gets what the finished phases left (from the journal) and returns its own summary. */
export type PhaseWork<P extends string> = Record<P, (state: StepSummary) => Promise<StepSummary | void>>;

/**
 * Runs a device through a phase table until it is done. Each next phase is what the pure transition
 * function reads from the journal, so a first run, a retry and a resume after a restart are this same loop.
 * A cancel stops before the next phase that is a safe point; a phase that ends the wizard's own life (a
 * reboot of "this machine") returns 'suspended' and the loop stops there.
 */
export async function runPhases<Q extends string, P extends Q>(
  r: DeviceRun<Q>,
  table: readonly PhaseSpec<P>[],
  work: PhaseWork<P>,
  o: { cancelled: () => boolean; suspended?: () => boolean },
): Promise<{ state: StepSummary; suspended: boolean }> {
  const { step } = deviceTools(r);
  for (;;) {
    const next = nextPhase(table, deviceLines(r.journal.lines, r.device.deviceId));
    if (next.kind === 'done') return { state: next.state, suspended: false };
    if (next.spec.safeCancel && o.cancelled()) {
      r.device.failedStep = next.phase;
      throw new AppError({ code: 'CANCELLED', message: 'Cancelled.', fix: 'Retry the device to continue.' });
    }
    await step(next.phase, () => work[next.phase](next.state));
    if (o.suspended?.()) return { state: next.state, suspended: true };
  }
}
