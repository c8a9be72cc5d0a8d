import { AppError } from '../../../common/errors';
import type { VerifyCheck } from '../../../common/install/model';
import type { DeviceView } from '../../../common/model/device';
import { parseAgentVersion } from '../../../common/parsers/agent-version';
import type { DeviceService } from '../devices';
import { shQuote } from '../../../common/shell/quote';
import type { BundleInfo } from '../bundle/verify-bundle';
import { uploadBundle, type UploadProgress } from '../bundle/upload';

export const STAGING = '/var/lib/eai-staging';
export const AGENT_IN_BUNDLE = 'var/lib/spectro/stylus/opt/spectrocloud/bin/palette-agent';

type Sudo = (cmd: string, timeoutMs?: number) => Promise<{ code: number | null; stdout: string; stderr: string }>;
/** Logs a command's output and throws a specific error when it failed. */
type Must = (r: { code: number | null; stdout: string; stderr: string }, what: string, fix: string) => void;

/**
 * The steps install and upgrade share once the files are in place: reboot (the dropped session is the
 * expected outcome), reconnect with the same pinned key, and verify the agent the device reports.
 */

/** The agent is installed as root: refuse before anything is sent when this login cannot become root. */
export function assertCanActAsRoot(d: DeviceView): void {
  if (d.privilege === 'root' || d.privilege === 'sudo-nopasswd' || d.privilege === 'sudo-password') return;
  throw new AppError({
    code: d.privilege === 'no-sudo' ? 'SUDO_NOT_ALLOWED' : 'SUDO_NEEDS_PASSWORD',
    message: d.privilege === 'no-sudo' ? `${d.label}: this login cannot use sudo, so it cannot install the agent.` : `${d.label}: sudo needs a password that was not given (or was not accepted).`,
    fix: d.privilege === 'no-sudo' ? 'Connect as root, or as a user allowed to use sudo.' : 'Type the sudo password on the Devices step and connect again.',
  });
}

/** Upload into the staging folder (resumable; skipped when the same file is already there). */
export async function uploadToStaging(o: { devices: DeviceService; deviceId: string; loginUser: string; bundle: BundleInfo; sudo: Sudo; must: Must; signal: AbortSignal; onProgress: (p: UploadProgress) => void }) {
  // The staging folder belongs to the login user, so SFTP (which runs as that user) may write there.
  o.must(await o.sudo(`mkdir -p ${STAGING} && chown "$(id -u ${shQuote(o.loginUser)})" ${STAGING} && chmod 700 ${STAGING}`), 'Creating the staging folder', 'Check that /var/lib is writable.');
  return uploadBundle({ session: o.devices.session(o.deviceId), localPath: o.bundle.path, size: o.bundle.size, sha256: o.bundle.sha256, remoteDir: STAGING, remoteName: o.bundle.fileName, signal: o.signal, onProgress: o.onProgress });
}

/**
 * Unpacks the uploaded bundle in staging (space checked first) and asks the staged agent its version; in
 * the same round trip, the version of an agent already set up on the device (null when none is).
 */
