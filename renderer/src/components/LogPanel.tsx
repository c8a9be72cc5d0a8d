import { useStore } from '../store';

export function LogPanel() {
  const logs = useStore((s) => s.logs);
  const devices = useStore((s) => s.visit?.devices ?? []);
  const name = (id?: string) => devices.find((d) => d.id === id)?.label ?? '';
  return (
    <details className="log-panel">
      <summary>Activity log ({logs.length})</summary>
      <ol className="log-lines" aria-live="off">
        {logs.map((l, i) => (
          <li key={i} className={`log-${l.level}`}>
            <time>{l.time.slice(11, 19)}</time> {l.deviceId && <strong>{name(l.deviceId)}:</strong>} {l.message}
          </li>
        ))}
      </ol>
    </details>
  );
}
