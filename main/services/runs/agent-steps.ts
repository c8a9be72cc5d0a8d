import { DEVICE_PATHS, AGENT_IN_BUNDLE } from '../../../common/device/paths';
import { AppError } from '../../../common/errors';
import { verifyFailures, type FirstBootView, type LocalUiHandoff, type VerifyCheck } from '../../../common/install/model';
import type { RunJournal } from './journal-file';
import { duration, firstBootVerdict, parseUnitShow } from '../../../common/runs/first-boot';
import { parseAgentVersion } from '../../../common/parsers/agent-version';
import type { BundleInfo } from '../bundle/verify-bundle';
import { parseFindListing, stagedDifferences } from '../bundle/staged-listing';
import type { UploadProgress, UploadResult } from '../bundle/upload';
import { assertComplete, deviceScript, sections } from './device-scripts';
import type { Tools } from './engine';
import type { DeviceLink } from './link';

/** The device work that install and upgrade share, each a function of a link and the step tools. */

/** Upload into the staging folder (resumable; skipped when the same file is already there). */
export async function uploadToStaging(
  link: DeviceLink,
  t: Tools,
  bundle: BundleInfo,
  signal: AbortSignal,
  onProgress: (p: UploadProgress) => void,
): Promise<UploadResult> {
  t.must(
    await t.root(deviceScript('prepareStaging', DEVICE_PATHS.staging, link.loginUser())),
    'Creating the staging folder',
    'Check that /var/lib is writable.',
  );
  return link.upload({
    localPath: bundle.path,
    size: bundle.size,
    sha256: bundle.sha256,
    remoteDir: DEVICE_PATHS.staging,
    remoteName: bundle.fileName,
    signal,
    onProgress,
    // How the bytes go and why (compressed or not), in the device's output where the technician reads it.
    onNote: (text) => t.log(`Upload: ${text}`),
  });
}

export interface Staged {
  version: string;
  fips: boolean | null;
  build: string | null;
  /** The version of an agent already set up on the device; null when none is. */
  installedSetUp: string | null;
}

/**
 * Copies the upload into root's own staging folder, checks its sha256 there, unpacks it (space checked
 * first) and asks the staged agent its version; in the same round trip, the version already set up.
 */
export async function stageBundle(t: Tools, bundle: BundleInfo): Promise<Staged> {
  const r = await t.root(
    deviceScript('stage', `${DEVICE_PATHS.staging}/${bundle.fileName}`, bundle.sha256, DEVICE_PATHS.stage, AGENT_IN_BUNDLE),
  );
  if (r.code === 4) {
    throw new AppError({
      code: 'NOT_FOUND',
      message: 'The uploaded bundle is not on the device any more.',
      fix: 'Retry: it is uploaded again.',
      data: { uploadMissing: true },
    });
  }
  if (r.code === 28) {
    throw new AppError({
      code: 'COMMAND_FAILED',
      message: `The staging filesystem is too small to unpack the bundle: ${r.stderr.trim()}.`,
      fix: 'Free space under /var/lib on the device, then retry. Nothing was applied.',
    });
  }
  t.must(r, 'Unpacking the bundle in staging', 'Check free space under /var/lib on the device, then retry. Nothing was applied.');
  assertComplete(r.stdout, 'Staging the bundle');
  const part = sections(r.stdout);
  // GNU tar on the device must have unpacked exactly what the check verified, or nothing is applied.
  const differences = stagedDifferences(bundle.listing, parseFindListing(part('listing')));
  if (differences.length)
    throw new AppError({
      code: 'PRECONDITION',
      message: `GNU tar on the device unpacked something other than the verified bundle: ${differences.slice(0, 5).join('; ')}${differences.length > 5 ? ` (and ${differences.length - 5} more)` : ''}.`,
      fix: 'Nothing was applied. Use the agent-mode tar exactly as published, and check how it was carried to site.',
    });
  const v = parseAgentVersion(part('staged'));
  if (!v.version)
    throw new AppError({
      code: 'COMMAND_FAILED',
      message: 'The staged agent did not say its version.',
      fix: 'Check that the bundle matches the device architecture.',
      detail: r.stdout,
    });
  return { version: v.version, fips: v.fips, build: v.build, installedSetUp: parseAgentVersion(part('installed')).version };
}

/**
 * setup_done, the version the device reports, the agent's units, and Local UI's port in local mode. The
 * agent settles for a while after its first boot (units activating): checks are repeated until they pass
 * or `settleMs` has gone by; a dropped connection is reconnected (within the same limit) and they run again.
 */
