/** The cluster the technician is building: topology, roles, distribution, agent flavour, mode. */

export type Distribution = 'pxke' | 'k3s' | 'canonical';
export type ManagementMode = 'local' | 'central';
export type AgentFlavour = 'standard' | 'fips';
export type Role = 'control-plane' | 'worker';
export type Topology = 'single' | 'multi';
export type Cni = 'calico' | 'cilium' | 'flannel';

export interface Plan {
  topology: Topology;
  distribution: Distribution;
  kubernetesVersion: string; // x.y.z
  flavour: AgentFlavour;
  mode: ManagementMode;
  cni: Cni;
  /** Role per device id; devices not listed are not part of the cluster. */
  roles: Record<string, Role>;
  leader: string | null; // a control-plane device id
  /** stylus.path other than "/" (documented as risky; not with Canonical). */
  customInstallPath: boolean;
  /** VXLAN overlay, chosen at cluster creation. */
  overlay: boolean;
  /** Palette manages NTP (needs systemd-timesyncd) and DNS / static IPs (needs systemd-resolved and -networkd). */
  paletteManagesNtp: boolean;
  paletteManagesNetwork: boolean;
}

export const DISTRIBUTIONS: { id: Distribution; name: string; techPreview: boolean; versions: string[] }[] = [
  // Versions named in the agent-mode architecture page (4.7.20 packs); others can be typed.
  { id: 'pxke', name: 'Palette eXtended Kubernetes Edge (PXK-E)', techPreview: false, versions: ['1.31.12', '1.32.8', '1.33.4'] },
  { id: 'k3s', name: 'Palette Optimized K3s', techPreview: false, versions: [] },
  { id: 'canonical', name: 'Palette Optimized Canonical', techPreview: true, versions: ['1.32.8', '1.33.4'] },
];

export function defaultPlan(): Plan {
  return {
    topology: 'single',
    distribution: 'pxke',
    kubernetesVersion: '1.32.8',
    flavour: 'standard',
    mode: 'local',
    cni: 'calico',
    roles: {},
    leader: null,
    customInstallPath: false,
    overlay: false,
    paletteManagesNtp: false,
    paletteManagesNetwork: false,
  };
}

/** "1.32.8" → [1, 32, 8]; null when not x.y or x.y.z */
export function parseKubeVersion(v: string): [number, number, number] | null {
  const m = /^v?(\d+)\.(\d+)(?:\.(\d+))?$/.exec(v.trim());
  return m ? [Number(m[1]), Number(m[2]), Number(m[3] ?? 0)] : null;
}

export function kubeAtLeast(v: string, major: number, minor: number): boolean {
  const p = parseKubeVersion(v);
  return !!p && (p[0] > major || (p[0] === major && p[1] >= minor));
}
