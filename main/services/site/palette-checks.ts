import { parse as parseYaml } from 'yaml';
import { shQuote } from '../../../common/shell/quote';
import type { SiteConfig, SiteSecrets } from '../../../common/site/model';

/**
 * Central management, checked from the device itself before the install, through the site's proxy and with
 * the site's CA certificates added to the device's own trust store (as the agent will use them):
 * - does the Palette endpoint answer TLS on 443 with a certificate the device trusts (its subject and issuer
 *   are shown either way; a proxy that re-signs TLS with a CA the site did not give is named as such);
 * - with a Palette API key, which agent version the Palette instance expects, read with the documented
 *   `GET /v1/services/stylus/version` (header `Apikey`), so a bundle of another version is refused before it
 *   is applied. Source: librarium deployment-modes/agent-mode/install-agent-host.md ("Dedicated or
 *   On-Premises Palette Instance": the request, and `.spec.latestVersion.content` carrying `version: …`).
 *
 * Secrets (proxy password, API key) travel inside the script on stdin into a 0600 curl config file, never
 * on a command line; curl's verbose output is filtered to the certificate and error lines, so a
 * Proxy-Authorization header it prints is never passed on.
 */

const PEM = /^-----BEGIN CERTIFICATE-----\r?\n[A-Za-z0-9+/=\r\n]+-----END CERTIFICATE-----\r?\n?$/;
const SYSTEM_BUNDLES = ['/etc/ssl/certs/ca-certificates.crt', '/etc/pki/tls/certs/ca-bundle.crt', '/etc/ssl/ca-bundle.pem'];
export const STYLUS_VERSION_PATH = '/v1/services/stylus/version';
const HTTP_MARK = '@@EAI-HTTP ';

/** curl's config syntax: a double-quoted string with backslash escapes. */
export function curlQuote(s: string): string {
  return `"${s.replace(/\\/g, '\\\\').replace(/"/g, '\\"').replace(/\n/g, '\\n').replace(/\r/g, '\\r').replace(/\t/g, '\\t')}"`;
}

/** The curl config every request to Palette uses: the site's proxy (with its user), and its NO_PROXY list. */
export function curlProxyConfig(site: SiteConfig, secrets: SiteSecrets): string[] {
  const proxy = site.proxy.httpsProxy || site.proxy.httpProxy;
  if (!proxy) return [];
  return [
    `proxy = ${curlQuote(proxy)}`,
    ...(site.proxy.username ? [`proxy-user = ${curlQuote(`${site.proxy.username}:${secrets.proxyPassword ?? ''}`)}`] : []),
    ...(site.proxy.noProxy.length ? [`noproxy = ${curlQuote(site.proxy.noProxy.join(','))}`] : []),
  ];
}

/** Script sections `palette-tls` and (with an API key) `palette-version`; `sec` prints a section mark. */
export function paletteCheckScript(site: SiteConfig, secrets: SiteSecrets, sec: (name: string) => string): string[] {
  const endpoint = site.central.paletteEndpoint;
  const url = shQuote(`https://${endpoint}/`);
  const pems = site.caCerts.map((c) => c.pem.trim() + '\n').filter((p) => PEM.test(p));
  const config = [...curlProxyConfig(site, secrets), 'silent', 'show-error', 'max-time = 10'];
  const lines = [
    sec('palette-tls'),
    'if have curl; then',
    '  umask 077; d=$(mktemp -d)',
    `  for f in ${SYSTEM_BUNDLES.map(shQuote).join(' ')}; do if [ -r "$f" ]; then cat "$f" > "$d/ca.pem"; break; fi; done`,
    ...(pems.length ? [`  cat >> "$d/ca.pem" <<'EAI_SITE_CA'\n${pems.join('')}EAI_SITE_CA`] : []),
    `  cat > "$d/curl.cfg" <<'EAI_CURL_CONFIG'\n${config.join('\n')}\nEAI_CURL_CONFIG`,
    `  out=$(curl -v -o /dev/null -K "$d/curl.cfg" --cacert "$d/ca.pem" ${url} 2>&1); rc=$?`,
    '  echo "rc=$rc"',
    `  printf '%s\\n' "$out" | grep -E '^\\*  (subject|issuer):|^\\* SSL|^\\* schannel|^curl: \\([0-9]+\\)' | head -n 8`,
    '  if [ "$rc" -ne 0 ]; then',
    // What was presented, read without trusting it, so the technician sees whose certificate it is.
    `    curl -v -k -o /dev/null -K "$d/curl.cfg" ${url} 2>&1 | sed -n 's/^\\*  \\(subject\\|issuer\\): /presented-\\1: /p' | head -n 2`,
    '  fi',
  ];
  if (secrets.paletteApiKey) {
    lines.push(
      `  cat > "$d/key.cfg" <<'EAI_CURL_KEY'\nheader = ${curlQuote(`Apikey: ${secrets.paletteApiKey}`)}\nEAI_CURL_KEY`,
      `  ${sec('palette-version')}`,
      `  curl -K "$d/curl.cfg" -K "$d/key.cfg" --cacert "$d/ca.pem" -H 'Content-Type: application/json' -w ${shQuote(`\n${HTTP_MARK}%{http_code}\n`)} ${shQuote(`https://${endpoint}${STYLUS_VERSION_PATH}`)} 2>&1 | head -c 262144`,
    );
  }
  lines.push('  rm -rf "$d"', 'else echo "curl missing"; fi');
  return lines;
}

export interface PaletteTlsResult {
  status: 'pass' | 'block' | 'unknown';
  detail: string;
  fix: string;
}