export async function verifyAgent(
  link: DeviceLink,
  expected: { version: string; mode: string; localUiPort: number; settleMs?: number; signal?: AbortSignal },
): Promise<VerifyCheck[]> {
  const until = Date.now() + (expected.settleMs ?? 90_000);
  let reconnected = false;
  for (;;) {
    let checks: VerifyCheck[];
    try {
      checks = await verifyOnce(link, expected);
    } catch (err) {
      // A drop gets one reconnect whatever the time; more only while the limit lasts.
      if (!(err instanceof AppError) || err.code !== 'NOT_CONNECTED' || (reconnected && Date.now() > until)) throw err;
      reconnected = true;
      await link.waitUntilBack({
        deadlineMs: Math.max(5_000, until - Date.now()),
        afterReboot: false,
        onAttempt: () => undefined,
        signal: expected.signal,
      });
      continue;
    }
    if (verifyFailures(checks).length === 0 || Date.now() >= until) return checks;
    await new Promise((r) => setTimeout(r, 3000));
  }
}

async function verifyOnce(link: DeviceLink, expected: { version: string; mode: string; localUiPort: number }): Promise<VerifyCheck[]> {
  const r = await link.script(deviceScript('verify', expected.localUiPort), { root: false, timeoutMs: 60_000 });
  const part = sections(r.stdout);
  const installed = parseAgentVersion(part('version')).version;
  const units = part('units').split('\n');
  const checks: VerifyCheck[] = [
    {
      name: 'setup_done',
      ok: part('setup') === 'yes',
      detail:
        part('setup') === 'yes' ? 'The first-boot install finished.' : 'setup_done is missing: the first-boot install did not finish.',
    },
    {
      name: 'version',
      ok: installed === expected.version,
      detail: `Installed agent: ${installed ?? 'none'}; expected: ${expected.version}.`,
    },
    {
      name: 'units',
      ok: units.length === 2 && units.every((u) => u === 'active'),
      detail: `spectro-stylus-agent: ${units[0] ?? '?'}, spectro-stylus-operator: ${units[1] ?? '?'}.`,
    },
  ];
  if (expected.mode === 'local') {
    // Reported, not required: Local UI can take minutes after the first boot to listen.
    const listening = Number(part('localui')) > 0;
    checks.push({
      name: 'local-ui',
      ok: true,
      detail: listening
        ? `Local UI answers on port ${expected.localUiPort}.`
        : `Local UI does not listen on port ${expected.localUiPort} yet (it can take a few minutes after the first boot).`,
    });
  }
  return checks;
}

/** Reboots through the link and records the marker: from then on a resume asks the device which system answers. */
export function rebootDevice(link: DeviceLink, t: Tools, journal: RunJournal, deviceId: string): Promise<'dropped' | 'suspended'> {
  t.log('Rebooting: the session drops on purpose.');
  return link.reboot({ marked: () => journal.append({ kind: 'output', deviceId, step: 'reboot', data: { rebootMarker: true } }) });
}

export interface FirstBootWaitOptions {
  /** The wizard waits until then (ms since the epoch); read on every poll, so the technician can extend it. */
  until: () => number;
  /** No change at all (state, restarts, log) for this long is a stalled step. */
  stallMs: number;
  onStatus: (v: FirstBootView) => void;
  /** The device's log can hold a secret (set -x traces the environment it sources): shown and kept only redacted. */
  redact: (text: string) => string;
  signal?: AbortSignal;
  pollMs?: number;
}

/**
 * After the reboot sshd answers while spectro-init still installs (a simple unit): tell "still installing"
 * from "failed" by the unit's state, its restarts and its log, and wait as long as it runs and moves, up to a
 * limit the technician sees and can extend. Nothing is re-applied or rebooted meanwhile.
 */
