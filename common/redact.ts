/**
 * The one redaction function, used wherever text leaves main for a person or a file: logs, the run
 * journal, reports, profiles and support bundles. Known secret values are replaced wherever they
 * appear; so are credentials in URLs and the values of secret-named keys, whatever they hold.
 */
export const REDACTED = '[redacted]';

const SECRET_KEYS = /((?:edgeHostToken|password|passwd|passphrase|token|secret|proxyPassword)\s*[:=]\s*)("[^"]*"|'[^']*'|\S+)/gi;
const URL_CREDENTIALS = /(\b[a-z][a-z0-9+.-]*:\/\/[^/\s:@]+:)([^@\s/]+)(@)/gi;

export function redact(text: string, secrets: readonly (string | undefined)[] = []): string {
  let out = text;
  for (const s of secrets) {
    if (s && s.length >= 3) out = out.split(s).join(REDACTED);
  }
  return out.replace(URL_CREDENTIALS, `$1${REDACTED}$3`).replace(SECRET_KEYS, `$1${REDACTED}`);
}
