import { describe, expect, it } from 'vitest';
import { siteSchema } from '../../common/site/schema';
import { siteIssues } from '../../common/site/issues';
import {
  edgeHostNameSchema,
  hostNameSchema,
  inSubnet,
  installPathSchema,
  noProxyEntrySchema,
  osUserSchema,
  parseCidr,
  projectNameSchema,
  proxyUrlSchema,
} from '../../common/site/validate';
import { plan } from './fixtures-facts';
import { device, localMulti, site } from './site-fixtures';

/** Values every field must either refuse with a specific message or carry exactly. */
const HOSTILE = [
  "a'b",
  'a"b',
  'a\nb',
  'x\nstylus: {managementMode: local}',
  '$(reboot)',
  '`reboot`',
  'a;b',
  'ünï',
  'a'.repeat(5000),
  ' ',
  '\u0000',
  '#comment',
  '{a: 1}',
];

describe.each([
  ['proxy URL', proxyUrlSchema],
  ['NO_PROXY entry', noProxyEntrySchema],
  ['edge host name', edgeHostNameSchema],
  ['host name', hostNameSchema],
  ['install path', installPathSchema],
  ['OS user', osUserSchema],
  ['project name', projectNameSchema],
])('%s refuses hostile values with a message that says what to type', (_name, schema) => {
  it.each(HOSTILE.map((v) => [JSON.stringify(v).slice(0, 30), v]))('%s', (_n, value) => {
    const r = schema.safeParse(value);
    expect(r.success).toBe(false);
    expect(r.error!.issues[0]!.message.length).toBeGreaterThan(15);
  });
});

