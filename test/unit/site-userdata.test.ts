import { mkdirSync, readFileSync, writeFileSync, existsSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { parse } from 'yaml';
import { adminGroups, MASK, renderUserData, USERDATA_KEYS } from '../../common/site/userdata';
import { suggestNoProxy, secondAddress } from '../../common/site/no-proxy';
import { plan } from './fixtures-facts';
import { device, localMulti, localSingle, PEM, site } from './site-fixtures';

const GOLDEN = join(__dirname, '..', 'fixtures', 'userdata');

/** Golden files: a change to rendering shows up as a diff someone must accept (UPDATE_GOLDEN=1). */
function golden(name: string, text: string) {
  const file = join(GOLDEN, `${name}.yaml`);
  if (process.env.UPDATE_GOLDEN === '1' || !existsSync(file)) {
    mkdirSync(GOLDEN, { recursive: true });
    writeFileSync(file, text);
  }
  expect(text).toBe(readFileSync(file, 'utf8'));
}

const d1 = device('d1', '10.10.0.11');
const centralSite = site({
  central: { paletteEndpoint: 'api.palette.example.com', projectName: 'Edge Plants', projectUid: '' },
  proxy: {
    httpProxy: 'http://proxy.corp.example:3128',
    httpsProxy: 'http://proxy.corp.example:3128',
    username: 'svc-edge',
    noProxy: ['10.10.0.0/24', '.svc', '.cluster.local'],
  },
  caCerts: [
    {
      id: 'a'.repeat(64),
      pem: PEM,
      subject: 'CN=Corp Root',
      issuer: 'CN=Corp Root',
      notBefore: '',
      notAfter: '',
      fingerprint256: '',
      isCA: true,
      warnings: [],
    },
  ],
  nameserver: '10.10.0.2',
  ntpServers: ['ntp.corp.example', '10.10.0.3'],
  devices: {
    d1: {
      hostName: 'edge-plant4-01',
      edgeHostName: 'plant4-line2-01',
      nic: { name: 'eth0', mode: 'static', address: '10.10.0.11/24', gateway: '10.10.0.1', dns: ['10.10.0.2'] },
    },
  },
  endpoint: { kind: 'vip', vip: '10.10.0.50' },
});
const secrets = { edgeHostToken: 'TOKEN-canary-1234', proxyPassword: 'p@ss "word"\nwith:colon' };

describe('user-data', () => {
  it('local single-node: only what is set', () => {
    const text = renderUserData({
      site: site({ devices: { d1: { hostName: 'edge-01', edgeHostName: 'edge-01', nic: null } } }),
      plan: localSingle(),
      device: d1,
      secrets: {},
      mask: false,
    });
    golden('local-single', text);
    expect(text.split('\n')[0]).toBe('#cloud-config');
    expect(parse(text)).toEqual({
      install: { reboot: true, poweroff: false },
      stylus: { managementMode: 'local', site: { name: 'edge-01', hostName: 'edge-01' } },
    });
  });

  it('local multi-node: enableMultiNode on every host, Local UI port and user', () => {
    const s = site({ localUiPort: 5443, localUiUser: { name: 'kairos', passwordHash: '$6$saltsalt$' + 'a'.repeat(86) } });
    const text = renderUserData({ site: s, plan: localMulti(), device: d1, secrets: {}, mask: false });
    golden('local-multi', text);
    const doc = parse(text);
    expect(doc.stylus).toEqual({ managementMode: 'local', enableMultiNode: true, localUI: { port: 5443 } });
    expect(doc.stages.initramfs[0].users.kairos).toEqual({ groups: ['sudo'], passwd: s.localUiUser!.passwordHash });
  });

  it('central with proxy, CA and static IP: parses back to the entered values', () => {
    const centralPlan = plan({ mode: 'central' });
    const text = renderUserData({ site: centralSite, plan: centralPlan, device: d1, secrets, mask: false });
    golden('central-proxy-ca-static', text);
    const s = parse(text).stylus.site;
    expect(s.paletteEndpoint).toBe('api.palette.example.com');
    expect(s.edgeHostToken).toBe(secrets.edgeHostToken);
    expect(s.projectName).toBe('Edge Plants');
    expect(s.caCerts).toEqual([PEM + '\n']);
    expect(s.ntpServers).toEqual(['ntp.corp.example', '10.10.0.3']);
    expect(s.network.noProxy).toBe('10.10.0.0/24,.svc,.cluster.local');
    expect(s.network.interfaces).toEqual({
      eth0: { type: 'static', ipAddress: '10.10.0.11/24', gateway: '10.10.0.1', nameserver: '10.10.0.2' },
    });
    const proxy = new URL(s.network.httpProxy);
    expect(decodeURIComponent(proxy.username)).toBe('svc-edge');
    expect(decodeURIComponent(proxy.password)).toBe(secrets.proxyPassword);
  });

  it('options as documented: vip.skip, debug, site tags; every key written is in the table of documented keys', () => {
    const s = site({
      options: { vipSkip: true, debug: true, tags: { store: '0042', 'region/zone': 'north' } },
      installPath: '/data',
      localUiPort: 5443,
      localUiUser: { name: 'kairos', passwordHash: '$6$saltsalt$' + 'a'.repeat(86) },
    });
    const doc = parse(
      renderUserData({
        site: {
          ...centralSite,
          ...s,
          central: centralSite.central,
          proxy: centralSite.proxy,
          caCerts: centralSite.caCerts,
          devices: centralSite.devices,
          nameserver: centralSite.nameserver,
          ntpServers: centralSite.ntpServers,
        },
        plan: plan({ mode: 'central', topology: 'multi' }),
        device: d1,
        secrets,
        mask: false,
      }),
    );
    expect(doc.stylus.vip).toEqual({ skip: true });
    expect(doc.stylus.debug).toBe(true);
    expect(doc.stylus.site.tags).toEqual({ store: '0042', 'region/zone': 'north' });
    const paths: string[] = [];
    const walk = (v: unknown, at: string) => {
      if (
        at &&
        (USERDATA_KEYS[at] ||
          at === 'stylus.site.network.interfaces' ||
          at.startsWith('stylus.site.tags') ||
          at.startsWith('stages.initramfs'))
      )
        return void paths.push(at);
      if (v && typeof v === 'object' && !Array.isArray(v)) for (const [k, x] of Object.entries(v)) walk(x, at ? `${at}.${k}` : k);
      else paths.push(at);
    };
    walk(doc, '');
    expect(paths.filter((p) => !USERDATA_KEYS[p])).toEqual([]);
  });

  it("the Local UI user gets the admin group of the host's OS family: sudo on Debian/Ubuntu, wheel on RHEL/Rocky", () => {
    const withOs = (id: string, idLike: string[]) => ({ ...d1, facts: { ...d1.facts!, os: { ...d1.facts!.os, id, idLike } } });
    expect(adminGroups(withOs('ubuntu', ['debian']))).toEqual(['sudo']);
    expect(adminGroups(withOs('rocky', ['rhel', 'centos', 'fedora']))).toEqual(['wheel']);
    expect(adminGroups({ ...d1, facts: undefined })).toEqual(['sudo', 'wheel']);
  });

  it('the preview masks every secret', () => {
    const text = renderUserData({ site: centralSite, plan: plan({ mode: 'central' }), device: d1, secrets, mask: true });
    expect(text).not.toContain('TOKEN-canary');
    expect(text).not.toContain('word');
    expect(parse(text).stylus.site.edgeHostToken).toBe(MASK);
  });

  it('a value that looks like YAML stays a value: no key can be added', () => {
    const hostile = site({ central: { paletteEndpoint: 'api.example.com', projectName: 'x', projectUid: '' }, devices: {} });
    const text = renderUserData({
      site: hostile,
      plan: plan({ mode: 'central' }),
      device: d1,
      secrets: { edgeHostToken: 'x\nstylus:\n  managementMode: local\n#' },
      mask: false,
    });
    const doc = parse(text);
    expect(Object.keys(doc)).toEqual(['install', 'stylus']);
    expect(doc.stylus.managementMode).toBe('central');
    expect(doc.stylus.site.edgeHostToken).toBe('x\nstylus:\n  managementMode: local\n#');
  });
});

describe('NO_PROXY suggestions', () => {
  it('node IPs, VIP, cluster domains, the service CIDR; Canonical adds the second service IP', () => {
    const s = site({ endpoint: { kind: 'vip', vip: '10.10.0.50' } });
    const values = suggestNoProxy(s, plan({ distribution: 'canonical', roles: { d1: 'control-plane' } }), [d1]).map((x) => x.value);
    expect(values).toEqual([
      'localhost',
      '127.0.0.1',
      '.svc',
      '.cluster.local',
      '10.10.0.11',
      '10.10.0.50',
      '10.152.183.1',
      '10.152.183.0/24',
    ]);
    expect(secondAddress('10.96.0.0/12')).toBe('10.96.0.1');
  });
});
