import type { DeviceView } from '../../../common/model/device';
import type { Plan } from '../../../common/plan/model';
import { splitSections, SECTION_MARK } from '../../../common/probe/sections';
import { shQuote, tcpConnectCommand } from '../../../common/shell/quote';
import type { SiteConfig, SiteSecrets } from '../../../common/site/model';
import type { SshSession } from '../ssh/session';
import { curlProxyConfig, paletteCheckScript, parsePaletteTls, parsePaletteVersion, STYLUS_VERSION_PATH } from './palette-checks';

export type SiteCheckId =
  'vip-free' | 'gateway' | 'dns-endpoint' | 'dns-ntp' | 'proxy-tcp' | 'proxy-connect' | 'palette-tls' | 'palette-version' | 'clock';

/** What each survey check proves, in words (the window and the install's refusal show these, never the ids). */
export const SITE_CHECK_TITLES: Record<SiteCheckId, string> = {
  'vip-free': 'The VIP is free (nothing answers on it)',
  gateway: 'The gateway answers',
  'dns-endpoint': 'The Palette endpoint resolves',
  'dns-ntp': 'The NTP servers resolve',
  'proxy-tcp': 'The proxy accepts a connection',
  'proxy-connect': 'The proxy lets the device through to Palette',
  'palette-tls': 'Palette answers TLS on 443 with a certificate the device trusts',
  'palette-version': 'The agent version Palette expects',
  clock: 'The device clock is right',
};

export interface SiteCheck {
  id: SiteCheckId;
  target: string;
  status: 'pass' | 'warn' | 'block' | 'unknown';
  /** What was tried, so the technician can repeat it by hand. */
  method: string;
  detail: string;
  fix: string;
  /** A value the check read (the agent version Palette expects). */
  value?: string;
}

/**
 * The site survey, run from the device itself before anything is written: is the VIP free, does the
 * gateway answer, do the Palette endpoint and NTP servers resolve, does the proxy accept a connection
 * (and a CONNECT to Palette), how far is the clock. One exec; every value is quoted by shQuote; the proxy
 * password travels inside the script on stdin into a 0600 temporary file, never on a command line.
 */
export function siteCheckScript(site: SiteConfig, plan: Plan, device: DeviceView, secrets: SiteSecrets): string {
  const lines = [
    'export LC_ALL=C',
    'PATH=$PATH:/usr/local/sbin:/usr/sbin:/sbin',
    `s() { printf '\\n${SECTION_MARK}%s@@\\n' "$1"; }`,
    'have() { command -v "$1" >/dev/null 2>&1; }',
  ];
  const vip = site.endpoint.kind === 'vip' ? site.endpoint.vip : '';
  if (vip) {
    const q = shQuote(vip);
    lines.push(
      `s vip`,
      // ping and arping at once: a free VIP is proven by silence, and each waits for it (2–3 s together, not 5).
      'vt=$(mktemp)',
      `if have ping; then ( ping -c 2 -W 1 ${q} >/dev/null 2>&1 && echo "ping answered" || echo "ping silent" ) > "$vt" & else echo "ping missing" > "$vt"; fi`,
      // A host that drops ICMP still answers ARP: the neighbour table (or arping) tells.
      `if have arping; then dev=$(ip -o route get ${q} 2>/dev/null | sed -n 's/.* dev \\([^ ]*\\).*/\\1/p'); if [ -n "$dev" ]; then arping -c 2 -w 3 -I "$dev" ${q} >/dev/null 2>&1 && echo "arping answered" || echo "arping silent"; fi; fi`,
      'wait; cat "$vt"; rm -f "$vt"',
      `ip neigh show ${q} 2>/dev/null | grep -q lladdr && echo "neighbour known" || echo "neighbour none"`,
    );
  }
  const staticGw = site.devices[device.id]?.nic?.mode === 'static' ? site.devices[device.id]!.nic!.gateway : '';
  lines.push(
    's gateway',
    staticGw
      ? `gw=${shQuote(staticGw)}`
      : `gw=$(ip route show default 2>/dev/null | sed -n 's/^default via \\([^ ]*\\).*/\\1/p' | head -n 1)`,
    'if [ -z "$gw" ]; then echo "none"; elif ping -c 2 -W 1 "$gw" >/dev/null 2>&1; then echo "answered $gw"; else echo "silent $gw"; fi',
  );
  if (plan.mode === 'central' && site.central.paletteEndpoint) {
    lines.push('s dns-endpoint', `getent hosts ${shQuote(site.central.paletteEndpoint)} || echo "unresolved"`);
  }
  for (const [i, ntp] of site.ntpServers.entries()) {
    lines.push(`s dns-ntp-${i}`, `getent hosts ${shQuote(ntp)} || echo "unresolved"`);
  }
  const proxy = site.proxy.httpsProxy || site.proxy.httpProxy;
  if (proxy) {
    const u = new URL(proxy);
    const port = u.port || (u.protocol === 'https:' ? '443' : '80');
    lines.push(
      's proxy-tcp',
      `if have timeout && have bash; then ${tcpConnectCommand(u.hostname.replace(/^\[(.*)\]$/, '$1'), port, 5)} 2>&1 && echo "open" || echo "closed $?"; else echo "untested"; fi`,
    );
    if (plan.mode === 'central' && site.central.paletteEndpoint) {
      const config = curlProxyConfig(site, secrets).join('\n');
      lines.push(
        's proxy-connect',
        'if have curl; then',
        '  umask 077; cfg=$(mktemp)',
        `  cat > "$cfg" <<'EAI_CURL_CONFIG'\n${config}\nEAI_CURL_CONFIG`,
        `  code=$(curl -sS -o /dev/null -w '%{http_code}' --max-time 8 -K "$cfg" ${shQuote(`https://${site.central.paletteEndpoint}/`)} 2>&1); rc=$?`,
        '  rm -f "$cfg"; echo "rc=$rc code=$code"',
        'else echo "curl missing"; fi',
      );
    }
  }
  if (plan.mode === 'central' && site.central.paletteEndpoint) lines.push(...paletteCheckScript(site, secrets, (name) => `s ${name}`));
  lines.push('s end');
  return lines.join('\n') + '\n';
}

