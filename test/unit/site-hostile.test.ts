import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { parse } from 'yaml';
import { siteSchema } from '../../common/site/schema';
import type { SiteConfig } from '../../common/site/model';
import { renderUserData } from '../../common/site/userdata';
import { plan } from './fixtures-facts';
import { device, site } from './site-fixtures';

/** Every string field of the site, and where its value lands in the user-data (undefined: not rendered). */
// eslint-disable-next-line @typescript-eslint/no-explicit-any -- a parsed YAML document has no static type
type Doc = any;
const FIELDS: { name: string; set: (s: SiteConfig, v: string) => SiteConfig; read: (doc: Doc) => unknown }[] = [
  {
    name: 'central.paletteEndpoint',
    set: (s, v) => ({ ...s, central: { ...s.central, paletteEndpoint: v } }),
    read: (d) => d.stylus.site?.paletteEndpoint,
  },
  {
    name: 'central.projectName',
    set: (s, v) => ({ ...s, central: { ...s.central, projectName: v } }),
    read: (d) => d.stylus.site?.projectName,
  },
  {
    name: 'central.projectUid',
    set: (s, v) => ({ ...s, central: { ...s.central, projectUid: v } }),
    read: (d) => d.stylus.site?.projectUid,
  },
  {
    name: 'proxy.httpProxy',
    set: (s, v) => ({ ...s, proxy: { ...s.proxy, httpProxy: v } }),
    read: (d) => d.stylus.site?.network?.httpProxy,
  },
  {
    name: 'proxy.httpsProxy',
    set: (s, v) => ({ ...s, proxy: { ...s.proxy, httpsProxy: v } }),
    read: (d) => d.stylus.site?.network?.httpsProxy,
  },
  { name: 'proxy.noProxy', set: (s, v) => ({ ...s, proxy: { ...s.proxy, noProxy: [v] } }), read: (d) => d.stylus.site?.network?.noProxy },
  { name: 'nameserver', set: (s, v) => ({ ...s, nameserver: v }), read: (d) => d.stylus.site?.network?.nameserver },
  { name: 'ntpServers', set: (s, v) => ({ ...s, ntpServers: [v] }), read: (d) => d.stylus.site?.ntpServers?.[0] },
  {
    name: 'devices.hostName',
    set: (s, v) => ({ ...s, devices: { d1: { hostName: v, edgeHostName: '', nic: null } } }),
    read: (d) => d.stylus.site?.hostName,
  },
  {
    name: 'devices.edgeHostName',
    set: (s, v) => ({ ...s, devices: { d1: { hostName: '', edgeHostName: v, nic: null } } }),
    read: (d) => d.stylus.site?.name,
  },
  {
    name: 'devices.nic.address',
    set: (s, v) => ({
      ...s,
      devices: { d1: { hostName: '', edgeHostName: '', nic: { name: 'eth0', mode: 'static', address: v, gateway: '', dns: [] } } },
    }),
    read: (d) => d.stylus.site?.network?.interfaces?.eth0?.ipAddress,
  },
  { name: 'installPath', set: (s, v) => ({ ...s, installPath: v }), read: (d) => d.stylus.path },
];

const hostile = fc.oneof(
  fc.string({ maxLength: 300 }),
  fc.string({ unit: 'grapheme', maxLength: 50 }),
  fc.constantFrom(
    "a'b",
    'a"b',
    'x\nstylus:\n  managementMode: local',
    '$(touch /tmp/canary)',
    '`id`',
    'a; b',
    '#x',
    '- item',
    '{a: 1}',
    '&anchor',
    '*alias',
    '!!binary x',
    '/ok/path',
    'edge-01',
    '10.0.0.5/24',
    'http://proxy:3128',
    '0123456789abcdef01234567',
  ),
);

describe('every site field, with arbitrary strings', () => {
  it.each(FIELDS.map((f) => [f.name, f]))('%s: refused with a message, or carried exactly without adding a key', (_name, field) => {
    fc.assert(
      fc.property(hostile, (value) => {
        const candidate = field.set(site(), value);
        const parsed = siteSchema.safeParse(candidate);
        if (!parsed.success) {
          expect(parsed.error.issues[0]!.message.length).toBeGreaterThan(10);
          return;
        }
        const text = renderUserData({
          site: parsed.data,
          plan: plan({ mode: 'central' }),
          device: device('d1', '10.10.0.11'),
          secrets: {},
          mask: false,
        });
        const doc = parse(text);
        expect(Object.keys(doc)).toEqual(['install', 'stylus']);
        expect(doc.stylus.managementMode).toBe('central');
        const landed = field.read(doc);
        if (landed !== undefined && value.trim() !== '' && value.trim() !== '/') expect(landed).toBe(value.trim());
      }),
      { numRuns: 300 },
    );
  });

  it('secrets are carried exactly, whatever they hold', () => {
    fc.assert(
      fc.property(fc.string({ maxLength: 200 }), (token) => {
        const text = renderUserData({
          site: site({ central: { paletteEndpoint: 'api.example.com', projectName: 'p', projectUid: '' } }),
          plan: plan({ mode: 'central' }),
          device: device('d1', '10.0.0.1'),
          secrets: { edgeHostToken: token },
          mask: false,
        });
        const doc = parse(text);
        expect(Object.keys(doc)).toEqual(['install', 'stylus']);
        if (token) expect(doc.stylus.site.edgeHostToken).toBe(token);
      }),
      { numRuns: 500 },
    );
  });
});
