import { useState } from 'react';
import { useAction } from '../../actions';
import { api, useStore } from '../../store';
import { kitStrings as t } from './strings';

/**
 * Opens a site kit (a folder prepared before the visit, or saved by another window or for the CLI) into this
 * visit: its devices, site profile, roles, leader and overrides; the Install step then starts with its bundle.
 * Shown while the visit has no device: a kit brings its own.
 */
export function OpenKitCard() {
  const setVisit = useStore((s) => s.setVisit);
  const setKitBundle = useStore((s) => s.setKitBundle);
  const [dir, setDir] = useState('');
  const [opened, setOpened] = useState<{ devices: number; bundlePath: string; needsSecrets: string[] } | null>(null);
  const opening = useAction();
  const open = () =>
    opening.run(
      () => api['kit.open']({ dir }),
      (r) => {
        setVisit(r.visit);
        setKitBundle({ path: r.bundlePath, sha256: r.sha256 });
        setOpened(r);
      },
    );
  return (
    <details className="card import">
      <summary>{t.title}</summary>
      <p className="muted">{t.intro}</p>
      <div className="field">
        <label htmlFor="kit-open-dir">{t.dir}</label>
        <input id="kit-open-dir" value={dir} onChange={(e) => setDir(e.target.value)} placeholder="/home/technician/kits/store12" />
      </div>
      <div className="actions">
        <button type="button" disabled={!dir.trim() || opening.busy} aria-busy={opening.busy} onClick={() => void open()}>
          {t.open}
        </button>
      </div>
      {opening.error && (
        <p className="field-error" role="alert">
          {opening.error}
        </p>
      )}
      {opened && (
        <p role="status" data-testid="kit-opened">
          {t.opened(opened.devices, opened.bundlePath, opened.needsSecrets)}
        </p>
      )}
    </details>
  );
}
