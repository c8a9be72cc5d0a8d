import { mkdirSync, mkdtempSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { parseDeviceCsv } from '../../common/devices/csv-import';
import { profileFromYaml } from '../../common/site/profile';
import { createServices } from '../../main/services/app-services';
import { loadKit } from '../../main/services/site-kit';
import type { VisitView } from '../../common/model/device';

describe('saving the visit as a site kit', () => {
  it('writes a kit the CLI loads back: the devices with their identity and role, the site profile, the bundle, no secret', async () => {
    const dataDir = mkdtempSync(join(tmpdir(), 'eai-kit-data-'));
    const s = createServices({ dataDir, shell: 'browser', emit: () => undefined, knownHostsFiles: [] });
    const call = <T>(m: string, input: unknown) =>
      (s.handlers as Record<string, (i: unknown) => Promise<unknown>>)[m]!(input) as Promise<T>;
    await call('visit.update', { siteName: 'Store 12', technician: 'Robin' });
    const csv = [
      'host,user,auth,keyPath,serial,mac,role,hostName,edgeHostName',
      '10.12.0.11,admin,key,/home/robin/.ssh/id_ed25519,SN-1,3c:ec:ef:12:00:11,control-plane,store12-a,store12-edge-a',
      '10.12.0.12,admin,password,,SN-2,,worker,store12-b,',
    ].join('\n');
    const imported = await call<{ added: { id: string }[]; errors: unknown[] }>('devices.import', { csv });
    expect(imported.errors).toEqual([]);
    await call('site.setSecrets', { edgeHostToken: 'tok-SECRET-123456' });
    const bundle = join(dataDir, 'agent-mode-linux-amd64.tar');
    writeFileSync(bundle, 'x');
    const dir = join(mkdtempSync(join(tmpdir(), 'eai-kit-out-')), 'store12');
    const saved = await call<{ files: string[] }>('kit.save', { dir, bundlePath: bundle, sha256: 'a'.repeat(64) });
    expect(saved.files.sort()).toEqual(['devices.csv', 'kit.yaml', 'site.yaml']);
    expect(statSync(join(dir, 'kit.yaml')).mode & 0o777).toBe(0o600);

    const kit = loadKit(dir);
    expect(kit.kit).toMatchObject({ siteName: 'Store 12', technician: 'Robin', bundle, sha256: 'a'.repeat(64) });
    const back = parseDeviceCsv(kit.devicesCsv);
    expect(back.errors).toEqual([]);
    expect(back.devices.map((d) => [d.connection, d.intake])).toEqual([
      [
        { kind: 'ssh', host: '10.12.0.11', port: 22, user: 'admin', auth: 'key', keyPath: '/home/robin/.ssh/id_ed25519' },
        { serial: 'SN-1', mac: '3c:ec:ef:12:00:11', role: 'control-plane', hostName: 'store12-a', edgeHostName: 'store12-edge-a' },
      ],
      [
        { kind: 'ssh', host: '10.12.0.12', port: 22, user: 'admin', auth: 'password' },
        { serial: 'SN-2', role: 'worker', hostName: 'store12-b' },
      ],
    ]);
    expect(profileFromYaml(kit.siteYaml).errors).toEqual([]);
    for (const f of saved.files) expect(readFileSync(join(dir, f), 'utf8')).not.toContain('SECRET');

    // A folder that holds something else is not overwritten; a kit's own folder is.
    const other = mkdtempSync(join(tmpdir(), 'eai-kit-other-'));
    writeFileSync(join(other, 'notes.txt'), 'mine');
    await expect(call('kit.save', { dir: other, bundlePath: bundle })).rejects.toMatchObject({
      message: expect.stringMatching(/not empty and holds no kit/),
    });
    await expect(call('kit.save', { dir, bundlePath: bundle })).resolves.toMatchObject({ dir });
    await expect(call('kit.save', { dir: 'relative/kit', bundlePath: bundle })).rejects.toMatchObject({
      message: expect.stringMatching(/absolute path/),
    });
    s.close();
  });

  it('opens a kit into a new visit: names, site profile, devices with identity and role, leader, overrides; whole or not at all', async () => {
    const make = () => {
      const s = createServices({
        dataDir: mkdtempSync(join(tmpdir(), 'eai-kit-open-')),
        shell: 'browser',
        emit: () => undefined,
        knownHostsFiles: [],
      });
      const call = <T>(m: string, input: unknown) =>
        (s.handlers as Record<string, (i: unknown) => Promise<unknown>>)[m]!(input) as Promise<T>;
      return { s, call };
    };
    const dir = join(mkdtempSync(join(tmpdir(), 'eai-kit-open-src-')), 'store12');
    mkdirSync(dir);
    writeFileSync(join(dir, 'agent.tar'), 'x');
    writeFileSync(
      join(dir, 'kit.yaml'),
      'siteName: Store 12\ntechnician: Robin\nbundle: agent.tar\nleader: 10.12.0.11\noverrides:\n  - device: store12-b\n    check: cpu-cores\n    reason: Two cores are enough for this pilot\n    technician: Robin\n',
    );
    writeFileSync(
      join(dir, 'devices.csv'),
      'host,user,role,hostName,serial\n10.12.0.11,root,control-plane,store12-a,SN-1\n10.12.0.12,root,worker,store12-b,SN-2\n',
    );
    const src = make();
    const v0 = await src.call<{ plan: object; site: object }>('visit.get', {});
    await src.call('plan.update', { ...v0.plan, topology: 'multi' });
    await src.call('site.update', { ...v0.site, endpoint: { kind: 'vip', vip: '10.12.0.250' } });
    writeFileSync(join(dir, 'site.yaml'), (await src.call<{ yaml: string }>('profiles.export', { name: 'Store 12' })).yaml);
    src.s.close();

    const { s, call } = make();
    try {
      const opened = await call<{ visit: VisitView; devices: number; bundlePath: string }>('kit.open', { dir });
      expect(opened).toMatchObject({ devices: 2, bundlePath: join(dir, 'agent.tar') });
      const v = opened.visit;
      expect(v).toMatchObject({ siteName: 'Store 12', technician: 'Robin' });
      expect(v.site.endpoint).toEqual({ kind: 'vip', vip: '10.12.0.250' });
      const [a, b] = v.devices;
      expect([a!.label, a!.intake?.serial, v.plan.roles[a!.id], b!.label, v.plan.roles[b!.id]]).toEqual([
        'store12-a',
        'SN-1',
        'control-plane',
        'store12-b',
        'worker',
      ]);
      expect(v.plan.leader).toBe(a!.id);
      expect(v.overrides).toEqual([
        expect.objectContaining({ deviceId: b!.id, checkId: 'cpu-cores', reason: 'Two cores are enough for this pilot' }),
      ]);
      // A visit that already has devices is not mixed with a kit.
      await expect(call('kit.open', { dir })).rejects.toMatchObject({ message: expect.stringMatching(/already has devices/) });
    } finally {
      s.close();
    }

    // A bad row: nothing of the kit is taken (names, profile and devices stay as they were).
    writeFileSync(join(dir, 'devices.csv'), 'host,user,staticAddress\n10.12.0.11,root,\n10.12.0.12,root,10.12.0.250/24\n');
    const other = make();
    try {
      await expect(other.call('kit.open', { dir })).rejects.toMatchObject({ message: expect.stringMatching(/devices\.csv: line 3/) });
      await expect(other.call('kit.open', { dir: 'kits/store12' })).rejects.toMatchObject({
        message: expect.stringMatching(/absolute path/),
      });
      const v = await other.call<VisitView>('visit.get', {});
      expect([v.siteName, v.devices.length, v.site.endpoint]).toEqual(['', 0, expect.not.objectContaining({ vip: '10.12.0.250' })]);
    } finally {
      other.s.close();
    }
  });
});
