import { randomBytes } from 'node:crypto';
import { identityDifferences, wrongBoxMessage } from '../../common/devices/identity';
import type { AuthPrompt, EventSink } from '../../common/contract';
import { AppError, toErrorShape } from '../../common/errors';
import { redact } from '../../common/redact';
import type { ConnectSecrets, DeviceView, HostKeyInfo } from '../../common/model/device';
import type { HostFacts } from '../../common/model/host-facts';
import { DEVICE_PROBE_SCRIPT, parseDeviceProbe } from '../../common/probe/device-probe';
import { collectLocalFacts } from './hardware/local-facts';
import type { HostKeyStore } from './ssh/host-key-store';
import { SshSession } from './ssh/session';
import { detectPrivilege } from './ssh/sudo';
import { clientRunner } from './ssh/exec';
import { localRunner } from './local/exec-local';
import type { VisitStore } from './visit-store';

const PROMPT_TIMEOUT_MS = 5 * 60_000;

/** Connections to the visit's devices: connect, trust a host key, probe hardware, disconnect. */
export class DeviceService {
  private readonly sessions = new Map<string, SshSession>();
  /** The secrets of the last good connection, in memory only: the expected reboot needs them again. */
  private readonly secrets = new Map<string, ConnectSecrets>();
  private readonly prompts = new Map<string, (answers: string[] | null) => void>();
  /** Every secret typed this session (passwords, passphrases, sudo, prompt answers): what redaction must hide. */
  private readonly typed = new Set<string>();

  constructor(
    private readonly store: VisitStore,
    private readonly hostKeys: HostKeyStore,
    private readonly emit: EventSink,
    private readonly options: { readyTimeoutMs?: number } = {},
  ) {}

  /** The secret values typed for devices this session, for the one redaction function. Memory only. */
  secretValues(): string[] {
    return [...this.typed];
  }

  /** `host`: sign in at another address than the stored one (a device that moved); stored once it answers. */
  async connect(id: string, secrets: ConnectSecrets, host?: string): Promise<DeviceView> {
    const stored = this.store.device(id);
    const device = host && stored.connection.kind === 'ssh' ? { ...stored, connection: { ...stored.connection, host } } : stored;
    for (const v of Object.values(secrets)) if (v) this.typed.add(v);
    this.drop(id);
    if (device.connection.kind === 'local') {
      // The wizard runs on the device itself: sudo is asked for the same way as over SSH.
      this.secrets.set(id, secrets);
      const privilege = await detectPrivilege(localRunner, secrets.sudoPassword).catch(() => 'sudo-needs-password' as const);
      return this.update(id, { state: 'connected', privilege, error: undefined });
    }
    this.update(id, { state: 'connecting', error: undefined, pendingHostKey: undefined });
    this.log('info', id, `Connecting to ${device.connection.user}@${device.connection.host}:${device.connection.port}`);
    let session: SshSession;
    try {
      session = await SshSession.open(device.connection, secrets, {
        hostKeys: this.hostKeys,
        onPrompt: (hop) => (p) => this.askUser(id, hop, p),
        readyTimeoutMs: this.options.readyTimeoutMs,
      });
    } catch (err) {
      const error = toErrorShape(err);
      this.log(error.code === 'HOST_KEY_CHANGED' ? 'error' : 'warn', id, error.message);
      if (error.code === 'HOST_KEY_UNKNOWN') {
        const pending = error.data as unknown as HostKeyInfo;
        return this.update(id, { state: 'needs-trust', pendingHostKey: pending, error });
      }
      return this.update(id, { state: 'failed', error });
    }
    this.sessions.set(id, session);
    this.secrets.set(id, secrets);
    session.client.on('close', () => {
      if (this.sessions.get(id) !== session) return;
      this.sessions.delete(id);
      this.update(id, { state: 'disconnected' });
      this.log('warn', id, 'The connection to the device closed.');
    });
    try {
      const privilege = await detectPrivilege(clientRunner(session.client), secrets.sudoPassword);
      const error =
        privilege === 'sudo-needs-password'
          ? {
              code: 'SUDO_NEEDS_PASSWORD' as const,
              message: `Connected, but sudo on this device needs ${device.connection.user}'s password before the agent can be installed.`,
              fix: 'Enter the sudo password and connect again.',
            }
          : privilege === 'no-sudo'
            ? {
                code: 'SUDO_NOT_ALLOWED' as const,
                message: `Connected, but ${device.connection.user} cannot use sudo on this device, so the agent cannot be installed as this user.`,
                fix: 'Log in as root, or ask for this user to be added to the sudoers.',
              }
            : undefined;
      this.log('info', id, `Connected (${privilege}); host key ${session.hostKey.fingerprint}`);
      await this.removeStaleSupportBundles(id, session);
      return this.update(id, { state: 'connected', privilege, hostKey: session.hostKey, error, connection: device.connection });
    } catch (err) {
      const error = toErrorShape(err);
      this.log('error', id, error.message);
      return this.update(id, {
        state: 'connected',
        privilege: 'sudo-needs-password',
        hostKey: session.hostKey,
        error,
        connection: device.connection,
      });
    }
  }

