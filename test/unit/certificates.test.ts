import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { parseCertificates } from '../../main/services/site/certificates';

const dir = mkdtempSync(join(tmpdir(), 'eai-cert-'));
function cert(name: string, args: string[]): string {
  execFileSync(
    'openssl',
    [
      'req',
      '-x509',
      '-newkey',
      'ec',
      '-pkeyopt',
      'ec_paramgen_curve:P-256',
      '-nodes',
      '-keyout',
      join(dir, `${name}.key`),
      '-out',
      join(dir, `${name}.pem`),
      '-subj',
      `/CN=${name}`,
      ...args,
    ],
    { stdio: 'ignore' },
  );
  return readFileSync(join(dir, `${name}.pem`), 'utf8');
}

describe('CA certificates', () => {
  const ca = cert('Corp Root CA', ['-days', '3650', '-addext', 'basicConstraints=critical,CA:TRUE']);
  const leaf = cert('server.corp', ['-days', '30', '-addext', 'basicConstraints=critical,CA:FALSE']);

  it('reads subject, issuer, validity and the SHA-256 fingerprint', () => {
    const [c] = parseCertificates(ca);
    const fp = execFileSync('openssl', ['x509', '-noout', '-fingerprint', '-sha256', '-in', join(dir, 'Corp Root CA.pem')])
      .toString()
      .split('=')[1]!
      .trim();
    expect(c).toMatchObject({ subject: 'CN=Corp Root CA', issuer: 'CN=Corp Root CA', isCA: true, warnings: [], fingerprint256: fp });
    expect(c!.id).toBe(fp.replace(/:/g, '').toLowerCase());
  });

  it('a bundle gives each certificate', () => {
    expect(parseCertificates(ca + '\n' + leaf).map((c) => c.subject)).toEqual(['CN=Corp Root CA', 'CN=server.corp']);
  });

  it('warns on a non-CA, an expired and a not-yet-valid certificate', () => {
    expect(parseCertificates(leaf)[0]!.warnings).toEqual([expect.stringMatching(/not a CA certificate/)]);
    expect(parseCertificates(ca, new Date('2100-01-01'))[0]!.warnings).toEqual([expect.stringMatching(/^Expired on/)]);
    expect(parseCertificates(ca, new Date('2000-01-01'))[0]!.warnings).toEqual([expect.stringMatching(/^Not valid until/)]);
  });

  it('refuses garbage with a specific message', () => {
    expect(() => parseCertificates('hello')).toThrow(/No PEM certificate/);
    expect(() => parseCertificates('-----BEGIN CERTIFICATE-----\nAAAA\n-----END CERTIFICATE-----')).toThrow(/could not be read/);
    expect(() => parseCertificates('x'.repeat(300 * 1024))).toThrow(/larger than 256 KiB/);
  });
});
