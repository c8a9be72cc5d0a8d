import { act } from '../actions';
import { useEffect, useState } from 'react';
import { formatBytes } from '../../../common/format';
import type { BundleSummary } from '../../../common/install/bundle';
import { errorText } from '../api/client';
import { api, useStore } from '../store';
import { bundleStrings as t } from './bundle-strings';

export type CheckedBundle = BundleSummary & { bundleId: string; expectedSha256?: string };

/**
 * Choosing and checking the agent-mode bundle: a native dialog in the desktop app (main keeps the path,
 * the window gets an opaque id), a typed path in the browser host. Nothing is sent to a device here.
 */
export function BundleCard({ onChecked, error }: { onChecked: (b: CheckedBundle | null) => void; error?: string }) {
  // A kit opened on the Devices step names its bundle: start from it.
  const [path, setPath] = useState(() => useStore.getState().kitBundle?.path ?? '');
  const [sha, setSha] = useState(() => useStore.getState().kitBundle?.sha256 ?? '');
  const [bundle, setBundle] = useState<CheckedBundle | null>(null);
  const [picked, setPicked] = useState<{ bundleId: string; displayName: string } | null>(null);
  const [shell, setShell] = useState<'electron' | 'browser'>('browser');
  const [bundleError, setBundleError] = useState('');
  const [busy, setBusy] = useState(false);
  useEffect(() => {
    act(
      () => api['app.info']({}),
      (i) => setShell(i.shell),
    );
  }, []);
  const set = (b: CheckedBundle | null) => {
    setBundle(b);
    onChecked(b);
  };
  const check = async () => {
    setBusy(true);
    set(null);
    setBundleError('');
    try {
      set({
        ...(await api['bundle.inspect']({ ...(picked ? { bundleId: picked.bundleId } : { path }), expectedSha256: sha || undefined })),
        expectedSha256: sha || undefined,
      });
    } catch (err) {
      setBundleError(errorText(err));
    } finally {
      setBusy(false);
    }
  };
  const shownError = bundleError || error;
  return (
    <section className="card" aria-labelledby="bundle-title">
      <h2 id="bundle-title">{t.title}</h2>
      <div className="grid-2">
        {shell === 'electron' ? (
          <div className="field">
            <span className="label">{t.bundlePath}</span>
            <button
              type="button"
              onClick={async () => {
                const p = await api['bundle.pick']({});
                if (p) {
                  setPicked(p);
                  set(null);
                }
              }}
            >
              {picked ? picked.displayName : t.choose}
            </button>
          </div>
        ) : (
          <div className="field">
            <label htmlFor="bundle-path">{t.bundlePath}</label>
            <input
              id="bundle-path"
              value={path}
              placeholder={t.bundleHint}
              spellCheck={false}
              onChange={(e) => {
                setPath(e.target.value);
                set(null);
              }}
            />
          </div>
        )}
        <div className="field">
          <label htmlFor="bundle-sha">{t.sha256}</label>
          <input id="bundle-sha" value={sha} spellCheck={false} className="mono" onChange={(e) => setSha(e.target.value)} />
        </div>
      </div>
      <div className="actions">
        <button type="button" onClick={check} disabled={(!path && !picked) || busy}>
          {busy ? t.checking : t.check}
        </button>
      </div>
      {bundle && (
        <div data-testid="bundle-ok">
          <p>
            <strong>{t.checked(bundle.fileName, bundle.arch, formatBytes(bundle.size))}</strong>{' '}
            <span className="mono muted">sha256 {bundle.sha256}</span>
          </p>
          <p className={bundle.checksum.ok ? '' : 'field-warn'}>
            {bundle.checksum.ok
              ? t.checksumOk(bundle.checksum.source === 'pasted' ? 'pasted value' : `${bundle.fileName}.sha256`)
              : t.checksumNone}
          </p>
        </div>
      )}
      {shownError && (
        <p className="field-error" role="alert" data-testid="bundle-error">
          {shownError}
        </p>
      )}
    </section>
  );
}
