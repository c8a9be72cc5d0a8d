import { TableHead } from '../../components/TableHead';
import type { DiskFact, HostFacts } from '../../../../common/model/host-facts';
import { formatBytes, orUnknown } from '../../../../common/format';
import { checkStrings as t } from './strings';

function diskKind(d: DiskFact): string {
  if (d.rotational === false) return t.ssd;
  if (d.rotational === true) return d.transport === 'virtio' ? `${t.hdd}` : t.hdd;
  return 'unknown';
}

export function Facts({ f }: { f: HostFacts }) {
  const root = f.filesystems.find((x) => x.mount === '/');
  const rows: [string, string, string][] = [
    ['hostname', t.labels.hostname, orUnknown(f.hostname)],
    ['machine-id', t.labels.machineId, orUnknown(f.machineId)],
    ['arch', t.labels.arch, `${f.arch}${f.rawArch ? ` (${f.rawArch})` : ''}`],
    ['os', t.labels.os, orUnknown(f.os.prettyName)],
    ['kernel', t.labels.kernel, orUnknown(f.kernel)],
    ['cpu', t.labels.cpu, orUnknown(f.cpuCores)],
    ['cpu-model', t.labels.cpuModel, orUnknown(f.cpuModel)],
    ['memory', t.labels.memory, formatBytes(f.memoryBytes)],
    ['swap', t.labels.swap, formatBytes(f.swapBytes)],
    ['root-disk', t.labels.rootDisk, orUnknown(f.rootDisk)],
    ['free-root', t.labels.freeRoot, root ? formatBytes(root.availableBytes) : 'unknown'],
    ['systemd', t.labels.systemd, f.systemd === null ? 'unknown' : f.systemd ? 'yes' : 'no'],
    ['shell', t.labels.shell, orUnknown(f.loginShell)],
    ['bin-sh', t.labels.binSh, orUnknown(f.binSh)],
  ];
  return (
    <>
      <dl className="kv facts-grid">
        {rows.map(([key, label, value]) => (
          <div key={key} data-fact={key}>
            <dt>{label}</dt>
            <dd data-testid={`fact-${key}`} data-raw={rawValue(f, key)}>
              {value}
            </dd>
          </div>
        ))}
      </dl>
      <h3>{t.disks}</h3>
      <div className="table-wrap">
        <div className="table-scroll" tabIndex={0}>
          <table>
            <TableHead cols={t.diskCols} />
            <tbody>
              {f.disks.map((d) => (
                <tr key={d.name}>
                  <td className="mono">{d.name}</td>
                  <td>{formatBytes(d.sizeBytes)}</td>
                  <td>{diskKind(d)}</td>
                  <td>{orUnknown(d.transport)}</td>
                  <td>{orUnknown(d.model)}</td>
                  <td>{d.holdsRoot ? '✔ yes' : ''}</td>
                </tr>
              ))}
            </tbody>
          </table>
        </div>
      </div>
      <h3>{t.nics}</h3>
      <ul className="nics">
        {f.nics.map((n) => (
          <li key={n.name}>
            <strong className="mono">{n.name}</strong> {n.state ?? ''} {n.mac ? <span className="muted mono">{n.mac}</span> : null}
            <span className="mono"> {n.addresses.map((a) => `${a.address}/${a.prefix}`).join(', ') || 'no address'}</span>
          </li>
        ))}
      </ul>
      {f.unknown.length > 0 && (
        <p className="muted">
          {t.unknown}: {f.unknown.join(', ')}
        </p>
      )}
    </>
  );
}

/** Exact values for tests and copy/paste, beside the formatted ones. */
function rawValue(f: HostFacts, key: string): string | undefined {
  if (key === 'memory') return String(f.memoryBytes ?? '');
  if (key === 'cpu') return String(f.cpuCores ?? '');
  if (key === 'arch') return f.rawArch ?? '';
  return undefined;
}