  /**
   * One more sign-in with the secrets of the last good connection (after the reboot, or a dropped link),
   * the same pinned host key checked as always. One attempt, which may not outlive `attemptMs` whatever
   * the device does; the caller's loop (the run's link) owns the retries and the one deadline.
   */
  async connectAgain(id: string, attemptMs: number, opts: { host?: string } = {}): Promise<DeviceView> {
    const secrets = this.secrets.get(id);
    if (!secrets)
      throw new AppError({
        code: 'NOT_CONNECTED',
        message: 'This device was never connected in this session.',
        fix: 'Connect to it on the Devices step.',
      });
    if (opts.host) this.carryPin(id, opts.host);
    // The timer is cleared when the attempt settles: left running, it would drop a good session later.
    let timer: NodeJS.Timeout | undefined;
    return Promise.race([
      this.connect(id, secrets, opts.host),
      new Promise<DeviceView>((resolve) => {
        timer = setTimeout(() => {
          this.drop(id);
          resolve(
            this.update(id, {
              state: 'failed',
              error: { code: 'TIMED_OUT', message: 'The device did not finish the sign-in in time.', fix: 'Retrying.' },
            }),
          );
        }, attemptMs);
      }),
    ]).finally(() => clearTimeout(timer));
  }

  /**
   * A device that takes its static address at the reboot keeps its host key: the key it proved at the old
   * address is pinned for the new one, so the same key is accepted there and any other is refused as a
   * changed key. An existing pin for the new address is never replaced.
   */
  private carryPin(id: string, host: string): void {
    const d = this.store.device(id);
    if (d.connection.kind !== 'ssh' || !d.hostKey || d.hostKey.hop !== 'target') return;
    const port = d.connection.port;
    if (this.hostKeys.list().some((p) => p.host === host.toLowerCase() && p.port === port)) return;
    this.hostKeys.pin(host, port, d.hostKey.keyType, d.hostKey.fingerprint);
    this.log('info', id, `Pinned ${d.hostKey.keyType} key ${d.hostKey.fingerprint} for ${host}:${port} (the address the device takes)`);
  }

  /** The sudo password given when connecting, for a run on this machine (memory only; null when none). */
  sudoPasswordFor(id: string): string | undefined {
    return this.secrets.get(id)?.sudoPassword;
  }

  /** Pins exactly the key the technician was shown; anything else is refused. */
  trustHostKey(id: string, hop: 'target' | 'jump', fingerprint: string): DeviceView {
    const pending = this.store.device(id).pendingHostKey;
    if (!pending || pending.hop !== hop || pending.fingerprint !== fingerprint) {
      throw new AppError({
        code: 'INVALID_INPUT',
        message: 'That fingerprint is not the one this device presented, so it was not trusted.',
        fix: 'Connect again and compare the fingerprint that is shown.',
      });
    }
    this.hostKeys.pin(pending.host, pending.port, pending.keyType, pending.fingerprint);
    this.log('info', id, `Pinned ${pending.keyType} key ${pending.fingerprint} for ${pending.host}:${pending.port}`);
    return this.update(id, { state: 'new', pendingHostKey: undefined, error: undefined });
  }

  async probe(id: string): Promise<HostFacts> {
    const device = this.store.device(id);
    this.update(id, { probing: true });
    try {
      const facts = device.connection.kind === 'local' ? await collectLocalFacts() : await this.remoteProbe(id);
      // First contact with a listed box: a wrong one is named at once, and every run refuses it.
      const diffs = identityDifferences(device.intake, facts);
      if (diffs.length) {
        const message = wrongBoxMessage(device.label, diffs);
        this.log('error', id, `${message} Nothing will be written to it.`);
        this.update(id, {
          facts,
          probing: false,
          error: {
            code: 'PRECONDITION',
            message,
            fix: 'Check the label on the box and the address you typed; if the list is wrong, correct it and import it again.',
          },
        });
        return facts;
      }
      this.update(id, { facts, probing: false });
      return facts;
    } catch (err) {
      this.update(id, { probing: false, error: toErrorShape(err) });
      throw err;
    }
  }

  /** New connection details: the old session and what it learned no longer apply. */
  reconfigure(id: string, patch: Pick<DeviceView, 'connection'> & Partial<Pick<DeviceView, 'label'>>): DeviceView {
    this.drop(id);
    return this.update(id, {
      ...patch,
      state: 'new',
      privilege: 'unknown',
      error: undefined,
      facts: undefined,
      hostKey: undefined,
      pendingHostKey: undefined,
    });
  }

  remove(id: string): void {
    this.drop(id);
  }

  disconnect(id: string): DeviceView {
    this.drop(id);
    return this.update(id, { state: 'disconnected' });
  }

