import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { RunView } from '../../common/install/model';
import { buildFixtureBundle, type FixtureBundle } from '../../e2e/lab/fixture-bundle';
import { Lab } from '../../e2e/lab/lab';
import { waitFor } from '../../e2e/lab/run';
import { servicesForTest } from './helpers';

/** The whole offline install against lab devices: through the expected reboot, to a verified agent. */
describe('offline install', () => {
  let lab: Lab;
  let bundle: FixtureBundle;
  let svc: ReturnType<typeof servicesForTest>;
  const ids: string[] = [];

  beforeAll(async () => {
    lab = await Lab.start(3);
    bundle = await buildFixtureBundle({ dir: join(lab.dir, 'bundle'), version: '4.7.9', payloadBytes: 8 * 2 ** 20 });
    svc = servicesForTest();
    for (const [i, dev] of lab.devices.entries()) {
      // One device signs in as tech with sudo and a password; the others as root.
      const tech = i === 1;
      const secrets = tech ? { password: dev.techPassword, sudoPassword: dev.techPassword } : {};
      const d = await svc.call('devices.add', {
        connection: tech
          ? { kind: 'ssh', host: dev.address, port: 22, user: 'tech', auth: 'password' }
          : { kind: 'ssh', host: dev.address, port: 22, user: 'root', auth: 'key', keyPath: lab.clientKey },
      });
      const first = await svc.call('devices.connect', { id: d.id, secrets });
      await svc.call('devices.trustHostKey', { id: d.id, hop: 'target', fingerprint: first.pendingHostKey!.fingerprint });
      expect((await svc.call('devices.connect', { id: d.id, secrets })).state).toBe('connected');
      await svc.readAndClear(d.id);
      ids.push(d.id);
    }
    // A locally managed three-node cluster: roles, a leader and a free VIP on the lab network.
    const v = await svc.call('visit.get', {});
    await svc.call('plan.update', {
      ...v.plan,
      topology: 'multi',
      roles: { [ids[0]!]: 'control-plane', [ids[1]!]: 'worker', [ids[2]!]: 'worker' },
      leader: ids[0]!,
    });
    await svc.call('site.update', {
      ...v.site,
      endpoint: { kind: 'vip', vip: `${lab.devices[0]!.address.split('.').slice(0, 3).join('.')}.250` },
    });
  });
  afterAll(async () => {
    svc?.close();
    await lab?.stop();
  });

  const finished = async (runId: string) =>
    waitFor(
      'the install run to finish',
      async () => {
        const v = await svc.call('install.status', { runId });
        return v.finished ? v : null;
      },
      240_000,
      500,
    );

  it('refuses to start while the plan or a device is blocked', async () => {
    const v = await svc.call('visit.get', {});
    await svc.call('checks.removeOverride', { deviceId: ids[0]!, checkId: 'cpu-cores' });
    await expect(
      svc.call('install.start', { bundleId: (await svc.call('bundle.inspect', { path: bundle.path })).bundleId, deviceIds: [ids[0]!] }),
    ).rejects.toMatchObject({ message: expect.stringMatching(/is blocked: At least 4 CPU cores \(measured 2 cores/) });
    await svc.readAndClear(ids[0]!);
    await svc.call('plan.update', { ...v.plan, roles: {}, leader: null });
    await expect(
      svc.call('install.start', { bundleId: (await svc.call('bundle.inspect', { path: bundle.path })).bundleId, deviceIds: [ids[0]!] }),
    ).rejects.toMatchObject({ message: expect.stringMatching(/The plan is blocked/) });
    await svc.call('plan.update', v.plan);
  });

  it('installs on one device: upload, stage, apply, user-data, reboot, reconnect, verify', async () => {
    const dev = lab.devices[0]!;
    const started = await svc.call('install.start', {
      bundleId: (await svc.call('bundle.inspect', { path: bundle.path })).bundleId,
      deviceIds: [ids[0]!],
    });
    const run: RunView = await finished(started.runId);
    const d = run.devices[0]!;
    expect(d.error).toBeUndefined();
    expect(d.phase).toBe('done');
    expect(d.agentVersion).toBe('4.7.9');
    expect(d.verify!.filter((c) => !c.ok)).toEqual([]);
    expect(dev.reboots).toBe(1);
    expect(await dev.exec('/opt/spectrocloud/bin/palette-agent version')).toContain('version: v4.7.9');
    expect(await dev.exec('stat -c "%U %a" /var/lib/spectro/userdata')).toBe('root 600\n');
    expect(await dev.exec('head -n 1 /opt/spectrocloud/state/userdata.applied')).toBe('#cloud-config\n');
    // Nothing from the bundle ran as root before it was applied: the staged copy was asked its version as nobody.
    expect(await dev.exec('cat /var/tmp/pa-version-65534.log')).toContain('/var/lib/eai-stage-probe');
    expect(await dev.exec('cat /var/tmp/pa-version-0.log 2>/dev/null || true')).not.toMatch(/eai-stage/);

    // The journal has every step, in order, with durations.
    const journal = readFileSync(join(svc.dataDir, 'runs', `${run.runId}.jsonl`), 'utf8')
      .trim()
      .split('\n')
      .map((l) => JSON.parse(l));
    const steps = journal.filter((e) => e.kind === 'step-finished').map((e) => e.step);
    expect(steps).toEqual(['upload', 'stage', 'apply', 'userdata', 'reboot', 'reconnect', 'first-boot', 'verify', 'local-ui', 'cleanup']);
    // The hand-off: Local UI answers TLS on 5080 with the certificate the device holds, and who may sign in.
    const cert = await dev.exec('openssl x509 -noout -fingerprint -sha256 -in /opt/spectrocloud/state/localui/cert.pem');
    expect(d.localUi).toMatchObject({ url: `https://${dev.address}:5080`, answered: true, fingerprint: cert.split('=')[1]!.trim() });
    expect(d.localUi!.users).toContain('tech');
    const report = await svc.call('reports.get', { runId: run.runId });
    expect(report.handoff.nextSteps.join(' ')).toContain(`accept it only if its SHA-256 fingerprint is ${d.localUi!.fingerprint}`);
    expect(journal.at(-1)).toMatchObject({ kind: 'run-finished', data: { results: { [ids[0]!]: 'done' } } });
  });

  it('installs on three devices in parallel (one through sudo with a password), each through its reboot', async () => {
    const run = await finished(
      (await svc.call('install.start', { bundleId: (await svc.call('bundle.inspect', { path: bundle.path })).bundleId, deviceIds: ids }))
        .runId,
    );
    for (const d of run.devices) {
      expect(d.error, d.deviceId).toBeUndefined();
      expect(d.phase).toBe('done');
    }
    // The first device's earlier install removed its staged bundle once verified (the space goes back to the
    // device): it is sent again, and every device says how much space the cleanup returned.
    const journal = readFileSync(join(svc.dataDir, 'runs', `${run.runId}.jsonl`), 'utf8')
      .trim()
      .split('\n')
      .map((l) => JSON.parse(l));
    const uploads = journal.filter((e) => e.kind === 'output' && e.step === 'upload');
    expect(uploads.find((e) => e.deviceId === ids[0])?.data).toMatchObject({ skipped: false, bytesSent: bundle.size });
    expect(uploads.find((e) => e.deviceId === ids[2])?.data).toMatchObject({ skipped: false, bytesSent: bundle.size });
    const cleanups = journal.filter((e) => e.kind === 'step-finished' && e.step === 'cleanup');
    expect(cleanups).toHaveLength(3);
    for (const c of cleanups) expect(c.data.freedBytes).toBeGreaterThan(bundle.size);
    for (const dev of lab.devices) expect(await dev.exec('ls -d /var/lib/eai-staging /var/lib/eai-stage 2>/dev/null | wc -l')).toBe('0\n');
    for (const dev of lab.devices) expect(await dev.exec('test -e /opt/spectrocloud/state/setup_done && echo ok')).toBe('ok\n');
  });

  it('the other documented path: palette-agent install first (through sudo), then the reboot, then verify', async () => {
    const dev = lab.devices[1]!;
    // The fixture's 4.7.9 has no uninstall (it came with 4.9.10): the test removes the agent itself.
    await dev.exec('rm -rf /opt/spectrocloud /var/log/stylus-upgrade.log');
    const reboots = dev.reboots;
    const run = await finished(
      (
        await svc.call('install.start', {
          bundleId: (await svc.call('bundle.inspect', { path: bundle.path })).bundleId,
          deviceIds: [ids[1]!],
          method: 'install-first',
        })
      ).runId,
    );
    expect(run.method).toBe('install-first');
    expect(run.devices[0]).toMatchObject({ phase: 'done', agentVersion: '4.7.9' });
    const journal = readFileSync(join(svc.dataDir, 'runs', `${run.runId}.jsonl`), 'utf8')
      .trim()
      .split('\n')
      .map((l) => JSON.parse(l));
    expect(journal.filter((e) => e.kind === 'step-finished').map((e) => e.step)).toEqual([
      'upload',
      'stage',
      'apply',
      'userdata',
      'agent-install',
      'reboot',
      'reconnect',
      'first-boot',
      'verify',
      'local-ui',
      'cleanup',
    ]);
    // The agent's own install ran before the reboot: its log line exists, written by the session's sudo.
    expect(
      journal.some(
        (e) => e.kind === 'output' && e.step === 'agent-install' && JSON.stringify(e.data).includes('palette-agent: installed v4.7.9'),
      ),
    ).toBe(true);
    expect(dev.reboots).toBe(reboots + 1);
  });

  it('a staging filesystem too small is a clear error, and nothing is applied', async () => {
    const dev = lab.devices[2]!;
    const big = await buildFixtureBundle({ dir: join(lab.dir, 'big'), version: '4.7.10', payloadBytes: 24 * 2 ** 20 });
    // The bundle is unpacked in root's own staging folder (the upload folder belongs to the login user).
    await dev.exec('mkdir -p /var/lib/eai-stage && mount -t tmpfs -o size=30m tmpfs /var/lib/eai-stage');
    const before = await dev.exec('/opt/spectrocloud/bin/palette-agent version');
    const run = await finished(
      (await svc.call('install.start', { bundleId: (await svc.call('bundle.inspect', { path: big.path })).bundleId, deviceIds: [ids[2]!] }))
        .runId,
    );
    const d = run.devices[0]!;
    expect(d.phase).toBe('failed');
    expect(d.failedStep).toBe('stage');
    expect(d.error?.message).toMatch(/staging filesystem is too small/);
    expect(await dev.exec('/opt/spectrocloud/bin/palette-agent version')).toBe(before);
    expect(await dev.exec('grep -c 4.7.10 /var/lib/spectro/stylus/opt/spectrocloud/bin/palette-agent.sh || true')).toBe('0\n');
  });
});

describe('install: cancel', () => {
  let lab: Lab;
  let bundle: FixtureBundle;
  beforeAll(async () => {
    lab = await Lab.start(1);
    bundle = await buildFixtureBundle({ dir: join(lab.dir, 'bundle'), version: '4.7.9', payloadBytes: 96 * 2 ** 20 });
  });
  afterAll(async () => {
    await lab?.stop();
  });

  it('cancel stops at a safe point; retry continues the upload and finishes', async () => {
    const svc = servicesForTest();
    try {
      const d = await svc.addRoot(lab.devices[0]!, lab.clientKey);
      await svc.readAndClear(d.id);
      const { runId } = await svc.call('install.start', {
        bundleId: (await svc.call('bundle.inspect', { path: bundle.path })).bundleId,
        deviceIds: [d.id],
      });
      await waitFor(
        'the upload to start',
        async () => ((await svc.call('install.status', { runId })).devices[0]!.progress?.bytes ?? 0) > 0,
        30_000,
        20,
      );
      await svc.call('install.cancel', { runId });
      const cancelled = await waitFor(
        'the cancel',
        async () => {
          const v = await svc.call('install.status', { runId });
          return v.finished ? v : null;
        },
        30_000,
        100,
      );
      expect(cancelled.devices[0]).toMatchObject({ phase: 'cancelled', failedStep: 'upload' });
      expect(await lab.devices[0]!.exec('test -e /var/lib/spectro/userdata && echo applied || echo untouched')).toBe('untouched\n');
      await svc.call('install.retry', { runId, deviceId: d.id });
      const done = await waitFor(
        'the retry',
        async () => {
          const v = await svc.call('install.status', { runId });
          return v.finished ? v : null;
        },
        240_000,
        500,
      );
      expect(done.devices[0]!.error).toBeUndefined();
      expect(done.devices[0]!.phase).toBe('done');
    } finally {
      svc.close();
    }
  }, 300_000);
});

// Its own device: after the cancel test the same device twice failed to come back from the resumed run's reboot in
// full CI runs (never alone); a device of its own keeps the two tests from meeting.
describe('install: resume after the app stopped', () => {
  let lab: Lab;
  let bundle: FixtureBundle;
  beforeAll(async () => {
    lab = await Lab.start(1);
    bundle = await buildFixtureBundle({ dir: join(lab.dir, 'bundle'), version: '4.7.9', payloadBytes: 96 * 2 ** 20 });
  });
  afterAll(async () => {
    await lab?.stop();
  });

  it('a run the app did not see to its end is rebuilt from its journal and resumed by a new app', async () => {
    const dev = lab.devices[0]!;
    // On CI's retry: a first attempt whose reboot never came back must not leave the retry without a device.
    await dev.ensureUp();
    const first = servicesForTest();
    const d = await first.addRoot(dev, lab.clientKey);
    await first.readAndClear(d.id);
    // The app "dies" after the stage step: its journal ends there.
    const { writeFileSync, mkdirSync } = await import('node:fs');
    mkdirSync(join(first.dataDir, 'runs'), { recursive: true });
    const t = new Date().toISOString();
    const lines = [
      {
        t,
        kind: 'run-started',
        data: {
          bundle: { fileName: 'agent-mode-linux-amd64.tar', sha256: bundle.sha256, size: bundle.size, arch: 'amd64' },
          bundlePath: bundle.path,
          expectedSha256: null,
          devices: [d.id],
        },
      },
      { t, kind: 'step-started', deviceId: d.id, step: 'upload' },
      { t, kind: 'step-finished', deviceId: d.id, step: 'upload' },
      { t, kind: 'step-started', deviceId: d.id, step: 'apply' },
    ];
    writeFileSync(join(first.dataDir, 'runs', 'crashed-run.jsonl'), lines.map((l) => JSON.stringify(l)).join('\n') + '\n{"t":"torn');
    const interrupted = await first.call('install.interrupted', {});
    expect(interrupted).toHaveLength(1);
    expect(interrupted[0]!.devices[0]).toMatchObject({
      phase: 'failed',
      failedStep: 'apply',
      error: { message: 'The app stopped during "apply".' },
    });
    const resumed = await first.call('install.resume', { runId: 'crashed-run' });
    // The journal says the upload finished: the resume continues with the stage, never sending it again.
    expect(['queued', 'stage']).toContain(resumed.devices[0]!.phase);
    const done = await waitFor(
      'the resumed run',
      async () => {
        const v = await first.call('install.status', { runId: 'crashed-run' });
        return v.finished ? v : null;
      },
      240_000,
      500,
    ).catch(async (err: Error) => {
      // Say where it stood: the phase and the device's last output lines.
      const v = await first.call('install.status', { runId: 'crashed-run' });
      const d = v.devices[0]!;
      throw new Error(`${err.message}; phase ${d.phase}; last output: ${d.log.slice(-15).join(' | ')}`);
    });
    expect(done.devices[0]!.phase).toBe('done');
    expect(await first.call('install.interrupted', {})).toEqual([]);
    first.close();
  }, 300_000);
});

describe('install: a first-boot step as slow, or as broken, as a real one', () => {
  let lab: Lab;
  beforeAll(async () => {
    lab = await Lab.start(1);
  });
  afterAll(async () => {
    await lab?.stop();
  });

  it('a first boot of two minutes (sshd up long before) is waited for and shown, and verifies without a retry', async () => {
    const slow = await buildFixtureBundle({ dir: join(lab.dir, 'slow'), version: '4.7.9', installSeconds: 120 });
    const svc = servicesForTest();
    try {
      const d = await svc.addRoot(lab.devices[0]!, lab.clientKey);
      await svc.readAndClear(d.id);
      const { runId } = await svc.call('install.start', {
        bundleId: (await svc.call('bundle.inspect', { path: slow.path })).bundleId,
        deviceIds: [d.id],
      });
      const seen = await waitFor(
        'the first-boot step to be shown',
        async () => (await svc.call('install.status', { runId })).devices[0]!.firstBoot ?? null,
        120_000,
        500,
      );
      expect(seen.detail).toMatch(/^installing on the device \(first-boot step running for \d+/);
      expect(new Date(seen.waitUntil).getTime()).toBeGreaterThan(Date.now() + 5 * 60_000);
      const done = await waitFor(
        'the run',
        async () => {
          const v = await svc.call('install.status', { runId });
          return v.finished ? v : null;
        },
        300_000,
        1000,
      );
      expect(done.devices[0]!.error).toBeUndefined();
      expect(done.devices[0]!.phase).toBe('done');
      const journal = readFileSync(join(svc.dataDir, 'runs', `${runId}.jsonl`), 'utf8')
        .trim()
        .split('\n')
        .map((l) => JSON.parse(l));
      const fb = journal.find((e) => e.kind === 'step-finished' && e.step === 'first-boot');
      expect(fb.data.firstBootWaitSec).toBeGreaterThan(90);
      expect(lab.devices[0]!.reboots).toBe(1);
    } finally {
      svc.close();
    }
  }, 400_000);

  it("a first boot that fails is reported with the script's own error line; nothing is re-applied", async () => {
    const dev = lab.devices[0]!;
    await dev.exec(
      'rm -rf /opt/spectrocloud /var/lib/spectro /var/lib/eai-staging /var/lib/eai-stage /etc/systemd/system/spectro* /etc/systemd/system/*.wants/spectro*',
    );
    const broken = await buildFixtureBundle({ dir: join(lab.dir, 'broken'), version: '4.7.9', failInstall: true, installSeconds: 1 });
    const svc = servicesForTest();
    try {
      const d = await svc.addRoot(dev, lab.clientKey);
      await svc.readAndClear(d.id);
      const reboots = dev.reboots;
      const { runId } = await svc.call('install.start', {
        bundleId: (await svc.call('bundle.inspect', { path: broken.path })).bundleId,
        deviceIds: [d.id],
      });
      const v = await waitFor(
        'the run',
        async () => {
          const r = await svc.call('install.status', { runId });
          return r.finished ? r : null;
        },
        180_000,
        1000,
      );
      expect(v.devices[0]).toMatchObject({ phase: 'failed', failedStep: 'first-boot' });
      expect(v.devices[0]!.error!.message).toMatch(
        /first-boot step failed \(systemd restarted it \d+ times\).*Its last error: "palette-agent: error: v4\.7\.9 failed to start/,
      );
      expect(v.devices[0]!.error!.detail).toContain('+ palette-agent install');
      expect(dev.reboots).toBe(reboots + 1);
    } finally {
      svc.close();
    }
  }, 300_000);
});

describe('install: putting the agent in place never locks other users out of the device', () => {
  let lab: Lab;
  beforeAll(async () => {
    lab = await Lab.start(1);
  });
  afterAll(async () => {
    await lab?.stop();
  });

  it('a non-root login keeps working during the apply, and / keeps its mode when the apply is killed half way', async () => {
    const dev = lab.devices[0]!;
    // On CI's retry: a first attempt that left the device down must not sink the second.
    await dev.ensureUp();
    // GNU tar --no-overwrite-dir (the old apply) made /, /var, /etc ... 0700 while it ran, and left them so if killed.
    const modes = 'stat -c "%n %a %U" / /var /var/lib /etc /etc/systemd /etc/systemd/system';
    const before = await dev.exec(modes);
    const big = await buildFixtureBundle({ dir: join(lab.dir, 'big-apply'), version: '4.7.9', payloadBytes: 384 * 2 ** 20 });
    // A non-root user resolving paths under / all through the run, as the wizard's own sudo login does.
    await dev.exec(
      "(while :; do su tech -s /bin/sh -c 'cd / && ls /etc/systemd/system /var/lib >/dev/null && echo ok || echo LOCKED' >> /root/probe.log 2>&1; sleep 0.05; done) >/dev/null 2>&1 & echo $! > /root/probe.pid",
    );
    const svc = servicesForTest();
    try {
      const d = await svc.addTrusted(
        { kind: 'ssh', host: dev.address, port: 22, user: 'tech', auth: 'password' },
        { password: dev.techPassword, sudoPassword: dev.techPassword },
      );
      await svc.readAndClear(d.id);
      const { runId } = await svc.call('install.start', {
        bundleId: (await svc.call('bundle.inspect', { path: big.path })).bundleId,
        deviceIds: [d.id],
      });
      await waitFor('the apply', async () => (await svc.call('install.status', { runId })).devices[0]!.phase === 'apply', 180_000, 20);
      // Killed half way: whatever rsync had done, no existing directory changed its mode or owner. The kill waits on
      // the device for rsync to start (the apply first walks the staged folders), so it cannot come too early; once
      // missed, the run went on to its reboot.
      const killed = await dev.exec('for i in $(seq 1 1500); do pkill -9 -x rsync && echo killed && exit 0; sleep 0.01; done; echo missed');
      expect(killed.trim()).toBe('killed');
      const failed = await waitFor(
        'the apply to stop',
        async () => {
          const v = await svc.call('install.status', { runId });
          return v.finished ? v : null;
        },
        120_000,
        200,
      );
      expect(await dev.exec(modes)).toBe(before);
      expect(failed.devices[0]!.phase).toBe('failed');
      expect(failed.devices[0]!.failedStep).toBe('apply');
      await svc.call('install.retry', { runId, deviceId: d.id });
      const done = await waitFor(
        'the run',
        async () => {
          const v = await svc.call('install.status', { runId });
          return v.finished ? v : null;
        },
        240_000,
        500,
      );
      expect(done.devices[0]!.error).toBeUndefined();
      expect(done.devices[0]!.phase).toBe('done');
      expect(await dev.exec(modes)).toBe(before);
      await dev.exec('kill "$(cat /root/probe.pid)"; true');
      const probe = await dev.exec('sort /root/probe.log | uniq -c');
      expect(probe).not.toMatch(/LOCKED|Permission denied/);
      expect(probe).toMatch(/\d+ ok/);
    } finally {
      svc.close();
    }
  }, 400_000);
});