describe('field rules', () => {
  it('proxy URLs', () => {
    expect(proxyUrlSchema.safeParse('http://proxy.corp:3128').success).toBe(true);
    expect(proxyUrlSchema.safeParse('https://10.0.0.1:8443').success).toBe(true);
    expect(proxyUrlSchema.safeParse('http://user:pw@proxy:3128').error!.issues[0]!.message).toMatch(
      /type the user in "Proxy user" below, and its password appears next to it/,
    );
    expect(proxyUrlSchema.safeParse('socks5://proxy:1080').error!.issues[0]!.message).toMatch(/http:\/\/host:port/);
    expect(proxyUrlSchema.safeParse('http://proxy:3128/path').success).toBe(false);
  });
  it('edge host names: 128 characters, letters digits dashes', () => {
    expect(edgeHostNameSchema.safeParse('plant4-line2-01').success).toBe(true);
    expect(edgeHostNameSchema.safeParse('a'.repeat(128)).success).toBe(true);
    expect(edgeHostNameSchema.safeParse('a'.repeat(129)).error!.issues[0]!.message).toMatch(/128/);
    expect(edgeHostNameSchema.safeParse('plant_4').success).toBe(false);
    expect(edgeHostNameSchema.safeParse('-edge').success).toBe(false);
  });
  it('install paths are absolute and plain', () => {
    expect(installPathSchema.safeParse('/').success).toBe(true);
    expect(installPathSchema.safeParse('/data/spectro').success).toBe(true);
    expect(installPathSchema.safeParse('data').error!.issues[0]!.message).toMatch(/starts with \//);
    expect(installPathSchema.safeParse('/data/../etc').error!.issues[0]!.message).toMatch(/\.\./);
  });
  it('IP math', () => {
    expect(parseCidr('10.0.0.5/24')).not.toBeNull();
    expect(parseCidr('10.0.0.5')).toBeNull();
    expect(parseCidr('10.0.5/24')).toBeNull();
    expect(inSubnet('10.0.0.1', '10.0.0.5/24')).toBe(true);
    expect(inSubnet('10.0.1.1', '10.0.0.5/24')).toBe(false);
    expect(inSubnet('fd00::1', 'fd00::5/64')).toBe(true);
    expect(inSubnet('fd00::1', '10.0.0.5/24')).toBe(false);
  });
  it('the whole site schema refuses unknown keys and bad nested values, naming the field', () => {
    const bad = siteSchema.safeParse({ ...site(), extra: 1 });
    expect(bad.success).toBe(false);
    const nic = siteSchema.safeParse(
      site({
        devices: {
          d1: { hostName: '', edgeHostName: '', nic: { name: 'eth0', mode: 'static', address: '10.0.0.5', gateway: '', dns: [] } },
        },
      }),
    );
    expect(nic.error!.issues[0]!.path.join('.')).toBe('devices.d1.nic.address');
    expect(siteSchema.safeParse(site()).success).toBe(true);
  });
});

describe('site rules across fields', () => {
  const devices = [device('d1', '10.10.0.11'), device('d2', '10.10.0.12'), device('d3', '10.10.0.13')];
  const fields = (issues: ReturnType<typeof siteIssues>) => issues.filter((i) => i.severity === 'block').map((i) => i.field);

  it('a VIP equal to a node address is refused; outside every subnet is refused; a free one in the subnet passes', () => {
    expect(
      siteIssues(site({ endpoint: { kind: 'vip', vip: '10.10.0.12' } }), localMulti(), devices).find((i) => i.field === 'endpoint.vip')
        ?.message,
    ).toMatch(/d2's own address/);
    expect(
      siteIssues(site({ endpoint: { kind: 'vip', vip: '192.168.9.9' } }), localMulti(), devices).find((i) => i.field === 'endpoint.vip')
        ?.message,
    ).toMatch(/none of the hosts' subnets/);
    expect(fields(siteIssues(site({ endpoint: { kind: 'vip', vip: '10.10.0.50' } }), localMulti(), devices))).toEqual([]);
  });
  it('multi-node needs an endpoint; DDNS needs host and domain', () => {
    expect(fields(siteIssues(site(), localMulti(), devices))).toEqual(['endpoint.vip']);
    expect(fields(siteIssues(site({ endpoint: { kind: 'ddns', hostName: '', searchDomain: '' } }), localMulti(), devices))).toEqual([
      'endpoint.hostName',
      'endpoint.searchDomain',
    ]);
  });
  it("a static gateway must sit inside the address's subnet", () => {
    const s = site({
      endpoint: { kind: 'vip', vip: '10.10.0.50' },
      devices: {
        d1: {
          hostName: '',
          edgeHostName: '',
          nic: { name: 'eth0', mode: 'static', address: '10.10.0.11/24', gateway: '10.20.0.1', dns: [] },
        },
      },
    });
    expect(siteIssues(s, localMulti(), devices).find((i) => i.field === 'devices.d1.nic.gateway')?.message).toMatch(
      /not inside 10\.10\.0\.11\/24/,
    );
  });
  it('central management needs the endpoint and (when secrets are known) the token; the project may be left out', () => {
    const central = plan({ mode: 'central' });
    const issues = siteIssues(site(), central, [devices[0]!], {}, { secretsKnown: true });
    expect(issues.filter((i) => i.severity === 'block').map((i) => i.field)).toEqual(['central.paletteEndpoint', 'secrets.edgeHostToken']);
    // Left empty, the token's default project is used; a name that does not exist never registers: both warned.
    expect(issues.find((i) => i.field === 'central.projectName')).toMatchObject({
      severity: 'warn',
      message: expect.stringMatching(/default project/),
    });
    const named = siteIssues(site({ central: { paletteEndpoint: 'api.example.com', projectName: 'Edge', projectUid: '' } }), central, [
      devices[0]!,
    ]);
    expect(named.find((i) => i.field === 'central.projectName')).toMatchObject({
      severity: 'warn',
      message: expect.stringMatching(/never registers/),
    });
  });
  it('a single node may use its own address as the VIP (kube-vip turns itself off): explained, not blocked', () => {
    const single = plan({ roles: { d1: 'control-plane' }, leader: 'd1' });
    const own = siteIssues(site({ endpoint: { kind: 'vip', vip: '10.10.0.11' } }), single, [devices[0]!]).find(
      (i) => i.field === 'endpoint.vip',
    );
    expect(own).toMatchObject({ severity: 'warn', message: expect.stringMatching(/kube-vip then turns itself off/) });
  });
  it('local management without a Local UI user is warned: Local UI needs an OS user with a password', () => {
    expect(siteIssues(site(), plan({ mode: 'local' }), [devices[0]!]).find((i) => i.field === 'localUiUser.name')).toMatchObject({
      severity: 'warn',
    });
  });
  it('Canonical refuses a custom install path; duplicate names are refused', () => {
    expect(fields(siteIssues(site({ installPath: '/data' }), plan({ distribution: 'canonical' }), [devices[0]!]))).toEqual(['installPath']);
    const dup = site({
      endpoint: { kind: 'vip', vip: '10.10.0.50' },
      devices: { d1: { hostName: 'edge', edgeHostName: 'e1', nic: null }, d2: { hostName: 'edge', edgeHostName: 'e1', nic: null } },
    });
    expect(fields(siteIssues(dup, localMulti(), devices))).toEqual(['devices.d2.hostName', 'devices.d2.edgeHostName']);
  });
});