export async function waitForFirstBoot(link: DeviceLink, o: FirstBootWaitOptions): Promise<{ firstBootWaitSec: number }> {
  const started = Date.now();
  let lastKey = '';
  let lastChange = Date.now();
  for (;;) {
    if (o.signal?.aborted)
      throw new AppError({
        code: 'CANCELLED',
        message: 'Cancelled while the first-boot step ran.',
        fix: 'Retry the device to wait for it again; nothing is re-applied.',
      });
    let stdout: string;
    try {
      stdout = (await link.script(deviceScript('firstBoot'), { root: false, timeoutMs: 60_000 })).stdout;
    } catch (err) {
      if (!(err instanceof AppError) || err.code !== 'NOT_CONNECTED' || Date.now() > o.until()) throw err;
      await link.waitUntilBack({
        deadlineMs: Math.max(5_000, o.until() - Date.now()),
        afterReboot: false,
        onAttempt: () => undefined,
        signal: o.signal,
      });
      continue;
    }
    const part = sections(stdout);
    const uptime = Number.parseFloat(part('uptime'));
    const status = {
      sentinel: part('sentinel') === 'yes',
      unit: parseUnitShow(part('unit'), Number.isFinite(uptime) ? uptime : null),
      tail: o.redact(part('log')).split('\n').filter(Boolean).slice(-20),
    };
    const verdict = firstBootVerdict(status);
    if (verdict.kind === 'done') return { firstBootWaitSec: Math.round((Date.now() - started) / 1000) };
    if (verdict.kind === 'failed') {
      throw new AppError({
        code: 'COMMAND_FAILED',
        message: `${verdict.detail}${verdict.line ? ` Its last error: "${verdict.line}"` : ''}`,
        fix: 'Read the first-boot log below (on the device: journalctl -u spectro-init), fix the cause, then Retry: the wizard waits for the step again; it does not re-apply or reboot.',
        detail: status.tail.join('\n'),
      });
    }
    const key = JSON.stringify([status.unit?.active, status.unit?.sub, status.unit?.restarts, status.tail.at(-1), status.tail.length]);
    if (key !== lastKey) {
      lastKey = key;
      lastChange = Date.now();
    }
    o.onStatus({ detail: verdict.detail, tail: status.tail, waitUntil: new Date(o.until()).toISOString() });
    if (Date.now() > o.until()) {
      throw new AppError({
        code: 'TIMED_OUT',
        message: `The first-boot step is still ${verdict.detail.replace(/^installing on the device /, '')} after ${duration(Math.round((Date.now() - started) / 1000))} of waiting.`,
        fix: 'Retry to wait longer (nothing is re-applied), or read its log on the console: journalctl -u spectro-init.',
        detail: status.tail.join('\n'),
      });
    }
    if (Date.now() - lastChange > o.stallMs) {
      throw new AppError({
        code: 'TIMED_OUT',
        message: `The first-boot step made no progress for ${duration(Math.round(o.stallMs / 1000))} (its state and log did not change).`,
        fix: 'Check the device console (journalctl -u spectro-init, free space, the network), then Retry to wait again.',
        detail: status.tail.join('\n'),
      });
    }
    await new Promise((r) => setTimeout(r, o.pollMs ?? 3000));
  }
}

/** One look at Local UI from the device: the certificate it presents, the OS users with a password, the journal. */
export function parseLocalUi(stdout: string): { fingerprint: string | null; subject: string | null; users: string[]; journal: string[] } {
  const part = sections(stdout);
  const tls = part('tls');
  return {
    fingerprint: /Fingerprint=([0-9A-F:]+)/i.exec(tls)?.[1] ?? null,
    subject: /^subject=\s*(.+)$/m.exec(tls)?.[1]?.trim() ?? null,
    users: part('users')
      .split('\n')
      .map((u) => u.trim())
      .filter(Boolean),
    journal: part('journal').split('\n').filter(Boolean).slice(-20),
  };
}

/**
 * Local management hands the host over through Local UI: wait until it answers TLS on its port (it can take a
 * few minutes after the first boot), up to `limitMs`, and keep its certificate's fingerprint for the report. A
 * host where nothing answers is not a failed install (the agent verified): it is reported with the journal.
 */
export async function waitForLocalUi(
  link: DeviceLink,
  o: { host: string; port: number; limitMs: number; pollMs?: number; signal?: AbortSignal; onWait?: (sec: number) => void },
): Promise<LocalUiHandoff> {
  const started = Date.now();
  const url = `https://${o.host.includes(':') ? `[${o.host}]` : o.host}:${o.port}`;
  for (;;) {
    const r = await link.script(deviceScript('localUi', o.port), { root: true, timeoutMs: 60_000 });
    const seen = parseLocalUi(r.stdout);
    const waitedSec = Math.round((Date.now() - started) / 1000);
    const base = { url, users: seen.users, waitedSec, limitSec: Math.round(o.limitMs / 1000) };
    if (seen.fingerprint) return { ...base, answered: true, fingerprint: seen.fingerprint, subject: seen.subject };
    if (Date.now() - started >= o.limitMs || o.signal?.aborted)
      return { ...base, answered: false, fingerprint: null, subject: null, journal: seen.journal };
    o.onWait?.(waitedSec);
    await new Promise((res) => setTimeout(res, o.pollMs ?? 5_000));
  }
}
