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
    if (!s || s.length < 3) continue;
    // The value as typed, and as it appears inside a URL (proxy credentials) or a quoted JSON/YAML string.
    for (const form of new Set([s, encodeURIComponent(s), JSON.stringify(s).slice(1, -1)])) out = out.split(form).join(REDACTED);
  }
  return out.replace(URL_CREDENTIALS, `$1${REDACTED}$3`).replace(SECRET_KEYS, `$1${REDACTED}`);
}

/**
 * Redacts every string inside a value (keys too), for objects that are about to be serialised: redacting
 * the JSON text instead would miss a secret whose quotes or backslashes JSON escapes.
 */
export function redactDeep<T>(value: T, secrets: readonly (string | undefined)[] = []): T {
  const walk = (v: unknown): unknown => {
    if (typeof v === 'string') return redact(v, secrets);
    if (Array.isArray(v)) return v.map(walk);
    if (v && typeof v === 'object') return Object.fromEntries(Object.entries(v).map(([k, x]) => [redact(k, secrets), walk(x)]));
    return v;
  };
  return walk(value) as T;
}
