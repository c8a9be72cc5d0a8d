import { AppError, toErrorShape } from '../../../common/errors';
import { redact } from '../../../common/redact';
import type { DeviceService } from '../devices';
import type { ExecResult } from '../ssh/exec';
import type { RunJournal } from './journal';

/** What a run keeps per device, for install and upgrade alike. */
export interface RunDevice<P extends string> {
  deviceId: string;
  phase: P;
  failedStep?: P;
  /** The device's own output, last lines, redacted. */
  log: string[];
}

/**
 * The per-device tools both runs use: `sudo` (as root directly, or through sudo with the remembered
 * password), `step` (sets the phase, journals start, end or failure with its duration), `must` (logs a
 * command's output and turns a non-zero exit into a specific error), `log` (redacted, journaled, shown).
 */
export function stepTools<P extends string>(o: {
  devices: DeviceService;
  journal: RunJournal;
  device: RunDevice<P>;
  asRoot: () => boolean;
  changed: () => void;
  secrets: () => (string | undefined)[];
  /** Runs before each step: where a run stops when cancelled. */
  beforeStep?: (phase: P) => void;
}) {
  const d = o.device;
  const log = (text: string) => {
    const lines = redact(text, o.secrets()).split('\n').filter(Boolean);
    if (!lines.length) return;
    d.log = [...d.log, ...lines].slice(-200);
    o.journal.append({ kind: 'output', deviceId: d.deviceId, step: d.phase, data: { lines } });
    o.changed();
  };
  const sudo = (cmd: string, timeoutMs = 600_000): Promise<ExecResult> => o.devices.session(d.deviceId).sudo(cmd, { asRoot: o.asRoot(), timeoutMs });
  const must = (r: { code: number | null; stdout: string; stderr: string }, what: string, fix: string) => {
    log(r.stdout + r.stderr);
    if (r.code !== 0) throw new AppError({ code: 'COMMAND_FAILED', message: `${what} failed on the device (exit ${r.code}).`, fix, detail: redact(r.stderr || r.stdout, o.secrets()).slice(-4000) });
  };
  const step = async <T>(phase: P, fn: () => Promise<T>, summary?: (out: T) => Record<string, unknown>): Promise<T> => {
    o.beforeStep?.(phase);
    d.phase = phase;
    o.changed();
    const started = Date.now();
    o.journal.append({ kind: 'step-started', deviceId: d.deviceId, step: phase });
    try {
      const out = await fn();
      o.journal.append({ kind: 'step-finished', deviceId: d.deviceId, step: phase, data: { ms: Date.now() - started, ...summary?.(out) } });
      return out;
    } catch (err) {
      o.journal.append({ kind: 'step-failed', deviceId: d.deviceId, step: phase, data: { ms: Date.now() - started, error: toErrorShape(err) } });
      d.failedStep = phase;
      throw err;
    }
  };
  return { sudo, must, step, log };
}
