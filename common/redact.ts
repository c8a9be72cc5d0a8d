/**
 * The one redaction function, used wherever text leaves main for a person or a file: logs, the run
 * journal, reports, profiles and support bundles. Two layers:
 * - known secret values (typed this session) are replaced in every form they take on the way: as typed,
 *   URL-encoded, JSON-escaped, HTML-escaped, quoted by bash's xtrace, base64-encoded (alone or inside a longer
 *   base64 such as `user:password` in HTTP Basic), and wrapped across lines by a terminal;
 * - patterns, for text read later when the values are no longer in memory (a support bundle): URL userinfo,
 *   secret-named keys in YAML (block and folded scalars too), JSON and `key=value`, `--token X`-style flags,
 *   and Authorization / Proxy-Authorization / Apikey headers.
 * Secrets cannot contain a line break (validate.ts refuses them), so a wrapped secret is a display artefact.
 */
export const REDACTED = '[redacted]';

const KEY = String.raw`(?:edgeHostToken|[a-z_]*password|passwd|passphrase|[a-z_]*token|secret|apikey|api[_-]key|proxyPassword)`;
/** `password: two words`, `token=x`: the value runs to the end of the line (multi-word values included). */
const SECRET_KEYS = new RegExp(String.raw`(\b${KEY}\s*[:=][ \t]*)(?![|>][-+0-9]*[ \t]*$)("[^"\n]*"|'[^'\n]*'|[^\s"'{][^\n]*)`, 'gim');
/** `"edgeHostToken": "x"` (and with escaped quotes inside). */
const JSON_KEYS = new RegExp(String.raw`("${KEY}"\s*:\s*)"(?:[^"\\]|\\.)*"`, 'gi');
/** A YAML block or folded scalar under a secret-named key: every more-indented line after it. */
const YAML_BLOCK = new RegExp(String.raw`^([ \t]*)(-?[ \t]*${KEY}[ \t]*:[ \t]*[|>][-+0-9]*[ \t]*\n)((?:\1[ \t]+\S.*(?:\n|$))+)`, 'gim');
/** `--token X`, `--password=X`, `-p X` is too short to tell and is left alone. */
const FLAGS = /(--(?:[a-z-]*token|password|passphrase|secret|api-?key)(?:=|[ \t]+))("[^"]*"|'[^']*'|\S+)/gi;
/** `Authorization: Bearer x`, `Proxy-Authorization: Basic x`, `Apikey: x`. */
const HEADERS = /\b((?:proxy-)?authorization[ \t]*:[ \t]*(?:(?:basic|bearer|digest|token|negotiate)[ \t]+)?)([^\s]+)/gi;
/** scheme://userinfo@host: the userinfo up to the LAST "@" of the authority (a password may hold one). */
const URL_USERINFO = /(\b[a-z][a-z0-9+.-]*:\/\/)([^\s/?#]*)@(?=[^\s/?#@]*(?:[/?#\s]|$))/gi;

const escapeHtml = (s: string) => s.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;').replace(/"/g, '&quot;');

/** The base64 characters that depend on the secret's bytes only, for each alignment inside a longer blob. */
function base64Forms(s: string): string[] {
  // TextEncoder and btoa: common/ runs in the window too, where there is no Buffer.
  const bytes = new TextEncoder().encode(s);
  const out: string[] = [];
  for (let k = 0; k < 3; k++) {
    const b64 = btoa(String.fromCharCode(...new Uint8Array(k), ...bytes));
    const first = Math.ceil((8 * k) / 6);
    const last = Math.floor((8 * (k + bytes.length)) / 6);
    const inner = b64.slice(first, last);
    if (inner.length >= 6) out.push(inner);
  }
  return out;
}

/** Every form a known secret takes in text we keep or show. */
function formsOf(s: string): string[] {
  return [
    ...new Set([
      s,
      encodeURIComponent(s),
      JSON.stringify(s).slice(1, -1),
      escapeHtml(s),
      escapeHtml(s).replace(/'/g, '&#39;'),
      escapeHtml(s).replace(/'/g, '&#x27;'),
      // bash -x prints a value with a quote as 'it'\''s'.
      s.replace(/'/g, `'\\''`),
      ...base64Forms(s),
    ]),
  ].filter((f) => f.length >= 3);
}

const escapeRe = (s: string) => s.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');

export function redact(text: string, secrets: readonly (string | undefined)[] = []): string {
  let out = text;
  for (const s of secrets) {
    if (!s || s.length < 3) continue;
    for (const form of formsOf(s)) {
      out = out.split(form).join(REDACTED);
      // A terminal or a log line limit can wrap a long value: a line break (and indent) between any two characters.
      if (form.length >= 8 && out.includes('\n')) {
        const wrapped = new RegExp([...form].map(escapeRe).join(String.raw`(?:\r?\n[ \t]*)?`), 'g');
        out = out.replace(wrapped, REDACTED);
      }
    }
  }
  return out
    .replace(
      YAML_BLOCK,
      (_m, indent: string, head: string, body: string) => indent + head + body.replace(/^([ \t]+)\S.*$/gm, `$1${REDACTED}`),
    )
    .replace(URL_USERINFO, (_m, scheme: string, info: string) => {
      const colon = info.indexOf(':');
      return colon > 0 ? `${scheme}${info.slice(0, colon)}:${REDACTED}@` : `${scheme}${REDACTED}@`;
    })
    .replace(HEADERS, `$1${REDACTED}`)
    .replace(FLAGS, `$1${REDACTED}`)
    .replace(JSON_KEYS, `$1"${REDACTED}"`)
    .replace(SECRET_KEYS, (m, head: string, value: string) =>
      value.includes(REDACTED) && value.trim() === REDACTED ? m : `${head}${REDACTED}`,
    );
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