/** Reads the `palette-tls` section. */
export function parsePaletteTls(text: string, site: SiteConfig): PaletteTlsResult {
  if (/curl missing/.test(text)) {
    return {
      status: 'unknown',
      detail: 'curl is not installed on the device, so TLS to Palette could not be tried.',
      fix: 'Install curl on the device, or check TLS to the Palette endpoint by hand.',
    };
  }
  const endpoint = site.central.paletteEndpoint;
  const rc = Number(/rc=(\d+)/.exec(text)?.[1] ?? -1);
  const field = (name: string) => new RegExp(`^(?:\\*\\s+)?${name}:\\s*(.+)$`, 'm').exec(text)?.[1]?.trim();
  const subject = field('subject') ?? field('presented-subject');
  const issuer = field('issuer') ?? field('presented-issuer');
  const error = (/^curl: \(\d+\) (.+)$/m.exec(text)?.[1] ?? /^\* SSL[^:]*: (.+)$/m.exec(text)?.[1] ?? '').trim().slice(0, 240);
  const proxy = site.proxy.httpsProxy || site.proxy.httpProxy;
  const cert = subject ? `subject "${subject}", issued by "${issuer ?? 'unknown'}"` : '';
  const siteCas = site.caCerts.length
    ? ` with the ${site.caCerts.length} CA certificate${site.caCerts.length === 1 ? '' : 's'} of the site added`
    : '';
  if (rc === 0) {
    return { status: 'pass', detail: `${endpoint}:443 answered TLS with a certificate the device trusts${siteCas}: ${cert}.`, fix: '' };
  }
  if (rc === 60 || rc === 51 || /certificate|issuer|subject name/i.test(error)) {
    const wrongName = /subject name|does not match|no alternative/i.test(error);
    if (proxy && !wrongName) {
      return {
        status: 'block',
        detail: `The certificate presented for ${endpoint} through the proxy (${cert || 'unreadable'}) is not trusted by the device (${error || `curl ${rc}`}). A TLS-intercepting proxy re-signs traffic with its own CA: that CA was not given.`,
        fix: "Add the proxy's CA certificate under CA certificates (the site's network team has it), then check again. If Palette is self-hosted with its own CA, add that CA instead.",
      };
    }
    return {
      status: 'block',
      detail: wrongName
        ? `The certificate presented (${cert || 'unreadable'}) is not for ${endpoint} (${error}).`
        : `The device does not trust the certificate ${endpoint} presented (${cert || 'unreadable'}): ${error || `curl ${rc}`}.`,
      fix: wrongName
        ? 'Check the Palette endpoint name (it must be the name on its certificate), and what answers for it on this network.'
        : 'Add the CA certificate that issued it under CA certificates (a self-hosted Palette usually has its own CA), then check again.',
    };
  }
  if (rc === 6) {
    return {
      status: 'block',
      detail: `${endpoint} does not resolve on the device.`,
      fix: "Set the site nameserver, or check that the device's DNS server knows the Palette endpoint.",
    };
  }
  return {
    status: 'block',
    detail: `No TLS answer from ${endpoint}:443${proxy ? ' through the proxy' : ''} (${error || `curl exit ${rc}`}).`,
    fix: proxy
      ? 'Check that the proxy allows CONNECT to the Palette endpoint on 443.'
      : 'Check that the device may reach the Palette endpoint on 443 (firewall, routing), or set the site proxy.',
  };
}

export interface PaletteVersionResult {
  status: 'pass' | 'warn';
  /** The agent version the Palette instance expects, when it said one. */
  version: string | null;
  detail: string;
  fix: string;
}

/** Reads the `palette-version` section: the response body, then the HTTP status curl wrote after it. */
export function parsePaletteVersion(text: string, endpoint: string): PaletteVersionResult {
  const at = text.lastIndexOf(HTTP_MARK);
  const code =
    at >= 0
      ? text
          .slice(at + HTTP_MARK.length)
          .trim()
          .slice(0, 3)
      : '';
  const body = at >= 0 ? text.slice(0, at) : text;
  if (code === '401' || code === '403') {
    return {
      status: 'warn',
      version: null,
      detail: `Palette refused the API key (HTTP ${code}).`,
      fix: 'Check the API key (Palette → Tenant Settings → API Keys), or leave it empty to skip this check.',
    };
  }
  if (code !== '200') {
    return {
      status: 'warn',
      version: null,
      detail: `Palette did not say which agent version it expects (${code ? `HTTP ${code}` : body.trim().slice(0, 200) || 'no answer'}).`,
      fix: 'Check TLS to Palette above; then check the agent version in Palette by hand.',
    };
  }
  let version: string | null = null;
  try {
    const json = JSON.parse(body) as { spec?: { latestVersion?: { content?: unknown } } };
    const content = json.spec?.latestVersion?.content;
    const parsed: unknown = typeof content === 'string' ? parseYaml(content) : null;
    const v = parsed && typeof parsed === 'object' ? (parsed as { version?: unknown }).version : undefined;
    if (typeof v === 'string' || typeof v === 'number') version = String(v).replace(/^v/, '');
  } catch {
    version = null;
  }
  if (!version) {
    return {
      status: 'warn',
      version: null,
      detail: `The answer of ${STYLUS_VERSION_PATH} carried no agent version.`,
      fix: 'Check the agent version in Palette by hand.',
    };
  }
  return {
    status: 'pass',
    version,
    detail: `Palette at ${endpoint} expects agent ${version}; the bundle must carry that version.`,
    fix: '',
  };
}
