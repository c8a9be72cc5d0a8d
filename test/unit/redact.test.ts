import { describe, expect, it } from 'vitest';
import { redact, REDACTED } from '../../common/redact';

/**
 * One table of the forms a secret takes on its way into logs, journals, reports and support bundles. Each row:
 * the text, the secrets in memory (none: a support bundle read later), and what must not survive.
 */
const TOKEN = 'Tk9-secret-7f3a2c1e';
const QUOTED = "it's-a-pass";
const HTML = 'p<a>&"ss-42';

const CASES: [string, string, string[], string][] = [
  ['as typed', `token was ${TOKEN} here`, [TOKEN], TOKEN],
  ['wrapped across two lines by a terminal', `value: Tk9-secret-\n  7f3a2c1e end`, [TOKEN], '7f3a2c1e'],
  ['base64 alone', `blob ${Buffer.from(TOKEN).toString('base64')} end`, [TOKEN], Buffer.from(TOKEN).toString('base64').slice(4, 20)],
  [
    'base64 inside user:password (HTTP Basic), any alignment',
    `hdr ${Buffer.from(`svc-edge:${TOKEN}`).toString('base64')}`,
    [TOKEN],
    Buffer.from(`svc-edge:${TOKEN}`).toString('base64').slice(14, 30),
  ],
  ['Proxy-Authorization: Basic (no secret in memory)', 'Proxy-Authorization: Basic c3ZjOnBhc3N3b3Jk', [], 'c3ZjOnBhc3N3b3Jk'],
  ['Authorization: Bearer', 'Authorization: Bearer eyJhbGciOiJIUzI1NiJ9.e30.x', [], 'eyJhbGciOiJIUzI1NiJ9'],
  ['an Apikey header', 'Apikey: QMOI1ZVKVIoW6LM6uXqSWFPsjmt0juvl', [], 'QMOI1ZVKVIoW6LM6uXqSWFPsjmt0juvl'],
  ["bash xtrace quoting ('it'\\''s')", `+ export 'PASS=it'\\''s-a-pass'`, [QUOTED], `s-a-pass`],
  ['HTML-escaped', `<td>p&lt;a&gt;&amp;&quot;ss-42</td>`, [HTML], 'ss-42'],
  ['URL-encoded in a proxy URL', `http://svc:${encodeURIComponent(HTML)}@10.0.0.1:3128`, [HTML], 'ss-42'],
  [
    'YAML block scalar',
    'stylus:\n  site:\n    edgeHostToken: |\n      abcdef123456\n      second-line-789\n    name: x\n',
    [],
    'abcdef123456',
  ],
  ['YAML folded scalar', 'edgeHostToken: >-\n  folded-secret-one\n  folded-secret-two\nnext: 1\n', [], 'folded-secret-two'],
  ['JSON key', '{"edgeHostToken":"json-secret-9"}', [], 'json-secret-9'],
  ['JSON key with an escaped quote', '{"proxyPassword": "a\\"b-secret"}', [], 'b-secret'],
  ['--token X', 'palette-agent register --token flag-secret-1 --project p', [], 'flag-secret-1'],
  ['--password=X', 'cmd --password=eq-secret-2', [], 'eq-secret-2'],
  ['a multi-word value', 'password: correct horse battery staple', [], 'battery staple'],
  ['URL userinfo with @ in the password', 'https_proxy=http://svc:p@ss@word@proxy.local:3128/', [], 'ss@word'],
  ['URL userinfo with an empty user', 'http://:only-pass-3@proxy.local:8080', [], 'only-pass-3'],
];

describe('redaction', () => {
  it.each(CASES)('removes a secret %s', (_name, text, secrets, secretPart) => {
    const out = redact(text, secrets);
    expect(out).not.toContain(secretPart);
    expect(out).toContain(REDACTED);
  });

  it('keeps what is not secret readable', () => {
    expect(redact('Connecting to root@10.0.0.5:22', [])).toBe('Connecting to root@10.0.0.5:22');
    expect(redact('http://proxy.local:3128/', [])).toBe('http://proxy.local:3128/');
    expect(redact('Proxy user: svc-edge\nname: plant-4', [])).toBe('Proxy user: svc-edge\nname: plant-4');
    expect(redact('http://svc:pw-12345@proxy:3128', [])).toBe(`http://svc:${REDACTED}@proxy:3128`);
    expect(redact('stylus:\n  site:\n    edgeHostToken: |\n      abc123456\n    name: x\n', [])).toBe(
      `stylus:\n  site:\n    edgeHostToken: |\n      ${REDACTED}\n    name: x\n`,
    );
  });
});
