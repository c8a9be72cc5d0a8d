import { stringify } from 'yaml';
import type { DeviceView } from '../model/device';
import type { Plan } from '../plan/model';
import { DEFAULT_LOCAL_UI_PORT, type SiteConfig, type SiteSecrets } from './model';

export const MASK = '********';

const INSTALLER_REF = 'https://docs.spectrocloud.com/clusters/edge/edge-configuration/installer-reference/';
const AGENT_INSTALL = 'https://docs.spectrocloud.com/deployment-modes/agent-mode/install-agent-host/';
/**
 * Every key the renderer may write, with the page that documents it. A test renders a site with every
 * option set and fails on any key missing here, so no key is written from a guess.
 */
export const USERDATA_KEYS: Record<string, string> = {
  'install.reboot': AGENT_INSTALL,
  'install.poweroff': AGENT_INSTALL,
  'stylus.managementMode': 'https://docs.spectrocloud.com/clusters/edge/local-ui/host-management/airgap-install/',
  'stylus.path': INSTALLER_REF,
  'stylus.enableMultiNode': 'https://docs.spectrocloud.com/clusters/edge/local-ui/cluster-management/link-hosts/',
  'stylus.localUI.port': 'https://docs.spectrocloud.com/clusters/edge/local-ui/host-management/access-console/',
  'stylus.vip.skip': INSTALLER_REF,
  'stylus.debug': INSTALLER_REF,
  'stylus.site.paletteEndpoint': INSTALLER_REF,
  'stylus.site.edgeHostToken': INSTALLER_REF,
  'stylus.site.projectName': INSTALLER_REF,
  'stylus.site.projectUid': INSTALLER_REF,
  'stylus.site.name': INSTALLER_REF,
  'stylus.site.hostName': INSTALLER_REF,
  'stylus.site.tags': INSTALLER_REF,
  'stylus.site.caCerts': INSTALLER_REF,
  'stylus.site.ntpServers': INSTALLER_REF,
  'stylus.site.network.httpProxy': INSTALLER_REF,
  'stylus.site.network.httpsProxy': INSTALLER_REF,
  'stylus.site.network.noProxy': INSTALLER_REF,
  'stylus.site.network.nameserver': INSTALLER_REF,
  'stylus.site.network.interfaces': INSTALLER_REF,
  'stages.initramfs': 'https://kairos.io/docs/reference/configuration/',
};

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
  if (Object.keys(site.options.tags).length) siteBlock.tags = { ...site.options.tags };
  setIf(siteBlock, 'hostName', dev?.hostName);
  if (site.caCerts.length) siteBlock.caCerts = site.caCerts.map((c) => c.pem.trim() + '\n');
  if (site.ntpServers.length) siteBlock.ntpServers = [...site.ntpServers];
  if (Object.keys(network).length) siteBlock.network = network;

  const stylus: Record<string, unknown> = { managementMode: plan.mode };
  if (site.installPath !== '/') stylus.path = site.installPath;
  if (plan.mode === 'local' && plan.topology === 'multi') stylus.enableMultiNode = true;
  if (site.localUiPort !== DEFAULT_LOCAL_UI_PORT) stylus.localUI = { port: site.localUiPort };
  if (site.options.vipSkip) stylus.vip = { skip: true };
  if (site.options.debug) stylus.debug = true;
  if (Object.keys(siteBlock).length) stylus.site = siteBlock;

  // Every documented agent-mode example reboots after the install and does not power off.
  const doc: Record<string, unknown> = { install: { reboot: true, poweroff: false }, stylus };
  if (site.localUiUser) {
    doc.stages = {
      initramfs: [
        {
          name: 'Local UI user',
          users: { [site.localUiUser.name]: { groups: adminGroups(device), passwd: mask ? MASK : site.localUiUser.passwordHash } },
        },
      ],
    };
  }
  return '#cloud-config\n' + stringify(doc, { lineWidth: 0 });
}

/**
 * The admin group of the host's OS family: `sudo` on Debian and Ubuntu, `wheel` on RHEL, Rocky and their
 * kin. The stage skips a group the host lacks without a word (device-contract §2; Kairos user stages,
 * https://kairos.io/docs/reference/configuration/), so the wrong one would leave the Local UI user
 * without admin rights; when the OS is not known yet, both are listed (the missing one is skipped).
 */
export function adminGroups(device: DeviceView): string[] {
  const os = device.facts?.os;
  if (!os) return ['sudo', 'wheel'];
  const family = [os.id, ...os.idLike].filter((f): f is string => !!f);
  if (family.some((f) => ['rhel', 'rocky', 'centos', 'fedora', 'almalinux', 'ol', 'sles', 'suse', 'opensuse'].includes(f)))
    return ['wheel'];
  if (family.some((f) => ['debian', 'ubuntu'].includes(f))) return ['sudo'];
  return ['sudo', 'wheel'];
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
