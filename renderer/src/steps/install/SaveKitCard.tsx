import { useState } from 'react';
import { useAction } from '../../actions';
import type { CheckedBundle } from '../../components/BundleCard';
import { api } from '../../store';
import { installStrings as t } from './strings';

/**
 * Saves this visit as a site kit (kit.yaml, site.yaml, devices.csv; no secret) for the headless CLI: rehearse the
 * visit with `eai survey`, or run a fleet with `eai install`.
 */
export function SaveKitCard({ bundle }: { bundle: CheckedBundle }) {
  const [dir, setDir] = useState('');
  const [saved, setSaved] = useState<{ dir: string; files: string[]; skipped: string[] } | null>(null);
  const saving = useAction();
  const save = () =>
    saving.run(
      () => api['kit.save']({ dir, bundleId: bundle.bundleId, ...(bundle.expectedSha256 ? { sha256: bundle.expectedSha256 } : {}) }),
      setSaved,
    );
  return (
    <section className="card" aria-labelledby="kit-title">
      <h2 id="kit-title">{t.kitTitle}</h2>
      <p className="muted">{t.kitIntro}</p>
      <div className="field">
        <label htmlFor="kit-dir">{t.kitDir}</label>
        <input id="kit-dir" value={dir} onChange={(e) => setDir(e.target.value)} placeholder="/home/technician/kits/store12" />
      </div>
      <div className="actions">
        <button type="button" disabled={!dir.trim() || saving.busy} aria-busy={saving.busy} onClick={() => void save()}>
          {t.kitSave}
        </button>
      </div>
      {saving.error && (
        <p className="field-error" role="alert">
          {saving.error}
        </p>
      )}
      {saved && (
        <p role="status" data-testid="kit-saved">
          {t.kitSaved(saved.dir, saved.files, saved.skipped)}
        </p>
      )}
    </section>
  );
}