export async function stageBundle(sudo: Sudo, must: Must, fileName: string): Promise<{ version: string; fips: boolean | null; build: string | null; installedSetUp: string | null }> {
  const remoteBundle = `${STAGING}/${fileName}`;
  const extract = `${STAGING}/extract`;
  const r = await sudo(
    `set -e; need=$(( $(wc -c < ${shQuote(remoteBundle)}) / 1024 )); avail=$(df -Pk ${STAGING} | tail -n 1 | awk '{print $4}'); if [ "$avail" -lt "$need" ]; then echo "staging needs $need KiB, $avail KiB free" >&2; exit 28; fi; rm -rf ${extract}; mkdir -p ${extract}; tar -xf ${shQuote(remoteBundle)} -C ${extract}; ${extract}/${AGENT_IN_BUNDLE} version
${STYLUS_ROOT_SH}; printf '\n@@EAI-INSTALLED\n'; if [ -e "$root/opt/spectrocloud/state/setup_done" ]; then "$root/opt/spectrocloud/bin/palette-agent" version 2>/dev/null || true; fi`,
  );
  if (r.code === 28) {
    throw new AppError({ code: 'COMMAND_FAILED', message: `The staging filesystem is too small to unpack the bundle: ${r.stderr.trim()}.`, fix: 'Free space under /var/lib on the device, then retry. Nothing was applied.' });
  }
  must(r, 'Unpacking the bundle in staging', 'Check free space under /var/lib on the device, then retry. Nothing was applied.');
  const [stagedOut = '', installedOut = ''] = r.stdout.split('\n@@EAI-INSTALLED\n');
  const v = parseAgentVersion(stagedOut);
  if (!v.version) throw new AppError({ code: 'COMMAND_FAILED', message: 'The staged agent did not say its version.', fix: 'Check that the bundle matches the device architecture.', detail: r.stdout });
  return { version: v.version, fips: v.fips, build: v.build, installedSetUp: parseAgentVersion(installedOut).version };
}

/** STYLUS_ROOT from /etc/spectro/environment, read as text and never sourced; "/" when unset. */
export const STYLUS_ROOT_SH = `root=$(sed -n 's/^[[:space:]]*\\(export[[:space:]]*\\)\\{0,1\\}STYLUS_ROOT=[\"\\x27]*\\(\\/[^\"\\x27]*\\).*/\\2/p' /etc/spectro/environment 2>/dev/null | tail -n 1); root=\${root:-/}`;

export async function rebootDevice(devices: DeviceService, deviceId: string, sudo: (cmd: string, timeoutMs?: number) => Promise<unknown>): Promise<void> {
  const session = devices.session(deviceId);
  const closed = new Promise<void>((resolve) => session.client.once('close', () => resolve()));
  // A marker in /run (a tmpfs on every systemd host) tells the rebooted system from the one going down.
  await sudo(`touch ${REBOOT_MARKER}; (sleep 1; systemctl reboot) >/dev/null 2>&1 &`, 30_000).catch((err) => {
    // On a slow link the reboot can win the race with the command's own exit status: that is the goal.
    if (!(err instanceof AppError && err.code === 'NOT_CONNECTED')) throw err;
  });
  // The old session must drop before reconnecting, or we would talk to the system going down.
  let timer: NodeJS.Timeout | undefined;
  try {
    await Promise.race([closed, new Promise((_, reject) => (timer = setTimeout(() => reject(new AppError({ code: 'TIMED_OUT', message: 'The device did not go down for its reboot within 2 minutes.', fix: 'Reboot it by hand, then retry.' })), 120_000)))]);
  } finally {
    clearTimeout(timer);
  }
}

const REBOOT_MARKER = '/run/eai-before-reboot';

/**
 * Reconnects after the reboot, and makes sure it is the rebooted system: sshd can still accept a
 * connection for a moment while the old system goes down, and that session would die under us.
 */
export async function reconnectDevice(devices: DeviceService, deviceId: string, deadlineMs: number, onAttempt: (attempt: number, error?: string) => void, afterReboot = true): Promise<void> {
  const until = Date.now() + deadlineMs;
  for (;;) {
    const view = await devices.reconnect(deviceId, Math.max(1000, until - Date.now()), onAttempt);
    if (view.state !== 'connected') {
      const last = view.error;
      // A changed host key or refused credentials are their own answer; anything else is "did not come back".
      if (last && (last.code === 'HOST_KEY_CHANGED' || last.code === 'AUTH_FAILED' || view.state === 'needs-trust')) throw new AppError(last);
      throw new AppError({ code: 'TIMED_OUT', message: `The device did not come back within ${Math.round(deadlineMs / 1000)} s${afterReboot ? ' after its reboot' : ''} (last attempt: ${last?.message ?? 'no answer'}).`, fix: 'Check its console; once it answers, connect again and retry: finished steps are not repeated.' });
    }
    if (!afterReboot) return;
    const r = await devices.session(deviceId).exec(`test -e ${REBOOT_MARKER} && echo still-up || echo rebooted`, { timeoutMs: 15_000 }).catch(() => null);
    if (r?.stdout.trim() === 'rebooted') return;
    onAttempt(0, 'reached the system that is going down; waiting for the reboot');
    devices.disconnect(deviceId);
    if (Date.now() > until) throw new AppError({ code: 'TIMED_OUT', message: 'The device did not reboot: it still runs the system from before.', fix: 'Reboot it by hand (or from its console), then retry.' });
    await new Promise((r) => setTimeout(r, 2000));
  }
}

