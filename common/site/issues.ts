import type { DeviceView } from '../model/device';
import type { Plan } from '../plan/model';
import type { SiteConfig, SiteSecrets } from './model';
import { inSubnet, parseCidr } from './validate';
import type { SiteNeeds } from '../requirements/catalog';

/** A problem with the site as a whole, pinned to the field the form shows it next to. */
export interface SiteIssue {
  field: string; // a dotted path: central.paletteEndpoint, devices.<id>.nic.gateway, endpoint.vip ...
  message: string;
  severity: 'block' | 'warn';
}

/** Addresses a device has (or will have): its static address, else what its NICs reported. */
export function deviceAddresses(d: DeviceView, site: SiteConfig): { address: string; cidr: string }[] {
  const fixed = staticAddressOf(site, d.id);
  if (fixed) return [{ address: fixed, cidr: site.devices[d.id]!.nic!.address }];
  return (d.facts?.nics ?? []).flatMap((n) => n.addresses.map((a) => ({ address: a.address, cidr: `${a.address}/${a.prefix}` })));
}

/** The static address the site gives this device (no prefix), when there is one. */
export function staticAddressOf(site: SiteConfig, deviceId: string): string | undefined {
  const nic = site.devices[deviceId]?.nic;
  return nic?.mode === 'static' && parseCidr(nic.address) ? nic.address.split('/')[0] : undefined;
}

/** What this device's user-data will ask of its OS (the catalog's enabled-unit checks follow it). */
export function siteNeeds(site: SiteConfig, deviceId: string): SiteNeeds {
  const nic = site.devices[deviceId]?.nic;
  return {
    staticAddress: nic?.mode === 'static',
    nameserver: !!site.nameserver || (nic?.mode === 'static' && nic.dns.length > 0),
    ntpServers: site.ntpServers.length > 0,
  };
}

