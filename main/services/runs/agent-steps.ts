import { DEVICE_PATHS, AGENT_IN_BUNDLE } from '../../../common/device/paths';
import { AppError } from '../../../common/errors';
import type { VerifyCheck } from '../../../common/install/model';
import { parseAgentVersion } from '../../../common/parsers/agent-version';
import type { BundleInfo } from '../bundle/verify-bundle';
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
  for (;;) {
    let checks: VerifyCheck[];
    try {
      checks = await verifyOnce(link, expected);
    } catch (err) {
      if (!(err instanceof AppError) || err.code !== 'NOT_CONNECTED' || Date.now() > until) throw err;
      await link.waitUntilBack({
        deadlineMs: Math.max(5_000, until - Date.now()),
        afterReboot: false,
        onAttempt: () => undefined,
        signal: expected.signal,
      });
      continue;
    }
    if (checks.every((c) => c.ok) || Date.now() >= until) return checks;
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
export function rebootDevice(link: DeviceLink, t: Tools, journal: { marked: () => void }): Promise<'dropped' | 'suspended'> {
  t.log('Rebooting: the session drops on purpose.');
  return link.reboot(journal);
}