/**
 * setup_done, the version the device reports, the agent's units, and Local UI's port in local mode. The
 * agent settles for a while after its first boot (units activating): checks are repeated until they pass
 * or `settleMs` has gone by; a dropped connection is reconnected and the checks run again.
 */
export async function verifyAgent(devices: DeviceService, deviceId: string, expected: { version: string; mode: string; localUiPort: number; settleMs?: number }): Promise<VerifyCheck[]> {
  const until = Date.now() + (expected.settleMs ?? 90_000);
  for (;;) {
    let checks: VerifyCheck[];
    try {
      checks = await verifyOnce(devices, deviceId, expected);
    } catch (err) {
      if (!(err instanceof AppError) || err.code !== 'NOT_CONNECTED' || Date.now() > until) throw err;
      await reconnectDevice(devices, deviceId, Math.max(5_000, until - Date.now()), () => undefined, false);
      continue;
    }
    if (checks.every((c) => c.ok) || Date.now() > until) return checks;
    await new Promise((r) => setTimeout(r, 3000));
  }
}

async function verifyOnce(devices: DeviceService, deviceId: string, expected: { version: string; mode: string; localUiPort: number }): Promise<VerifyCheck[]> {
  const port = expected.localUiPort;
  const r = await devices.session(deviceId).exec(
    `${STYLUS_ROOT_SH}; PATH=$PATH:/usr/sbin:/sbin
s() { printf '\\n@@%s\\n' "$1"; }
s setup; [ -e "$root/opt/spectrocloud/state/setup_done" ] && echo yes
s version; "$root/opt/spectrocloud/bin/palette-agent" version 2>&1
s units; systemctl is-active spectro-stylus-agent spectro-stylus-operator 2>&1
s localui; (ss -Htln 2>/dev/null || netstat -tln 2>/dev/null) | grep -c ":${port}\\b"`,
    { timeoutMs: 60_000 },
  );
  const part = (name: string) => (r.stdout.split(`@@${name}\n`)[1] ?? '').split('\n@@')[0]!.trim();
  const installed = parseAgentVersion(part('version')).version;
  const units = part('units').split('\n');
  const checks: VerifyCheck[] = [
    { name: 'setup_done', ok: part('setup') === 'yes', detail: part('setup') === 'yes' ? 'The first-boot install finished.' : 'setup_done is missing: the first-boot install did not finish.' },
    { name: 'version', ok: installed === expected.version, detail: `Installed agent: ${installed ?? 'none'}; expected: ${expected.version}.` },
    { name: 'units', ok: units.length === 2 && units.every((u) => u === 'active'), detail: `spectro-stylus-agent: ${units[0] ?? '?'}, spectro-stylus-operator: ${units[1] ?? '?'}.` },
  ];
  if (expected.mode === 'local') {
    // Reported, not required: Local UI can take minutes after the first boot to listen.
    const listening = Number(part('localui')) > 0;
    checks.push({ name: 'local-ui', ok: true, detail: listening ? `Local UI answers on port ${port}.` : `Local UI does not listen on port ${port} yet (it can take a few minutes after the first boot).` });
  }
  return checks;
}
