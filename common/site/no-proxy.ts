import ipaddr from 'ipaddr.js';
import type { DeviceView } from '../model/device';
import type { Plan } from '../plan/model';
import { deviceAddresses } from './issues';
import type { SiteConfig } from './model';

/** Service CIDRs the distributions use by default (the second address of it must bypass the proxy for Canonical). */
export const SERVICE_CIDR: Record<Plan['distribution'], string> = {
  pxke: '10.96.0.0/12',
  k3s: '10.43.0.0/16',
  canonical: '10.152.183.0/24',
  rke2: '10.43.0.0/16',
};

export interface NoProxySuggestion {
  value: string;
  why: string;
}

/** What NO_PROXY should hold for this plan: node IPs, the VIP, cluster domains, Canonical's service IP. */
export function suggestNoProxy(site: SiteConfig, plan: Plan, devices: DeviceView[]): NoProxySuggestion[] {
  const out: NoProxySuggestion[] = [
    { value: 'localhost', why: 'this host' },
    { value: '127.0.0.1', why: 'this host' },
    { value: '.svc', why: 'Kubernetes services' },
    { value: '.cluster.local', why: 'the cluster domain' },
  ];
  for (const d of devices.filter((x) => plan.roles[x.id])) {
    for (const a of deviceAddresses(d, site).filter((x) => !x.address.includes(':') || !x.address.startsWith('fe80')))
      out.push({ value: a.address, why: `${d.label}'s address` });
  }
  if (site.endpoint.kind === 'vip' && site.endpoint.vip) out.push({ value: site.endpoint.vip, why: 'the cluster VIP' });
  if (site.endpoint.kind === 'ddns' && site.endpoint.hostName) out.push({ value: site.endpoint.hostName, why: 'the cluster endpoint' });
  if (plan.distribution === 'canonical')
    out.push({ value: secondAddress(SERVICE_CIDR.canonical), why: 'Canonical: the second IP of the service CIDR (the API service)' });
  out.push({ value: SERVICE_CIDR[plan.distribution], why: 'the service CIDR' });
  const seen = new Set<string>();
  return out.filter((s) => !seen.has(s.value) && seen.add(s.value));
}

export function secondAddress(cidr: string): string {
  const [net] = ipaddr.parseCIDR(cidr);
  const bytes = net.toByteArray();
  bytes[bytes.length - 1]! += 1;
  return ipaddr.fromByteArray(bytes).toString();
}
