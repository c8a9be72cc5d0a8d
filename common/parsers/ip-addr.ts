import type { NicFact } from '../model/host-facts';

const MAC = /^[0-9a-f]{2}(:[0-9a-f]{2}){5}$/i;

/** `ip -j addr` (compact or --pretty). Loopback is left out: it is never a cluster interface. */
export function parseIpAddrJson(text: string): NicFact[] {
  const doc = JSON.parse(text.trim() || '[]') as Array<Record<string, unknown>>;
  return doc
    .filter((l) => l.link_type !== 'loopback' && l.ifname !== 'lo')
    .map((l) => ({
      name: String(l.ifname),
      state: typeof l.operstate === 'string' ? l.operstate : null,
      mac: typeof l.address === 'string' && MAC.test(l.address) ? l.address : null, // tunnels carry an IP here
      addresses: (Array.isArray(l.addr_info) ? (l.addr_info as Array<Record<string, unknown>>) : [])
        .filter((a) => (a.family === 'inet' || a.family === 'inet6') && typeof a.local === 'string')
        .map((a) => ({ family: a.family as 'inet' | 'inet6', address: a.local as string, prefix: Number(a.prefixlen) })),
    }));
}

/** `ip -o addr` one-line form, for iproute2 builds without JSON (BusyBox, very old). */
export function parseIpAddrOneline(text: string): NicFact[] {
  const byName = new Map<string, NicFact>();
  for (const line of text.split('\n')) {
    const m = /^\d+:\s+([^\s:@]+)(?:@\S+)?\s+(inet6?)\s+([0-9a-fA-F:.]+)\/(\d+)/.exec(line.trim());
    if (!m || m[1] === 'lo') continue;
    const nic = byName.get(m[1]!) ?? { name: m[1]!, state: null, mac: null, addresses: [] };
    nic.addresses.push({ family: m[2] as 'inet' | 'inet6', address: m[3]!, prefix: Number(m[4]) });
    byName.set(m[1]!, nic);
  }
  return [...byName.values()];
}
