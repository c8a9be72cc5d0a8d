import { describe, expect, it } from 'vitest';
import { profileFrom, profileFromYaml, profileToYaml } from '../../common/site/profile';
import { plan } from './fixtures-facts';
import { PEM, site } from './site-fixtures';

describe('site profiles', () => {
  const s = site({
    central: { paletteEndpoint: 'api.palette.example.com', projectName: 'Edge', projectUid: '' },
    proxy: { httpProxy: 'http://proxy:3128', httpsProxy: '', username: 'svc-edge', noProxy: ['.svc'] },
    caCerts: [
      {
        id: 'b'.repeat(64),
        pem: PEM,
        subject: 'CN=Root',
        issuer: 'CN=Root',
        notBefore: 'x',
        notAfter: 'y',
        fingerprint256: 'AA',
        isCA: true,
        warnings: [],
      },
    ],
    ntpServers: ['10.0.0.3'],
    localUiUser: { name: 'kairos', passwordHash: '$6$CANARYSALT$' + 'C'.repeat(86) },
    devices: { d1: { hostName: 'edge-01', edgeHostName: 'edge-01', nic: null } },
  });
  const p = plan({ mode: 'central', distribution: 'k3s', kubernetesVersion: '1.33.4' });

  it('holds no secret, no hash, nothing tied to one device, and loads back to the same settings', () => {
    const yaml = profileToYaml(profileFrom('Plant 4', s, p));
    for (const canary of ['CANARYSALT', 'edge-01', 'd1', 'roles', 'leader', 'passwordHash']) expect(yaml).not.toContain(canary);
    const back = profileFromYaml(yaml);
    expect(back.errors).toEqual([]);
    expect(back.profile!.site.central).toEqual(s.central);
    expect(back.profile!.site.proxy).toEqual(s.proxy);
    expect(back.profile!.site.caCerts).toEqual(s.caCerts);
    expect(back.profile!.site.localUiUserName).toBe('kairos');
    expect(back.profile!.plan).toMatchObject({ mode: 'central', distribution: 'k3s', kubernetesVersion: '1.33.4' });
  });

  it('reports schema errors with the line and the field', () => {
    const yaml = profileToYaml(profileFrom('Plant 4', s, p)).replace('httpProxy: http://proxy:3128', 'httpProxy: "socks5://x"');
    const line = yaml.split('\n').findIndex((l) => l.includes('socks5')) + 1;
    const r = profileFromYaml(yaml);
    expect(r.profile).toBeNull();
    expect(r.errors).toEqual([{ line, field: 'site.proxy.httpProxy', message: expect.stringMatching(/http:\/\/host:port/) }]);
  });

  it('refuses another kind or version, broken YAML and duplicate keys, each said plainly', () => {
    expect(profileFromYaml('kind: other\n').errors[0]!.message).toMatch(/not a site profile/);
    expect(profileFromYaml('a: [1,\n').errors[0]!.message).toMatch(/Not valid YAML/);
    expect(profileFromYaml('kind: x\nkind: y\n').errors[0]).toMatchObject({ line: 2, message: expect.stringMatching(/Not valid YAML/) });
  });
});
