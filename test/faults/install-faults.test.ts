import { spawn } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { RunView } from '../../common/install/model';
import { buildFixtureBundle, type FixtureBundle } from '../../e2e/lab/fixture-bundle';
import { Lab, type LabDevice } from '../../e2e/lab/lab';
import { waitFor } from '../../e2e/lab/run';
import { servicesForTest } from '../lab/helpers';
import { recordFault } from './record';

type Svc = ReturnType<typeof servicesForTest>;

/**
 * Faults during an install, each a named case through the lab: what was done to the device, what the
 * installer did, and whether anything was lost. "Nothing lost" means: the device ends verified on the
 * bundle's agent after at most a reconnect and a retry, or it is untouched (its agent and user-data as
 * before), never half-applied.
 */
describe('faults during an install', () => {
  let lab: Lab;
  let bundle: FixtureBundle;
  let small: FixtureBundle;

  beforeAll(async () => {
    lab = await Lab.start(3);
    [bundle, small] = await Promise.all([
      buildFixtureBundle({ dir: join(lab.dir, 'big'), version: '4.7.9', payloadBytes: 64 * 2 ** 20 }),
      buildFixtureBundle({ dir: join(lab.dir, 'small'), version: '4.7.9', payloadBytes: 2 ** 20 }),
    ]);
  }, 300_000);
  afterAll(async () => {
    await lab?.stop();
  });

  async function prepared(dev: LabDevice, opts: { rebootTimeoutMs?: number } = {}) {
    await dev.ensureUp();
    const svc = servicesForTest(opts);
    const d = await svc.addRoot(dev, lab.clientKey);
    await svc.readAndClear(d.id);
    return { svc, id: d.id };
  }
  const status = (svc: Svc, runId: string) => svc.call('install.status', { runId });
  /** Waits for the run to reach a state; a timeout says where the run stood (phase, error, the device's last lines). */
  async function until(svc: Svc, runId: string, what: string, pred: (v: RunView) => boolean, ms = 240_000): Promise<RunView> {
    let last: RunView | null = null;
    try {
      return await waitFor(
        what,
        async () => {
          last = await status(svc, runId);
          return pred(last) ? last : null;
        },
        ms,
        25,
      );
    } catch (err) {
      const d = (last as RunView | null)?.devices[0];
      const where = d
        ? `phase ${d.phase}${d.failedStep ? ` (failed at ${d.failedStep})` : ''}${d.error ? `: ${d.error.message}` : ''}${d.firstBoot ? `; first boot: ${d.firstBoot.detail}` : ''}; last lines: ${d.log.slice(-8).join(' | ')}`
        : 'no status read';
      throw new Error(`${(err as Error).message}; the run stood at ${where}`);
    }
  }
  /** Checks the bundle and starts an install of it on one device, as the Install step does. */
  const startInstall = async (svc: Svc, id: string, b: FixtureBundle, method?: 'install-first') =>
    svc.call('install.start', {
      bundleId: (await svc.call('bundle.inspect', { path: b.path })).bundleId,
      deviceIds: [id],
      ...(method ? { method } : {}),
    });
  const finished = (svc: Svc, runId: string) => until(svc, runId, 'the run to finish', (v) => v.finished);
  /** The device runs the bundle's agent, set up, with the user-data in place: the good end state. */
  async function verifiedOn(dev: LabDevice): Promise<string[]> {
    const lost: string[] = [];
    if (!(await dev.exec('/opt/spectrocloud/bin/palette-agent version 2>&1 || true')).includes('v4.7.9')) lost.push('agent not installed');
    if ((await dev.exec('test -e /opt/spectrocloud/state/setup_done && echo yes || true')) !== 'yes\n') lost.push('setup_done missing');
    if ((await dev.exec('stat -c %a /var/lib/spectro/userdata 2>&1 || true')) !== '600\n') lost.push('user-data missing');
    return lost;
  }
  /** After a dropped link: connect again (same pinned key) and retry the device. */
  async function reconnectAndRetry(svc: Svc, id: string, runId: string): Promise<RunView> {
    await waitFor(
      'the device to answer again',
      async () => (await svc.call('devices.connect', { id, secrets: {} })).state === 'connected',
      120_000,
      1000,
    );
    await svc.call('install.retry', { runId, deviceId: id });
    return finished(svc, runId);
  }
  async function reset(dev: LabDevice) {
    await dev.exec(
      'rm -rf /opt/spectrocloud /var/lib/spectro /var/lib/eai-staging /var/lib/eai-stage /etc/systemd/system/spectro* /etc/systemd/system/*.wants/spectro* /usr/local/bin/date; true',
    );
  }

  it('link cut during upload: the step fails when the link is gone; after it is back a retry sends only the missing bytes', async () => {
    const dev = lab.devices[0]!;
    await reset(dev);
    const { svc, id } = await prepared(dev);
    try {
      // A 100 Mbit/s link, a site's pace: at the lab's full speed the whole bundle can be through between two looks at
      // the progress (seen 2026-12-03: "cut at 100%"), and the cut would not land in the upload.
      await dev.shapeLink(100);
      const { runId } = await startInstall(svc, id, bundle);
      const at = await until(svc, runId, 'half of the upload', (v) => (v.devices[0]!.progress?.bytes ?? 0) > bundle.size * 0.4);
      await dev.setLink(false);
      const cut = Date.now();
      expect(at.devices[0]!.progress!.bytes).toBeLessThan(bundle.size * 0.9);
      const failed = await until(svc, runId, 'the upload to fail', (v) => v.devices[0]!.phase === 'failed', 120_000);
      const noticed = Math.round((Date.now() - cut) / 1000);
      await dev.setLink(true);
      const done = await reconnectAndRetry(svc, id, runId);
      const journal = readFileSync(join(svc.dataDir, 'runs', `${runId}.jsonl`), 'utf8')
        .trim()
        .split('\n')
        .map((l) => JSON.parse(l));
      const uploads = journal
        .filter((e) => e.kind === 'output' && e.step === 'upload' && e.data?.resumedFrom !== undefined)
        .map((e) => e.data);
      const last = uploads.at(-1);
      expect(done.devices[0]!.phase).toBe('done');
      expect(last.resumedFrom).toBeGreaterThan(0);
      expect(last.resumedFrom + last.bytesSent).toBe(bundle.size);
      expect(last.bytesSent).toBeGreaterThan(0);
      const lost = await verifiedOn(dev);
      recordFault(
        'link cut during upload',
        `cut at ${Math.round((at.devices[0]!.progress!.bytes / bundle.size) * 100)}%; "${failed.devices[0]!.error?.message}" after ${noticed} s; reconnected, retry resumed at ${(last.resumedFrom / 2 ** 20).toFixed(1)} MiB, sent the other ${(last.bytesSent / 2 ** 20).toFixed(1)} MiB, sha256 checked on the device, verified`,
        lost,
      );
      expect(lost).toEqual([]);
    } finally {
      svc.close();
      await dev.shapeLink(null);
    }
  });

  it('link cut during extraction: the step fails, nothing is half-applied, a retry finishes', async () => {
    const dev = lab.devices[0]!;
    await reset(dev);
    const { svc, id } = await prepared(dev);
    try {
      const { runId } = await startInstall(svc, id, bundle);
      await until(svc, runId, 'the extraction', (v) => v.devices[0]!.phase === 'stage');
      await dev.setLink(false);
      const failed = await until(svc, runId, 'the step to fail', (v) => v.devices[0]!.phase === 'failed', 120_000);
      const agentAfterCut = await dev.exec('test -e /opt/spectrocloud/bin/palette-agent && echo present || echo absent');
      await dev.setLink(true);
      const done = await reconnectAndRetry(svc, id, runId);
      expect(done.devices[0]!.phase).toBe('done');
      const lost = await verifiedOn(dev);
      recordFault(
        'link cut during extraction',
        `failed at "${failed.devices[0]!.failedStep}": ${failed.devices[0]!.error?.message}; agent in / after the cut: ${agentAfterCut.trim()}; retry: continued at stage (the journal says the upload finished; no byte sent again), staged again, verified`,
        lost,
      );
      expect(lost).toEqual([]);
    } finally {
      svc.close();
    }
  });

  it('link cut during the agent install (install first, then reboot): the retry runs the idempotent steps again and verifies', async () => {
    const dev = lab.devices[0]!;
    await reset(dev);
    // The agent's own install takes a few seconds here, so the cut lands inside it.
    await dev.exec(
      'mkdir -p /usr/local/bin && printf \'#!/bin/sh\\nsleep 4\\nexec /bin/cp "$@"\\n\' > /usr/local/bin/cp && chmod 755 /usr/local/bin/cp',
    );
    const { svc, id } = await prepared(dev);
    try {
      const { runId } = await startInstall(svc, id, small, 'install-first');
      await until(svc, runId, 'palette-agent install', (v) => v.devices[0]!.phase === 'agent-install');
      await dev.setLink(false);
      const failed = await until(svc, runId, 'the step to fail', (v) => v.devices[0]!.phase === 'failed', 120_000);
      await dev.setLink(true);
      await dev.exec('rm -f /usr/local/bin/cp');
      const done = await reconnectAndRetry(svc, id, runId);
      expect(done.devices[0]!.phase).toBe('done');
      const lost = await verifiedOn(dev);
      recordFault(
        'link cut during palette-agent install',
        `failed at "${failed.devices[0]!.failedStep}": ${failed.devices[0]!.error?.message}; reconnected, retry ran install again (idempotent), rebooted, verified`,
        lost,
      );
      expect(lost).toEqual([]);
    } finally {
      svc.close();
      await dev.exec('rm -f /usr/local/bin/cp');
    }
  });

  it('link cut during the reboot: reconnect keeps trying and the run finishes without a retry', async () => {
    const dev = lab.devices[1]!;
    await reset(dev);
    const { svc, id } = await prepared(dev);
    try {
      const { runId } = await startInstall(svc, id, small);
      await until(svc, runId, 'the reboot', (v) => v.devices[0]!.phase === 'reconnect');
      await dev.setLink(false);
      await new Promise((r) => setTimeout(r, 10_000));
      await dev.setLink(true);
      const done = await finished(svc, runId);
      expect(done.devices[0]!.phase).toBe('done');
      const lost = await verifiedOn(dev);
      recordFault(
        'link cut during reboot',
        `link down 10 s while the device rebooted; reconnect attempts with backoff (${done.devices[0]!.log.filter((l) => l.startsWith('reconnect attempt')).length} failed) until it answered; same host key; verified without a retry`,
        lost,
      );
      expect(lost).toEqual([]);
    } finally {
      svc.close();
    }
  });

  it('sshd restarted mid-command: a clear error, then a retry finishes', async () => {
    const dev = lab.devices[1]!;
    await reset(dev);
    const { svc, id } = await prepared(dev);
    try {
      const { runId } = await startInstall(svc, id, bundle);
      await until(svc, runId, 'the extraction', (v) => v.devices[0]!.phase === 'stage');
      await dev.restartSshd();
      const failed = await until(svc, runId, 'the step to fail', (v) => v.devices[0]!.phase === 'failed', 60_000);
      const done = await reconnectAndRetry(svc, id, runId);
      expect(
        done.devices[0]!.phase,
        `${done.devices[0]!.failedStep}: ${done.devices[0]!.error?.message}\n${done.devices[0]!.log.slice(-12).join('\n')}`,
      ).toBe('done');
      const lost = await verifiedOn(dev);
      recordFault(
        'sshd restarted mid-command',
        `every sshd process killed during "${failed.devices[0]!.failedStep}": "${failed.devices[0]!.error?.message}"; reconnected, retried, verified`,
        lost,
      );
      expect(lost).toEqual([]);
    } finally {
      svc.close();
    }
  });

  it('a reboot that takes longer than usual: within the limit it is waited for; past the limit a clear error, then a retry', async () => {
    const dev = lab.devices[2]!;
    await reset(dev);
    dev.bootDelayMs = 15_000;
    const slow = await prepared(dev, { rebootTimeoutMs: 90_000 });
    let first = '';
    try {
      const { runId } = await startInstall(slow.svc, slow.id, small);
      const done = await finished(slow.svc, runId);
      expect(done.devices[0]!.phase).toBe('done');
      first = `15 s boot with a 90 s limit: waited (${done.devices[0]!.log.filter((l) => l.startsWith('reconnect attempt')).length} attempts), verified`;
    } finally {
      slow.svc.close();
    }
    await reset(dev);
    dev.bootDelayMs = 25_000;
    const strict = await prepared(dev, { rebootTimeoutMs: 8_000 });
    try {
      const { runId } = await startInstall(strict.svc, strict.id, small);
      const failed = await finished(strict.svc, runId);
      expect(failed.devices[0]).toMatchObject({ phase: 'failed', failedStep: 'reconnect' });
      dev.bootDelayMs = 0;
      const done = await reconnectAndRetry(strict.svc, strict.id, runId);
      expect(done.devices[0]!.phase).toBe('done');
      const lost = await verifiedOn(dev);
      recordFault(
        'reboot longer than usual',
        `${first}; 25 s boot with an 8 s limit: "${failed.devices[0]!.error?.message}" at reconnect; once up, retry verified`,
        lost,
      );
      expect(lost).toEqual([]);
    } finally {
      dev.bootDelayMs = 0;
      strict.svc.close();
    }
  });

  it('the host key changed across the reboot: the installer stops (possible interception) and sends nothing', async () => {
    const dev = lab.devices[2]!;
    await reset(dev);
    dev.bootDelayMs = 4000;
    const { svc, id } = await prepared(dev);
    try {
      const { runId } = await startInstall(svc, id, small);
      const rebootsBefore = dev.reboots;
      await until(svc, runId, 'the reboot', (v) => v.devices[0]!.phase === 'reboot' || v.devices[0]!.phase === 'reconnect');
      // Halted, not booted yet (the boot waits 4 s): the next sshd starts with another key.
      await waitFor('the device to go down', async () => dev.reboots > rebootsBefore, 30_000, 50);
      await dev.newHostKeyFile();
      const logBefore = dev.sshdLog().length;
      const failed = await finished(svc, runId);
      const d = failed.devices[0]!;
      expect(d).toMatchObject({ phase: 'failed', failedStep: 'reconnect', error: { code: 'HOST_KEY_CHANGED' } });
      await new Promise((r) => setTimeout(r, 500));
      const after = dev.sshdLog().slice(logBefore);
      const lost = /userauth-request|Accepted publickey|Failed password/.test(after) ? ['credentials were offered to the new key'] : [];
      recordFault(
        'host key changed across the reboot',
        `stopped at reconnect: "${d.error?.message}" — both fingerprints shown, no sign-in attempted (sshd log: no userauth request); the device is not touched again until the key is checked`,
        lost,
      );
      expect(lost).toEqual([]);
    } finally {
      dev.bootDelayMs = 0;
      svc.close();
    }
  });

  it('a wrong sudo password: one clear error, sudo tried once, nothing started', async () => {
    const dev = lab.devices[0]!;
    const svc = servicesForTest();
    try {
      const d = await svc.call('devices.add', { connection: { kind: 'ssh', host: dev.address, port: 22, user: 'tech', auth: 'password' } });
      const first = await svc.call('devices.connect', {
        id: d.id,
        secrets: { password: dev.techPassword, sudoPassword: 'not-the-password' },
      });
      if (first.pendingHostKey)
        await svc.call('devices.trustHostKey', { id: d.id, hop: 'target', fingerprint: first.pendingHostKey.fingerprint });
      const v = await svc.call('devices.connect', { id: d.id, secrets: { password: dev.techPassword, sudoPassword: 'not-the-password' } });
      expect(v.privilege).toBe('sudo-needs-password');
      expect(v.error?.message ?? '').toMatch(/sudo/i);
      const attempts = Number(/(\d+) incorrect password attempt/.exec(v.error?.detail ?? '')?.[1] ?? 1);
      await svc.readAndClear(d.id);
      await expect(startInstall(svc, d.id, small)).rejects.toMatchObject({ message: expect.stringMatching(/sudo needs a password/) });
      recordFault(
        'wrong sudo password',
        `"${v.error?.message}" (sudo says ${attempts} incorrect attempt${attempts === 1 ? '' : 's'}); install refused before anything is sent: sudo needs a password`,
        attempts > 1 ? ['sudo was retried against the device'] : [],
      );
      expect(attempts).toBe(1);
    } finally {
      svc.close();
    }
  });

  it('disk full while staging: a clear error and nothing applied', async () => {
    const dev = lab.devices[1]!;
    await reset(dev);
    // The bundle is copied and unpacked in root's own staging folder: that is the one that fills up.
    await dev.exec('mkdir -p /var/lib/eai-stage && mount -t tmpfs -o size=80m tmpfs /var/lib/eai-stage');
    const { svc, id } = await prepared(dev);
    try {
      const run = await finished(svc, (await startInstall(svc, id, bundle)).runId);
      const d = run.devices[0]!;
      expect(d).toMatchObject({ phase: 'failed', failedStep: 'stage' });
      const applied = await dev.exec('ls /opt/spectrocloud /var/lib/spectro/userdata 2>/dev/null | wc -l');
      recordFault(
        'disk full while staging',
        `"${d.error?.message}" at stage; nothing in /opt/spectrocloud, no user-data`,
        applied.trim() === '0' ? [] : ['files applied outside staging'],
      );
      expect(applied.trim()).toBe('0');
    } finally {
      svc.close();
      await dev.exec('umount /var/lib/eai-stage; true');
    }
  });

  it('the service process killed mid-run and restarted: the run is found in its journal and resumed', async () => {
    const dev = lab.devices[2]!;
    await reset(dev);
    const dataDir = mkdtempSync(join(tmpdir(), 'eai-killed-'));
    const setup = servicesForTest({ dataDir });
    const d = await setup.addRoot(dev, lab.clientKey);
    await setup.readAndClear(d.id);
    setup.close();
    // The services in their own process: started, then killed with SIGKILL in the middle of the upload.
    // Its own process group: npx starts node under it, and the whole group is killed at once.
    const child = spawn('npx', ['vite-node', 'test/faults/child-install.ts', dataDir, bundle.path], {
      stdio: ['ignore', 'pipe', 'pipe'],
      detached: true,
    });
    let out = '';
    child.stdout!.on('data', (c) => (out += c));
    child.stderr!.on('data', (c) => (out += c));
    const runId = await waitFor(
      'the child to start the run',
      async () => /RUN (\S+)/.exec(out)?.[1] ?? (child.exitCode !== null ? Promise.reject(new Error(out)) : null),
      120_000,
      100,
    );
    const part = '/var/lib/eai-staging/agent-mode-linux-amd64.tar.part';
    await waitFor(
      'a third of the upload on the device',
      async () => Number((await dev.exec(`stat -c %s ${part} 2>/dev/null || echo 0`)).trim()) > bundle.size / 3,
      120_000,
      50,
    );
    process.kill(-child.pid!, 'SIGKILL');
    await new Promise((r) => child.once('exit', r));
    await waitFor(
      'no service process left',
      async () => {
        try {
          process.kill(-child.pid!, 0);
          return false;
        } catch {
          return true;
        }
      },
      10_000,
      100,
    );
    const onDevice = Number((await dev.exec(`stat -c %s ${part} 2>/dev/null || echo 0`)).trim());

    const svc = servicesForTest({ dataDir });
    try {
      const interrupted = await svc.call('install.interrupted', {});
      expect(interrupted.map((r) => r.runId)).toEqual([runId]);
      expect((await svc.call('devices.connect', { id: d.id, secrets: {} })).state).toBe('connected');
      await svc.call('install.resume', { runId });
      const done = await finished(svc, runId);
      expect(
        done.devices[0]!.phase,
        JSON.stringify([done.devices[0]!.failedStep, done.devices[0]!.error, done.devices[0]!.log.slice(-5)]),
      ).toBe('done');
      const journal = readFileSync(join(dataDir, 'runs', `${runId}.jsonl`), 'utf8')
        .trim()
        .split('\n')
        .map((l) => JSON.parse(l));
      const upload = journal.filter((e) => e.kind === 'output' && e.step === 'upload' && e.data?.resumedFrom !== undefined).at(-1)!.data;
      const lost = await verifiedOn(dev);
      recordFault(
        'service process killed mid-run (SIGKILL) and restarted',
        `killed with ${(onDevice / 2 ** 20).toFixed(1)} MiB on the device; the new process listed the run from its journal, resumed it: upload continued at ${(upload.resumedFrom / 2 ** 20).toFixed(1)} MiB, then stage, apply, user-data, reboot, first boot, verified, staging removed`,
        lost,
      );
      expect(upload.resumedFrom).toBeGreaterThan(0);
      expect(lost).toEqual([]);
    } finally {
      svc.close();
      rmSync(dataDir, { recursive: true, force: true });
    }
  });

  it('a device clock far off: the check blocks it (overridable with a reason), and says by how much', async () => {
    const dev = lab.devices[1]!;
    // The device's clock two days ahead, as seen by everything that asks `date` on it.
    await dev.exec(
      `mkdir -p /usr/local/bin && printf '#!/bin/sh\\nexec /bin/date -d @$(( $(/bin/date +%%s) + 172800 )) "$@"\\n' > /usr/local/bin/date && chmod 755 /usr/local/bin/date`,
    );
    const svc = servicesForTest();
    try {
      const d = await svc.addRoot(dev, lab.clientKey);
      await svc.call('hardware.probe', { id: d.id });
      const checks = (await svc.call('checks.evaluate', {})).devices[0]!.results;
      const large = checks.find((c) => c.id === 'clock-offset-large')!;
      expect(large.status).toBe('block');
      recordFault(
        'device clock far off',
        `check "${large.title}" blocks: measured ${large.measured}; the install is refused until it is fixed or overridden with a reason`,
      );
    } finally {
      svc.close();
      await dev.exec('rm -f /usr/local/bin/date');
    }
  });
});
