import { createServer, type Server } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { parse } from 'yaml';
import { defaultSite } from '../../common/site/model';
import { join } from 'node:path';
import { buildFixtureBundle } from '../../e2e/lab/fixture-bundle';
import { run } from '../../e2e/lab/run';
import { Lab, type LabDevice } from '../../e2e/lab/lab';
import { servicesForTest } from './helpers';

/** The site step's checks run from the device itself, against real neighbours on the lab bridge. */
describe('site survey from a lab device', () => {
  let lab: Lab;
  let svc: ReturnType<typeof servicesForTest>;
  let id: string;
  let member: LabDevice;
  let other: LabDevice;
  let proxy: Server;
  const base = (addr: string) => addr.split('.').slice(0, 3).join('.');

  beforeAll(async () => {
    lab = await Lab.start(2);
    [member, other] = lab.devices as [LabDevice, LabDevice];
    svc = servicesForTest();
    const d = await svc.addRoot(member, lab.clientKey);
    await svc.call('hardware.probe', { id: d.id });
    id = d.id;
    // A proxy on the lab host that wants credentials: enough to see TCP reach and the CONNECT answer.
    proxy = createServer((sock) =>
      sock.once('data', () =>
        sock.end('HTTP/1.1 407 Proxy Authentication Required\r\nProxy-Authenticate: Basic\r\nContent-Length: 0\r\n\r\n'),
      ),
    );
    await new Promise<void>((r) => proxy.listen(3128, '198.18.0.1', r));
  });
  afterAll(async () => {
    proxy?.close();
    svc?.close();
    await lab?.stop();
  });

  const setVip = async (vip: string) => {
    const v = await svc.call('visit.get', {});
    await svc.call('site.update', { ...v.site, endpoint: { kind: 'vip', vip } });
  };
  const vipCheck = async () => (await svc.call('site.checkOnDevices', {}))[0]!.checks.find((c) => c.id === 'vip-free');

  it("refuses a VIP equal to the device's own address before anything runs", async () => {
    await setVip(member.address);
    const issue = (await svc.call('site.issues', {})).find((i) => i.field === 'endpoint.vip');
    expect(issue?.message).toMatch(/own address/);
  });

  it('reports a VIP that another host on the network already holds', async () => {
    const taken = `${base(member.address)}.200`;
    await run('ip', ['-n', other.ns, 'addr', 'add', `${taken}/16`, 'dev', 'eth0']);
    await setVip(taken);
    expect((await svc.call('site.issues', {})).filter((i) => i.field === 'endpoint.vip')).toEqual([]);
    const check = await vipCheck();
    expect(check).toMatchObject({ status: 'block', target: taken });
    expect(check!.method).toMatch(/ping \+ arping \+ neighbour table/);
    expect(check!.fix).toMatch(/another free address/);
    expect(check!.title).toBe('The VIP is free (nothing answers on it)');
    // A block found from the device blocks the install, named in words, before anything is sent.
    await svc.readAndClear(id);
    const bundle = await buildFixtureBundle({ dir: join(lab.dir, 'bundle'), version: '4.7.9' });
    const { bundleId } = await svc.call('bundle.inspect', { path: bundle.path });
    await expect(svc.call('install.start', { bundleId, deviceIds: [id] })).rejects.toMatchObject({
      code: 'PRECONDITION',
      message: expect.stringMatching(/the check from the device found a block: the VIP is free \(nothing answers on it\) — no/),
    });
  });

  it('passes a free VIP, saying how it was tried', async () => {
    await setVip(`${base(member.address)}.201`);
    expect(await vipCheck()).toMatchObject({ status: 'pass', detail: expect.stringMatching(/Nothing answered/) });
  });

  it('sees that the proxy accepts connections and asks for credentials', async () => {
    const v = await svc.call('visit.get', {});
    await svc.call('plan.update', { ...v.plan, mode: 'central' });
    await svc.call('site.update', {
      ...v.site,
      central: { paletteEndpoint: 'api.palette.example', projectName: 'Edge', projectUid: '' },
      proxy: { httpProxy: 'http://198.18.0.1:3128', httpsProxy: '', username: '', noProxy: [] },
    });
    const checks = (await svc.call('site.checkOnDevices', {}))[0]!.checks;
    expect(checks.find((c) => c.id === 'proxy-tcp')).toMatchObject({ status: 'pass' });
    expect(checks.find((c) => c.id === 'proxy-connect')).toMatchObject({ status: 'block', detail: expect.stringMatching(/407/) });
    expect(checks.find((c) => c.id === 'dns-endpoint')).toMatchObject({ status: 'block', detail: 'Does not resolve on the device.' });
    expect(checks.find((c) => c.id === 'gateway')).toMatchObject({ status: 'pass' });
  });

  it('central site with proxy and CA: the user-data parses back to what was entered, the preview shows no secret', async () => {
    const v = await svc.call('visit.get', {});
    const site = {
      ...defaultSite(),
      central: { paletteEndpoint: 'api.palette.example', projectName: 'Edge Plants', projectUid: '' },
      proxy: {
        httpProxy: 'http://198.18.0.1:3128',
        httpsProxy: 'http://198.18.0.1:3128',
        username: 'svc-edge',
        noProxy: ['.svc', member.address],
      },
      nameserver: '198.18.0.1',
      devices: {
        [id]: {
          hostName: 'edge-01',
          edgeHostName: 'plant4-01',
          nic: { name: 'eth0', mode: 'static' as const, address: `${member.address}/16`, gateway: '198.18.0.1', dns: ['198.18.0.1'] },
        },
      },
      endpoint: { kind: 'vip' as const, vip: `${base(member.address)}.201` },
    };
    await svc.call('site.update', site);
    await svc.call('site.addCertificates', {
      pem: await run('sh', [
        '-c',
        `cd ${lab.dir} && openssl req -x509 -newkey ec -pkeyopt ec_paramgen_curve:P-256 -nodes -keyout ca.key -out ca.pem -subj /CN=Site-CA -days 30 -addext basicConstraints=critical,CA:TRUE 2>/dev/null && cat ca.pem`,
      ]),
    });
    await svc.call('site.setSecrets', { edgeHostToken: 'CANARY-TOKEN-7f3a', proxyPassword: 'CANARY-PROXY-9c1e' });
    expect((await svc.call('site.issues', {})).filter((i) => i.severity === 'block')).toEqual([]);

    const preview = await svc.call('site.preview', { deviceId: id });
    expect(preview.text).not.toMatch(/CANARY/);
    expect(preview.text).toContain('********');

    const written = svc.userData(id);
    await svc.writeUserData(id, written);
    const back = parse(await member.exec('cat /var/lib/spectro/userdata'));
    expect(back.stylus.managementMode).toBe('central');
    expect(back.stylus.site).toMatchObject({
      paletteEndpoint: 'api.palette.example',
      edgeHostToken: 'CANARY-TOKEN-7f3a',
      projectName: 'Edge Plants',
      name: 'plant4-01',
      hostName: 'edge-01',
      network: {
        httpProxy: 'http://svc-edge:CANARY-PROXY-9c1e@198.18.0.1:3128',
        noProxy: `.svc,${member.address}`,
        nameserver: '198.18.0.1',
        interfaces: { eth0: { type: 'static', ipAddress: `${member.address}/16`, gateway: '198.18.0.1', nameserver: '198.18.0.1' } },
      },
    });
    expect(back.stylus.site.caCerts[0]).toMatch(/^-----BEGIN CERTIFICATE-----/);
    expect(v.plan.mode).toBe('central');
  });
});