/** Cross-field and completeness rules; field formats are checked by siteSchema. */
export function siteIssues(
  site: SiteConfig,
  plan: Plan,
  devices: DeviceView[],
  secrets: SiteSecrets = {},
  opts: { secretsKnown?: boolean } = {},
): SiteIssue[] {
  const out: SiteIssue[] = [];
  const block = (field: string, message: string) => out.push({ field, message, severity: 'block' });
  const warn = (field: string, message: string) => out.push({ field, message, severity: 'warn' });
  const members = devices.filter((d) => plan.roles[d.id]);

  if (plan.mode === 'central') {
    if (!site.central.paletteEndpoint)
      block('central.paletteEndpoint', 'Central management needs the Palette endpoint host name (for example api.spectrocloud.com).');
    // Both may be left out when the registration token has a default project; a name that does not exist never
    // registers (installer reference, site parameters: https://docs.spectrocloud.com/clusters/edge/edge-configuration/installer-reference/).
    if (!site.central.projectName && !site.central.projectUid)
      warn('central.projectName', 'No project: the host registers only if its registration token has a default project in Palette.');
    else if (site.central.projectName && !site.central.projectUid)
      warn(
        'central.projectName',
        `Check the spelling of the project "${site.central.projectName}" in Palette: a project name that does not exist means the host never registers, and nothing on the host says why.`,
      );
    if (site.central.projectName && site.central.projectUid)
      warn('central.projectUid', 'Both a project name and a uid are set: the uid is used.');
    if (opts.secretsKnown && !secrets.edgeHostToken)
      block('secrets.edgeHostToken', 'Enter the edge host registration token from Palette (Tenant settings → Registration tokens).');
  }
  if (site.proxy.username && opts.secretsKnown && !secrets.proxyPassword)
    block('secrets.proxyPassword', 'The proxy user needs its password.');
  if (site.proxy.username && !site.proxy.httpProxy && !site.proxy.httpsProxy)
    warn('proxy.username', 'A proxy user is set but no proxy address.');

  if (site.installPath !== '/' && plan.distribution === 'canonical') {
    block('installPath', 'Palette Optimized Canonical does not support a custom install path: leave it at /.');
  } else if (site.installPath !== '/') {
    warn('installPath', 'A custom install path is documented as risky; use it only where the root filesystem cannot hold the agent.');
  }
  // Local UI accepts any OS user with a password (https://docs.spectrocloud.com/clusters/edge/local-ui/host-management/access-console/).
  if (plan.mode === 'local' && !site.localUiUser)
    warn(
      'localUiUser.name',
      'Local UI accepts any OS user that has a password. Unless the hosts already have one, add a Local UI user here, or nobody can sign in to Local UI.',
    );
  if (site.localUiUser && site.localUiUser.name === 'root')
    block('localUiUser.name', 'Do not create a second root: choose another user name for Local UI.');

  const hostNames = new Map<string, string>();
  const edgeNames = new Map<string, string>();
  for (const d of members) {
    const s = site.devices[d.id];
    const name = s?.hostName || d.facts?.hostname || '';
    if (name) {
      if (hostNames.has(name))
        block(
          `devices.${d.id}.hostName`,
          `${d.label} and ${hostNames.get(name)} would both be called ${name}; every host needs its own name.`,
        );
      hostNames.set(name, d.label);
    }
    if (s?.edgeHostName) {
      if (edgeNames.has(s.edgeHostName))
        block(`devices.${d.id}.edgeHostName`, `The edge host name ${s.edgeHostName} is already used by ${edgeNames.get(s.edgeHostName)}.`);
      edgeNames.set(s.edgeHostName, d.label);
    }
    const nic = s?.nic;
    if (nic?.mode === 'static') {
      const at = `devices.${d.id}.nic`;
      // The user-data keys a static interface by its NIC name and gives it `ipAddress` and `mask` (installer reference,
      // site parameters, stylus.site.network.interfaces.[NIC].ipAddress and .mask:
      // https://docs.spectrocloud.com/clusters/edge/edge-configuration/installer-reference/): without a name or a
      // prefix there is nothing to write.
      if (!nic.address) block(`${at}.address`, 'A static interface needs its address with prefix, for example 10.0.0.5/24.');
      else if (!nic.address.includes('/'))
        block(`${at}.address`, `${nic.address} needs its prefix, for example ${nic.address}/24 (the device list gave the address alone).`);
      if (!nic.gateway) warn(`${at}.gateway`, 'No gateway: an airgapped host still needs a default route for Kubernetes.');
      else if (nic.address && !inSubnet(nic.gateway, nic.address))
        block(`${at}.gateway`, `The gateway ${nic.gateway} is not inside ${nic.address}.`);
      else if (nic.address && nic.gateway === nic.address.split('/')[0])
        block(`${at}.gateway`, "The gateway cannot be the device's own address.");
      // The address changes at the reboot (stylus.site.network.interfaces, installer reference: site network
      // parameters; device-contract §1 step 4: reconnect with the same host key at the new address). Say so before
      // the install, and how the wizard follows it.
      const moveTo = staticAddressOf(site, d.id);
      if (moveTo && d.connection.kind === 'ssh' && d.connection.host !== moveTo)
        warn(
          `${at}.address`,
          `${d.label} takes ${moveTo} at its reboot (the wizard reaches it at ${d.connection.host} now). After the reboot the wizard connects to ${moveTo} and accepts only the host key it knows; if the device comes back at ${d.connection.host} instead, the install goes on there and says so.`,
        );
      if (!nic.name)
        block(
          `${at}.name`,
          `Name the interface of ${d.label} that takes ${nic.address || 'the static address'}${
            d.facts
              ? ` (it has ${
                  d.facts.nics
                    .filter((n) => n.name !== 'lo')
                    .map((n) => n.name)
                    .join(', ') || 'none'
                })`
              : ''
          }.`,
        );
      else if (d.facts && !d.facts.nics.some((n) => n.name === nic.name))
        warn(
          `${at}.name`,
          `${d.label} has no interface named ${nic.name} (it has ${d.facts.nics.map((n) => n.name).join(', ') || 'none'}).`,
        );
    }
  }

  if (site.endpoint.kind === 'vip') {
    const vip = site.endpoint.vip;
    if (!vip) {
      if (plan.topology === 'multi')
        block('endpoint.vip', "A multi-node cluster needs its API endpoint: a free virtual IP on the hosts' network, or Dynamic DNS.");
    } else {
      const addrs = members.flatMap((d) => deviceAddresses(d, site).map((a) => ({ ...a, d })));
      const same = addrs.find((a) => a.address === vip);
      // A single node may use its own address: kube-vip then turns itself off (device-contract §2; cluster
      // endpoint in https://docs.spectrocloud.com/clusters/edge/site-deployment/cluster-deployment/).
      if (same && members.length === 1)
        warn(
          'endpoint.vip',
          `The VIP ${vip} is ${same.d.label}'s own address: allowed for a single node, where kube-vip then turns itself off and the API answers on the host's address.`,
        );
      else if (same)
        block(
          'endpoint.vip',
          `The VIP ${vip} is ${same.d.label}'s own address; a multi-node cluster needs a free address (kube-vip is disabled when it equals a host's IP).`,
        );
      else if (addrs.length && !addrs.some((a) => inSubnet(vip, a.cidr)))
        block('endpoint.vip', `The VIP ${vip} is in none of the hosts' subnets (${[...new Set(addrs.map((a) => a.cidr))].join(', ')}).`);
    }
  } else {
    if (!site.endpoint.hostName) block('endpoint.hostName', 'Dynamic DNS needs the host name of the cluster endpoint.');
    if (!site.endpoint.searchDomain) block('endpoint.searchDomain', 'Dynamic DNS needs the search domain.');
  }
  return out;
}
