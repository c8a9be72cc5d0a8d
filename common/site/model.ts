/** Site properties: what the technician enters once per site, turned into each device's user-data. */

export interface CaCertificate {
  id: string; // sha256 fingerprint, colon-free hex
  pem: string;
  subject: string;
  issuer: string;
  notBefore: string; // ISO
  notAfter: string; // ISO
  fingerprint256: string; // AA:BB:...
  isCA: boolean;
  warnings: string[]; // expired, not yet valid, not a CA
}

export interface NicSettings {
  name: string; // eth0, enp1s0
  mode: 'dhcp' | 'static';
  address: string; // CIDR, static only
  gateway: string;
  dns: string[];
}

export interface DeviceSiteSettings {
  hostName: string;
  edgeHostName: string; // stylus.site.name: the edge host id in Palette / Local UI
  nic: NicSettings | null; // null: leave every NIC on DHCP
}

export type ClusterEndpoint = { kind: 'vip'; vip: string } | { kind: 'ddns'; hostName: string; searchDomain: string };

export interface SiteConfig {
  schemaVersion: 1;
  central: { paletteEndpoint: string; projectName: string; projectUid: string };
  proxy: { httpProxy: string; httpsProxy: string; username: string; noProxy: string[] };
  caCerts: CaCertificate[];
  nameserver: string;
  ntpServers: string[];
  devices: Record<string, DeviceSiteSettings>;
  endpoint: ClusterEndpoint;
  installPath: string; // "/" is the default
  localUiPort: number; // 5080 is the default
  localUiUser: { name: string; passwordHash: string } | null; // crypt(3) SHA-512 hash only
  /** Optional agent settings (installer reference): written only when set. */
  options: AgentOptions;
}

export interface AgentOptions {
  /** stylus.vip.skip: no kube-vip (an external load balancer, or cloud VMs). */
  vipSkip: boolean;
  /** stylus.debug: the agent logs at debug level. */
  debug: boolean;
  /** stylus.site.tags: labels the edge host carries in Palette. */
  tags: Record<string, string>;
}

/** Secrets: typed, used, forgotten. Never in SiteConfig, profiles, logs or reports. */
export interface SiteSecrets {
  edgeHostToken?: string;
  proxyPassword?: string;
  /** A Palette API key, only to read the agent version the instance expects (memory only, never written). */
  paletteApiKey?: string;
}

export const DEFAULT_LOCAL_UI_PORT = 5080;

export function defaultSite(): SiteConfig {
  return {
    schemaVersion: 1,
    central: { paletteEndpoint: '', projectName: '', projectUid: '' },
    proxy: { httpProxy: '', httpsProxy: '', username: '', noProxy: [] },
    caCerts: [],
    nameserver: '',
    ntpServers: [],
    devices: {},
    endpoint: { kind: 'vip', vip: '' },
    installPath: '/',
    localUiPort: DEFAULT_LOCAL_UI_PORT,
    localUiUser: null,
    options: { vipSkip: false, debug: false, tags: {} },
  };
}
