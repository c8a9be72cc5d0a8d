import { mkdtempSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { parseDeviceCsv } from '../../common/devices/csv-import';
import { profileFromYaml } from '../../common/site/profile';
import { createServices } from '../../main/services/app-services';
import { loadKit } from '../../main/services/site-kit';

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
});
