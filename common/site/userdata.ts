import { stringify } from 'yaml';
import type { DeviceView } from '../model/device';
import type { Plan } from '../plan/model';
import { DEFAULT_LOCAL_UI_PORT, type SiteConfig, type SiteSecrets } from './model';

export const MASK = '********';

/**
 * Renders one device's user-data (a Kairos cloud-config) with a YAML library: only documented field
 * names, only the fields that are set. With `mask`, every secret is replaced, for the preview; the
 * unmasked copy exists only on its way to the device.
 */
export function renderUserData(args: { site: SiteConfig; plan: Plan; device: DeviceView; secrets: SiteSecrets; mask: boolean }): string {
  const { site, plan, device, secrets, mask } = args;
  const secret = (v: string | undefined) => (v === undefined || v === '' ? undefined : mask ? MASK : v);
  const dev = site.devices[device.id];

  const network: Record<string, unknown> = {};
  const proxyUrl = (url: string) => (url ? withCredentials(url, site.proxy.username, secret(secrets.proxyPassword)) : undefined);
  setIf(network, 'httpProxy', proxyUrl(site.proxy.httpProxy));
  setIf(network, 'httpsProxy', proxyUrl(site.proxy.httpsProxy));
  if (site.proxy.noProxy.length) network.noProxy = site.proxy.noProxy.join(',');
  setIf(network, 'nameserver', site.nameserver);
  if (dev?.nic) {
    const nic: Record<string, unknown> = { type: dev.nic.mode };
    if (dev.nic.mode === 'static') {
      setIf(nic, 'ipAddress', dev.nic.address);
      setIf(nic, 'gateway', dev.nic.gateway);
      if (dev.nic.dns.length) nic.nameserver = dev.nic.dns[0];
    }
    network.interfaces = { [dev.nic.name]: nic };
  }

  const siteBlock: Record<string, unknown> = {};
  if (plan.mode === 'central') {
    setIf(siteBlock, 'paletteEndpoint', site.central.paletteEndpoint);
    setIf(siteBlock, 'edgeHostToken', secret(secrets.edgeHostToken));
    if (site.central.projectUid) siteBlock.projectUid = site.central.projectUid;
    else setIf(siteBlock, 'projectName', site.central.projectName);
  }
  setIf(siteBlock, 'name', dev?.edgeHostName);
  setIf(siteBlock, 'hostName', dev?.hostName);
  if (site.caCerts.length) siteBlock.caCerts = site.caCerts.map((c) => c.pem.trim() + '\n');
  if (site.ntpServers.length) siteBlock.ntpServers = [...site.ntpServers];
  if (Object.keys(network).length) siteBlock.network = network;

  const stylus: Record<string, unknown> = { managementMode: plan.mode };
  if (site.installPath !== '/') stylus.path = site.installPath;
  if (plan.mode === 'local' && plan.topology === 'multi') stylus.enableMultiNode = true;
  if (site.localUiPort !== DEFAULT_LOCAL_UI_PORT) stylus.localUI = { port: site.localUiPort };
  if (Object.keys(siteBlock).length) stylus.site = siteBlock;

  const doc: Record<string, unknown> = { stylus };
  if (site.localUiUser) {
    doc.stages = {
      initramfs: [
        {
          name: 'Local UI user',
          users: { [site.localUiUser.name]: { groups: ['sudo'], passwd: mask ? MASK : site.localUiUser.passwordHash } },
        },
      ],
    };
  }
  return '#cloud-config\n' + stringify(doc, { lineWidth: 0 });
}

function setIf(target: Record<string, unknown>, key: string, value: string | undefined): void {
  if (value !== undefined && value !== '') target[key] = value;
}

function withCredentials(url: string, user: string, password: string | undefined): string {
  if (!user) return url;
  const u = new URL(url);
  u.username = encodeURIComponent(user);
  if (password) u.password = encodeURIComponent(password);
  // URL keeps the mask as it is; strip the trailing slash the URL class adds to an origin.
  return u.toString().replace(/\/$/, '');
}
