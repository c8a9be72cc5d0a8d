import type { DeviceView } from '../../common/model/device';
import { shQuote, tcpConnectCommand } from '../../common/shell/quote';
import type { SshSession } from './ssh/session';

export type PortVerdict = 'open' | 'refused' | 'filtered' | 'unreachable' | 'error';

export interface ReachResult {
  from: string; // device id
  to: string; // device id
  address: string;
  port: number;
  verdict: PortVerdict;
  /** open or refused: the packets arrive, so the port will work once the cluster listens on it. */
  reachable: boolean;
}

export const CROSS_CHECK_PORTS = [6443, 2379, 2380, 10250];

/** The address other hosts use for a device: the one we connect to, else its first IPv4 address. */
export function clusterAddress(d: DeviceView): string | null {
  if (d.connection.kind === 'ssh' && /^[\d.]+$/.test(d.connection.host)) return d.connection.host;
  const nic = d.facts?.nics.find((n) => n.addresses.some((a) => a.family === 'inet'));
  return nic?.addresses.find((a) => a.family === 'inet')?.address ?? (d.connection.kind === 'ssh' ? d.connection.host : null);
}

/**
 * From one device, a TCP connect to each peer and port (bash /dev/tcp under `timeout`). Before the
 * cluster runs nothing listens, so "refused" is the good answer: it proves the path is open; a
 * timeout means a firewall drops the packets.
 */
export async function probeFrom(
  session: SshSession,
  from: DeviceView,
  peers: { id: string; address: string }[],
  ports = CROSS_CHECK_PORTS,
): Promise<ReachResult[]> {
  const lines = peers.flatMap((p) =>
    ports.map(
      (port) =>
        `r=$(${tcpConnectCommand(p.address, port, 3)} 2>&1); c=$?; printf '%s %s %s %s\\n' ${shQuote(p.id)} ${shQuote(p.address)} ${port} "$c:$(printf %s "$r" | tr '\\n' ' ' | cut -c1-80)"`,
    ),
  );
  const result = await session.exec('sh -s', { stdin: `export LC_ALL=C\n${lines.join('\n')}\n`, timeoutMs: 10_000 + lines.length * 4000 });
  return result.stdout
    .split('\n')
    .filter(Boolean)
    .map((line) => {
      const [to, address, port, ...rest] = line.split(' ');
      const status = rest.join(' ');
      const verdict = classify(status);
      return {
        from: from.id,
        to: to!,
        address: address!,
        port: Number(port),
        verdict,
        reachable: verdict === 'open' || verdict === 'refused',
      };
    });
}

export function classify(status: string): PortVerdict {
  const [code, ...msg] = status.split(':');
  const text = msg.join(':');
  if (code === '0') return 'open';
  if (code === '124') return 'filtered';
  if (/refused/i.test(text)) return 'refused';
  if (/No route|unreachable/i.test(text)) return 'unreachable';
  return 'error';
}
