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
      const d = await svc.call('devices.add', { connection: tech ? { kind: 'ssh', host: dev.address, port: 22, user: 'tech', auth: 'password' } : { kind: 'ssh', host: dev.address, port: 22, user: 'root', auth: 'key', keyPath: lab.clientKey } });
      const first = await svc.call('devices.connect', { id: d.id, secrets });
      await svc.call('devices.trustHostKey', { id: d.id, hop: 'target', fingerprint: first.pendingHostKey!.fingerprint });
      expect((await svc.call('devices.connect', { id: d.id, secrets })).state).toBe('connected');
      await svc.call('hardware.probe', { id: d.id });
      ids.push(d.id);
    }
  });
  afterAll(async () => {
    svc?.close();
    await lab?.stop();
  });

  const finished = async (runId: string) => waitFor('the install run to finish', async () => {
    const v = await svc.call('install.status', { runId });
    return v.finished ? v : null;
  }, 240_000, 500);

  it('installs on one device: upload, stage, apply, user-data, reboot, reconnect, verify', async () => {
    const dev = lab.devices[0]!;
    const started = await svc.call('install.start', { path: bundle.path, deviceIds: [ids[0]!] });
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

    // The journal has every step, in order, with durations.
    const journal = readFileSync(join(svc.dataDir, 'runs', `${run.runId}.jsonl`), 'utf8').trim().split('\n').map((l) => JSON.parse(l));
    const steps = journal.filter((e) => e.kind === 'step-finished').map((e) => e.step);
    expect(steps).toEqual(['upload', 'stage', 'apply', 'userdata', 'reboot', 'reconnect', 'verify']);
    expect(journal.at(-1)).toMatchObject({ kind: 'run-finished', data: { results: { [ids[0]!]: 'done' } } });
  });

  it('installs on three devices in parallel (one through sudo with a password), each through its reboot', async () => {
    const run = await finished((await svc.call('install.start', { path: bundle.path, deviceIds: ids })).runId);
    for (const d of run.devices) {
      expect(d.error, d.deviceId).toBeUndefined();
      expect(d.phase).toBe('done');
    }
    // The first device already had the bundle: its upload was skipped, not sent again.
    const journal = readFileSync(join(svc.dataDir, 'runs', `${run.runId}.jsonl`), 'utf8').trim().split('\n').map((l) => JSON.parse(l));
    const uploads = journal.filter((e) => e.kind === 'output' && e.step === 'upload');
    expect(uploads.find((e) => e.deviceId === ids[0])?.data).toMatchObject({ skipped: true, bytesSent: 0 });
    expect(uploads.find((e) => e.deviceId === ids[2])?.data).toMatchObject({ skipped: false, bytesSent: bundle.size });
    for (const dev of lab.devices) expect(await dev.exec('test -e /opt/spectrocloud/state/setup_done && echo ok')).toBe('ok\n');
  });

  it('a staging filesystem too small is a clear error, and nothing is applied', async () => {
    const dev = lab.devices[2]!;
    const big = await buildFixtureBundle({ dir: join(lab.dir, 'big'), version: '4.7.10', payloadBytes: 24 * 2 ** 20 });
    await dev.exec('mkdir -p /var/lib/eai-staging && mount -t tmpfs -o size=30m tmpfs /var/lib/eai-staging');
    const before = await dev.exec('/opt/spectrocloud/bin/palette-agent version');
    const run = await finished((await svc.call('install.start', { path: big.path, deviceIds: [ids[2]!] })).runId);
    const d = run.devices[0]!;
    expect(d.phase).toBe('failed');
    expect(d.failedStep).toBe('stage');
    expect(d.error?.message).toMatch(/staging filesystem is too small/);
    expect(await dev.exec('/opt/spectrocloud/bin/palette-agent version')).toBe(before);
    expect(await dev.exec('grep -c 4.7.10 /var/lib/spectro/stylus/opt/spectrocloud/bin/palette-agent.sh || true')).toBe('0\n');
  });
});