export function parseSiteChecks(output: string, site: SiteConfig, device: DeviceView): SiteCheck[] {
  const sec = splitSections(output);
  const out: SiteCheck[] = [];
  const vip = sec.get('vip');
  if (vip !== undefined && site.endpoint.kind === 'vip') {
    const answered = /ping answered|arping answered|neighbour known/.test(vip);
    const methods = ['ping', ...(/arping/.test(vip) ? ['arping'] : []), 'neighbour table'].filter(
      (m) => !(m === 'ping' && /ping missing/.test(vip)),
    );
    out.push({
      id: 'vip-free',
      target: site.endpoint.vip,
      status: answered ? 'block' : 'pass',
      method: methods.join(' + '),
      detail: answered
        ? `Something answers at ${site.endpoint.vip} (${vip
            .split('\n')
            .filter((l) => /answered|known/.test(l))
            .join(', ')}).`
        : `Nothing answered at ${site.endpoint.vip}.`,
      fix: answered ? "Choose another free address on this network for the VIP (ask the site's network owner), or use Dynamic DNS." : '',
    });
  }
  const gw = (sec.get('gateway') ?? '').trim();
  if (gw) {
    const [state, addr] = gw.split(' ');
    out.push({
      id: 'gateway',
      target: addr ?? 'default route',
      status: state === 'answered' ? 'pass' : 'warn',
      method: 'ping',
      detail:
        state === 'none'
          ? `${device.label} has no default route.`
          : state === 'answered'
            ? `The gateway ${addr} answered.`
            : `The gateway ${addr} did not answer ping (it may drop ICMP).`,
      fix:
        state === 'none'
          ? 'Give the device a default route: an airgapped host still needs one for Kubernetes.'
          : state === 'answered'
            ? ''
            : 'Check the gateway address and the cabling.',
    });
  }
  const dns = sec.get('dns-endpoint');
  if (dns !== undefined) {
    const ok = !/unresolved/.test(dns) && dns.trim() !== '';
    out.push({
      id: 'dns-endpoint',
      target: site.central.paletteEndpoint,
      status: ok ? 'pass' : 'block',
      method: 'getent hosts',
      detail: ok ? `Resolves to ${dns.trim().split(/\s+/)[0]}.` : 'Does not resolve on the device.',
      fix: ok ? '' : "Set the site nameserver, or check that the device's DNS server knows the Palette endpoint.",
    });
  }
  site.ntpServers.forEach((ntp, i) => {
    const r = sec.get(`dns-ntp-${i}`);
    if (r === undefined) return;
    const ok = !/unresolved/.test(r) && r.trim() !== '';
    out.push({
      id: 'dns-ntp',
      target: ntp,
      status: ok ? 'pass' : 'warn',
      method: 'getent hosts',
      detail: ok ? `Resolves to ${r.trim().split(/\s+/)[0]}.` : 'Does not resolve on the device.',
      fix: ok ? '' : "Use the NTP server's IP address, or fix DNS.",
    });
  });
  const tcp = sec.get('proxy-tcp');
  if (tcp !== undefined) {
    const open = tcp.trim().startsWith('open');
    out.push({
      id: 'proxy-tcp',
      target: site.proxy.httpsProxy || site.proxy.httpProxy,
      status: /untested/.test(tcp) ? 'unknown' : open ? 'pass' : 'block',
      method: 'TCP connect (bash /dev/tcp)',
      detail: open
        ? 'The proxy accepts connections.'
        : /untested/.test(tcp)
          ? 'bash or timeout is missing on the device.'
          : `No TCP connection to the proxy (${tcp.trim()}).`,
      fix: open ? '' : 'Check the proxy address and port, and any firewall between the device and the proxy.',
    });
  }
  const connect = sec.get('proxy-connect');
  if (connect !== undefined) {
    const m = /rc=(\d+) code=(\d+)/.exec(connect);
    const ok = !!m && m[1] === '0' && m[2] !== '000' && m[2] !== '407';
    out.push({
      id: 'proxy-connect',
      target: site.central.paletteEndpoint,
      status: /curl missing/.test(connect) ? 'unknown' : ok ? 'pass' : 'block',
      method: 'curl through the proxy (CONNECT)',
      detail: /curl missing/.test(connect)
        ? 'curl is not installed on the device.'
        : m?.[2] === '407'
          ? 'The proxy asks for credentials (407).'
          : ok
            ? `Palette answered through the proxy (HTTP ${m![2]}).`
            : `No answer from Palette through the proxy (${connect.trim().slice(0, 200)}).`,
      fix: ok
        ? ''
        : m?.[2] === '407'
          ? 'Enter the proxy user and password.'
          : 'Check that the proxy allows CONNECT to the Palette endpoint on 443, and its TLS interception CA.',
    });
  }
  const tls = sec.get('palette-tls');
  if (tls !== undefined) {
    out.push({
      id: 'palette-tls',
      target: `${site.central.paletteEndpoint}:443`,
      method: 'curl from the device (site proxy and CA certificates)',
      ...parsePaletteTls(tls, site),
    });
  }
  const version = sec.get('palette-version');
  if (version !== undefined) {
    const r = parsePaletteVersion(version, site.central.paletteEndpoint);
    out.push({
      id: 'palette-version',
      target: site.central.paletteEndpoint,
      status: r.status,
      method: `GET ${STYLUS_VERSION_PATH} with the API key`,
      detail: r.detail,
      fix: r.fix,
      ...(r.version ? { value: r.version } : {}),
    });
  }
  const clock = device.facts?.software.clock;
  if (clock && clock.offsetMs !== null) {
    const abs = Math.abs(clock.offsetMs);
    out.push({
      id: 'clock',
      target: device.label,
      status: abs <= 5000 ? 'pass' : abs <= 300000 ? 'warn' : 'block',
      method: 'device clock against this laptop',
      detail: `Offset ${clock.offsetMs} ms (± ${clock.uncertaintyMs} ms).`,
      fix: abs <= 5000 ? '' : 'Set the device clock or enable NTP, then read the device again.',
    });
  }
  return out;
}

export async function runSiteChecks(
  session: SshSession,
  site: SiteConfig,
  plan: Plan,
  device: DeviceView,
  secrets: SiteSecrets,
): Promise<SiteCheck[]> {
  const result = await session.exec('sh -s', { stdin: siteCheckScript(site, plan, device, secrets), timeoutMs: 90_000 });
  return parseSiteChecks(result.stdout, site, device);
}
