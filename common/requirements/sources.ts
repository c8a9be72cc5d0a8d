/** Public sources the requirements cite. A requirement without one says it is the installer's own rule. */
export interface Source {
  title: string;
  url: string;
}

export const SOURCES = {
  architecture: {
    title: 'Agent mode architecture — minimum device requirements',
    url: 'https://docs.spectrocloud.com/deployment-modes/agent-mode/architecture/#minimum-device-requirements',
  },
  limitations: {
    title: 'Agent mode architecture — limitations',
    url: 'https://docs.spectrocloud.com/deployment-modes/agent-mode/architecture/#limitations',
  },
  install: {
    title: 'Install Palette agent on host — prerequisites',
    url: 'https://docs.spectrocloud.com/deployment-modes/agent-mode/install-agent-host/#prerequisites',
  },
  verified: {
    title: 'Install Palette agent on host — verified OS and distribution combinations',
    url: 'https://docs.spectrocloud.com/deployment-modes/agent-mode/install-agent-host/',
  },
  multiNode: {
    title: 'Edge multi-node clusters — link hosts (local management)',
    url: 'https://docs.spectrocloud.com/clusters/edge/local-ui/cluster-management/link-hosts/',
  },
  ports: { title: 'Edge networking — required ports', url: 'https://docs.spectrocloud.com/clusters/edge/networking/' },
  etcdQuorum: {
    title: 'etcd — why an odd number of cluster members',
    url: 'https://etcd.io/docs/v3.5/faq/#why-an-odd-number-of-cluster-members',
  },
  k8sSwap: {
    title: 'Kubernetes — swap memory management',
    url: 'https://kubernetes.io/docs/concepts/cluster-administration/swap-memory-management/',
  },
  k8sCgroup: { title: 'Kubernetes — about cgroup v2', url: 'https://kubernetes.io/docs/concepts/architecture/cgroups/' },
  twoNode: {
    title: 'Edge two-node architecture — supported in appliance mode only, not in agent mode',
    url: 'https://docs.spectrocloud.com/clusters/edge/architecture/two-node/',
  },
  k8sKernel: {
    title: 'Kubernetes — Linux kernel version requirements',
    url: 'https://kubernetes.io/docs/reference/node/kernel-version-requirements/',
  },
  siteParams: {
    title: 'Edge installer configuration — site parameters (stylus.site)',
    url: 'https://docs.spectrocloud.com/clusters/edge/edge-configuration/installer-reference/#site-parameters',
  },
  installer: { title: 'Edge Agent Installer rule (no public source; see the note)', url: '' },
} satisfies Record<string, Source>;
