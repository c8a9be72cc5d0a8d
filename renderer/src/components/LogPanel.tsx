import { useMemo, useState } from 'react';
import { useStore } from '../store';

export function LogPanel() {
  const logs = useStore((s) => s.logs);
  const devices = useStore((s) => s.visit?.devices);
  const [open, setOpen] = useState(false);
  const names = useMemo(() => new Map((devices ?? []).map((d) => [d.id, d.label])), [devices]);
  const name = (id?: string) => (id ? (names.get(id) ?? '') : '');
  return (
    <details className="log-panel" onToggle={(e) => setOpen(e.currentTarget.open)}>
      <summary>Activity log ({logs.length})</summary>
      <ol className="log-lines" aria-live="off">
        {/* Closed, the lines are not rendered: a rack streams hundreds, and the count above is all that shows. */}
        {open &&
          logs.map((l, i) => (
            <li key={i} className={`log-${l.level}`}>
              <time>{l.time.slice(11, 19)}</time> {l.deviceId && <strong>{name(l.deviceId)}:</strong>} {l.message}
            </li>
          ))}
      </ol>
    </details>
  );
}
