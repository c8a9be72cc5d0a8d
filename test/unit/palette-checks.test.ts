import { describe, expect, it } from 'vitest';
import { defaultSite, type SiteConfig } from '../../common/site/model';
import { paletteCheckScript, parsePaletteTls, parsePaletteVersion } from '../../main/services/site/palette-checks';

const site = (over: Partial<SiteConfig> = {}): SiteConfig => ({
  ...defaultSite(),
  central: { paletteEndpoint: 'api.palette.example', projectName: 'p', projectUid: '' },
  ...over,
});

// curl 7.88 (OpenSSL 3) verbose lines as the device script filters them.
const TRUSTED = "rc=0\n*  subject: CN=api.palette.example\n*  issuer: C=US; O=Let's Encrypt; CN=R11\n";
const UNTRUSTED =
  'rc=60\n* SSL certificate problem: unable to get local issuer certificate\ncurl: (60) SSL certificate problem: unable to get local issuer certificate\npresented-subject: CN=api.palette.example\npresented-issuer: CN=Corp Intercept CA\n';
const WRONG_NAME =
  "rc=60\n* SSL: no alternative certificate subject name matches target host name 'api.palette.example'\ncurl: (60) SSL: no alternative certificate subject name matches target host name 'api.palette.example'\npresented-subject: CN=other.example\npresented-issuer: CN=R11\n";

describe('Palette TLS from the device', () => {
  it('passes a trusted certificate and shows its subject and issuer', () => {
    expect(parsePaletteTls(TRUSTED, site())).toMatchObject({
      status: 'pass',
      detail:
        'api.palette.example:443 answered TLS with a certificate the device trusts: subject "CN=api.palette.example", issued by "C=US; O=Let\'s Encrypt; CN=R11".',
    });
  });

  it('an untrusted issuer without a proxy asks for the CA that issued it', () => {
    const r = parsePaletteTls(UNTRUSTED, site());
    expect(r.status).toBe('block');
    expect(r.detail).toMatch(
      /does not trust the certificate api\.palette\.example presented \(subject "CN=api\.palette\.example", issued by "CN=Corp Intercept CA"\)/,
    );
    expect(r.detail).not.toMatch(/intercepting/);
  });

  it('an untrusted issuer through a proxy names a TLS-intercepting proxy', () => {
    const r = parsePaletteTls(UNTRUSTED, site({ proxy: { httpProxy: '', httpsProxy: 'http://10.0.0.1:3128', username: '', noProxy: [] } }));
    expect(r.detail).toMatch(/TLS-intercepting proxy/);
    expect(r.fix).toMatch(/proxy's CA certificate/);
  });

  it('a certificate for another name says so, proxy or not', () => {
    const r = parsePaletteTls(
      WRONG_NAME,
      site({ proxy: { httpProxy: '', httpsProxy: 'http://10.0.0.1:3128', username: '', noProxy: [] } }),
    );
    expect(r.detail).toMatch(/^The certificate presented \(subject "CN=other\.example".*\) is not for api\.palette\.example/);
  });

  it('no TLS answer, no name, no curl', () => {
    expect(
      parsePaletteTls("rc=7\ncurl: (7) Failed to connect to api.palette.example port 443 after 3 ms: Couldn't connect to server\n", site())
        .detail,
    ).toMatch(/^No TLS answer from api\.palette\.example:443 \(Failed to connect/);
    expect(parsePaletteTls('rc=6\ncurl: (6) Could not resolve host: api.palette.example\n', site()).detail).toMatch(/does not resolve/);
    expect(parsePaletteTls('curl missing\n', site()).status).toBe('unknown');
  });
});

describe('the agent version Palette expects', () => {
  const body = JSON.stringify({ spec: { latestVersion: { content: 'name: stylus\nversion: 4.5.5\nbuildId: "20241025"\n' } } });
  it('reads version from the YAML inside the documented answer', () => {
    expect(parsePaletteVersion(`${body}\n@@EAI-HTTP 200\n`, 'p.example')).toMatchObject({ status: 'pass', version: '4.5.5' });
  });
  it('a refused key, another status, or an answer without a version is a warning, never a version', () => {
    expect(parsePaletteVersion('{"code":"Unauthorized"}\n@@EAI-HTTP 401\n', 'p')).toMatchObject({
      status: 'warn',
      version: null,
      detail: expect.stringMatching(/refused the API key/),
    });
    expect(parsePaletteVersion('oops\n@@EAI-HTTP 502\n', 'p')).toMatchObject({
      status: 'warn',
      version: null,
      detail: expect.stringMatching(/HTTP 502/),
    });
    expect(parsePaletteVersion('{"spec":{}}\n@@EAI-HTTP 200\n', 'p')).toMatchObject({ status: 'warn', version: null });
    expect(parsePaletteVersion('not json\n@@EAI-HTTP 200\n', 'p')).toMatchObject({ status: 'warn', version: null });
  });
});

describe('the device script', () => {
  it('carries the API key and the proxy password only inside here-documents (stdin), never as arguments', () => {
    const s = site({ proxy: { httpProxy: '', httpsProxy: 'http://10.0.0.1:3128', username: 'svc', noProxy: ['.local'] } });
    const text = paletteCheckScript(s, { proxyPassword: 'pw"x', paletteApiKey: 'KEY-123' }, (n) => `s ${n}`).join('\n');
    const keyLines = text.split('\n').filter((l) => l.includes('KEY-123') || l.includes('pw\\"x'));
    expect(keyLines).toEqual(['proxy-user = "svc:pw\\"x"', 'header = "Apikey: KEY-123"']);
    expect(text).toContain('noproxy = ".local"');
    // Only certificate and error lines of curl's verbose output are passed on (it prints Proxy-Authorization).
    expect(text).toMatch(/grep -E '\^\\\*  \(subject\|issuer\):/);
  });
});
