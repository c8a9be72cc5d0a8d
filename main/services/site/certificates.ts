import { X509Certificate } from 'node:crypto';
import { AppError } from '../../../common/errors';
import type { CaCertificate } from '../../../common/site/model';

const BLOCK = /-----BEGIN CERTIFICATE-----\r?\n[A-Za-z0-9+/=\r\n]+-----END CERTIFICATE-----/g;

/**
 * Reads every certificate in a PEM file with node:crypto's X509Certificate. Anything that is not a
 * certificate is refused; an expired, not-yet-valid or non-CA certificate is accepted with a warning
 * (a TLS-intercepting proxy's CA is what the cluster needs to trust).
 */
export function parseCertificates(text: string, now = new Date()): CaCertificate[] {
  if (text.length > 256 * 1024) {
    throw new AppError({
      code: 'INVALID_INPUT',
      message: 'That file is larger than 256 KiB: it is not a CA certificate.',
      fix: 'Choose the PEM file of the CA certificate (a few KiB).',
    });
  }
  const blocks = text.match(BLOCK) ?? [];
  if (blocks.length === 0) {
    throw new AppError({
      code: 'INVALID_INPUT',
      message: 'No PEM certificate was found in that file.',
      fix: 'Choose a PEM file: text that starts with -----BEGIN CERTIFICATE-----. A DER (.cer) file can be converted with: openssl x509 -inform der -in ca.cer -out ca.pem',
    });
  }
  return blocks.map((pem, i) => {
    let cert: X509Certificate;
    try {
      cert = new X509Certificate(pem);
    } catch (err) {
      throw new AppError({
        code: 'INVALID_INPUT',
        message: `Certificate ${i + 1} in that file could not be read: ${(err as Error).message}.`,
        fix: 'Export the CA certificate again as PEM and choose that file.',
      });
    }
    const notBefore = new Date(cert.validFrom);
    const notAfter = new Date(cert.validTo);
    const warnings: string[] = [];
    if (notAfter < now) warnings.push(`Expired on ${notAfter.toISOString().slice(0, 10)}.`);
    if (notBefore > now)
      warnings.push(`Not valid until ${notBefore.toISOString().slice(0, 10)}: check the laptop's and the devices' clocks.`);
    if (!cert.ca) warnings.push('This is not a CA certificate: a server certificate will not make the cluster trust a proxy or registry.');
    return {
      id: cert.fingerprint256.replace(/:/g, '').toLowerCase(),
      pem: cert.toString().trim(),
      subject: cert.subject.replace(/\n/g, ', '),
      issuer: cert.issuer.replace(/\n/g, ', '),
      notBefore: notBefore.toISOString(),
      notAfter: notAfter.toISOString(),
      fingerprint256: cert.fingerprint256,
      isCA: cert.ca,
      warnings,
    };
  });
}