  answerPrompt(promptId: string, answers: string[] | null): boolean {
    const resolve = this.prompts.get(promptId);
    if (!resolve) return false;
    this.prompts.delete(promptId);
    for (const a of answers ?? []) if (a) this.typed.add(a);
    resolve(answers);
    return true;
  }

  /** Devices an install or upgrade is working on, and by which run: one run per device at a time. */
  private readonly claims = new Map<string, { runId: string; what: string }>();

  /** Refuses when another run has the device, naming what it is doing. */
  assertFree(id: string, runId?: string): void {
    const other = this.claims.get(id);
    if (other && other.runId !== runId) {
      throw new AppError({
        code: 'CONFLICT',
        message: `${this.store.device(id).label} is busy: ${other.what} is running on it.`,
        fix: 'Wait for it to finish (or cancel it), then start again.',
      });
    }
  }

  /** Takes the device for a run (see assertFree). */
  claim(id: string, runId: string, what: string): void {
    this.assertFree(id, runId);
    this.claims.set(id, { runId, what });
  }

  release(id: string, runId: string): void {
    if (this.claims.get(id)?.runId === runId) this.claims.delete(id);
  }

  /** Whether a live session exists now (a reboot drops it). */
  sessionState(id: string): 'connected' | 'disconnected' {
    return this.sessions.has(id) ? 'connected' : 'disconnected';
  }

  session(id: string): SshSession {
    const s = this.sessions.get(id);
    if (!s) {
      throw new AppError({
        code: 'NOT_CONNECTED',
        message: `${this.store.device(id).label} is not connected.`,
        fix: 'Connect to the device on the Devices step first.',
      });
    }
    return s;
  }

  closeAll(): void {
    for (const id of [...this.sessions.keys()]) this.drop(id);
  }

  private async remoteProbe(id: string): Promise<HostFacts> {
    const sentAt = Date.now();
    const result = await this.session(id).exec('sh -s', { stdin: DEVICE_PROBE_SCRIPT, timeoutMs: 60_000 });
    const receivedAt = Date.now();
    if (!result.stdout.includes('@@EAI-SECTION end@@')) {
      throw new AppError({
        code: 'COMMAND_FAILED',
        message: 'Reading the hardware did not finish on the device.',
        fix: 'Check that the login shell can run /bin/sh, then read the hardware again.',
        detail: result.stderr.slice(-4000),
      });
    }
    return parseDeviceProbe(result.stdout, new Date(receivedAt).toISOString(), { sentAt, receivedAt });
  }

  private askUser(
    deviceId: string,
    hop: 'target' | 'jump',
    p: Omit<AuthPrompt, 'promptId' | 'deviceId' | 'hop'>,
  ): Promise<string[] | null> {
    const promptId = randomBytes(8).toString('hex');
    return new Promise((resolve) => {
      const timer = setTimeout(() => this.answerPrompt(promptId, null), PROMPT_TIMEOUT_MS);
      this.prompts.set(promptId, (answers) => {
        clearTimeout(timer);
        resolve(answers);
      });
      this.emit('auth.prompt', { promptId, deviceId, hop, ...p });
    });
  }

  private drop(id: string): void {
    const s = this.sessions.get(id);
    this.sessions.delete(id);
    s?.close();
  }

  /** After an install or upgrade verified (or rolled back): what the device runs now, without a new probe. */
  /**
   * A support bundle is packed into /tmp for the download and removed after it; a download that dropped left it
   * there (the device's journal and user-data, redacted only on this side). The next connection removes this
   * login's leftovers; it never touches another user's files.
   */
  private async removeStaleSupportBundles(id: string, session: SshSession): Promise<void> {
    const r = await session
      .exec(`find /tmp -maxdepth 1 -type f -name 'eai-support-*.tar.gz' -user "$(id -u)" -print -delete 2>/dev/null`, { timeoutMs: 15_000 })
      .catch(() => null);
    const removed = (r?.stdout ?? '').split('\n').filter(Boolean);
    if (removed.length)
      this.log(
        'info',
        id,
        `Removed ${removed.length} support bundle${removed.length === 1 ? '' : 's'} left in /tmp by an earlier download that did not finish.`,
      );
  }

  /** What a run left on the device (an agent verified, or none after an uninstall), until it is read again. */
  noteAgent(id: string, agent: { version: string; fips: boolean | null } | null): void {
    const facts = this.store.device(id).facts;
    if (!facts) return;
    const now = agent
      ? { installed: true, version: agent.version, fips: agent.fips, setupDone: true }
      : { installed: false, version: null, fips: null, setupDone: false };
    this.update(id, { facts: { ...facts, software: { ...facts.software, agent: { ...facts.software.agent, ...now } } } });
  }

  private update(id: string, patch: Partial<DeviceView>): DeviceView {
    const view = this.store.patch(id, patch);
    this.emit('device.changed', view);
    return view;
  }

  private log(level: 'info' | 'warn' | 'error', deviceId: string, message: string): void {
    this.emit('log', { time: new Date().toISOString(), level, deviceId, message: redact(message, this.secretValues()) });
  }
}
