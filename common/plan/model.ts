/** The cluster the technician is building: topology, roles, distribution, agent flavour, mode. */

import type { z } from 'zod';
import type { planSchema } from './schema';

/**
 * The plan's type is the schema's (common/plan/schema.ts, which also documents each field): written once,
 * so the window, main and the journal cannot disagree on it.
 */
export type Plan = z.infer<typeof planSchema>;
export type Distribution = Plan['distribution'];
export type ManagementMode = Plan['mode'];
export type AgentFlavour = Plan['flavour'];
export type Role = Plan['roles'][string];
export type Topology = Plan['topology'];
export type Cni = Plan['cni'];

/**
 * The distributions of the newest agent-mode architecture page (PXK-E, Canonical, K3s, RKE2), which no longer
 * calls Canonical a Tech Preview: https://docs.spectrocloud.com/deployment-modes/agent-mode/architecture/
 */
export const DISTRIBUTIONS: { id: Distribution; name: string; versions: string[] }[] = [
  // Versions named in the agent-mode architecture page (4.7.20 packs); others can be typed.
  { id: 'pxke', name: 'Palette eXtended Kubernetes Edge (PXK-E)', versions: ['1.31.12', '1.32.8', '1.33.4'] },
  { id: 'k3s', name: 'Palette Optimized K3s', versions: [] },
  { id: 'canonical', name: 'Palette Optimized Canonical', versions: ['1.32.8', '1.33.4'] },
  { id: 'rke2', name: 'Palette Optimized RKE2', versions: [] },
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
