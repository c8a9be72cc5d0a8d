import { useState } from 'react';
import type { UninstallPreview, UninstallView } from '../../../../common/upgrade/uninstall';
import { useAction } from '../../actions';
import { ErrorBox } from '../../components/ErrorBox';
import { VerifyList } from '../../components/VerifyList';
import { api, useStore } from '../../store';
import { uninstallStrings as t } from './strings';

/**
 * "Uninstall the agent", one device at a time: the dry run first (what it will remove), then the uninstall
 * and the check that the agent is gone. A centrally managed host asks for the Palette record first.
 */
export function UninstallCard() {
  const visit = useStore((s) => s.visit)!;
  const openReport = useStore((s) => s.openReport);
  const withAgent = visit.devices.filter((d) => d.state === 'connected' && d.facts?.software.agent.installed);
  const [deviceId, setDeviceId] = useState('');
  const [preview, setPreview] = useState<UninstallPreview | null>(null);
  const [confirmed, setConfirmed] = useState(false);
  const [result, setResult] = useState<UninstallView | null>(null);
  const action = useAction();
  const label = visit.devices.find((d) => d.id === deviceId)?.label ?? '';

  const choose = (id: string) => {
    setDeviceId(id);
    setPreview(null);
    setConfirmed(false);
    setResult(null);
    action.setError('');
  };
  return (
    <section className="card" aria-labelledby="uninstall-title" data-testid="uninstall">
      <h2 id="uninstall-title">{t.title}</h2>
      <p className="muted">{t.intro}</p>
      <div className="field">
        <label htmlFor="uninstall-device">{t.device}</label>
        <select id="uninstall-device" value={deviceId} onChange={(e) => choose(e.target.value)}>
          <option value="">{t.choose}</option>
          {withAgent.map((d) => (
            <option key={d.id} value={d.id}>
              {d.label} (agent {d.facts?.software.agent.version ?? '?'})
            </option>
          ))}
        </select>
      </div>
      <div className="actions">
        <button
          type="button"
          disabled={!deviceId || action.busy}
          aria-busy={action.busy && !preview}
          onClick={() => void action.run(() => api['agent.uninstallPreview']({ deviceId }), setPreview)}
        >
          {t.preview}
        </button>
      </div>
      {preview && preview.deviceId === deviceId && (
        <>
          <h3>{t.dryRun(label)}</h3>
          <pre className="detail" data-testid="uninstall-dry-run">
            {preview.dryRun}
          </pre>
          {preview.needsPaletteConfirmation && (
            <label className="check">
              <input type="checkbox" checked={confirmed} onChange={(e) => setConfirmed(e.target.checked)} /> {t.paletteRecord}
            </label>
          )}
          <div className="actions">
            <button
              type="button"
              className="danger"
              disabled={action.busy || (preview.needsPaletteConfirmation && !confirmed)}
              aria-busy={action.busy}
              onClick={() =>
                void action.run(
                  () => api['agent.uninstall']({ deviceId, paletteRecordWillBeDeleted: confirmed || undefined }),
                  (v) => {
                    setResult(v);
                    setPreview(null);
                  },
                )
              }
            >
              {t.uninstall(label)}
            </button>
          </div>
        </>
      )}
      {action.error && (
        <p className="field-error" role="alert">
          {action.error}
        </p>
      )}
      {result && (
        <div data-testid="uninstall-result" data-phase={result.phase}>
          <p role="status">
            <span aria-hidden="true">{result.phase === 'done' ? '✔ ' : '✖ '}</span>
            {result.phase === 'done' ? t.done(result.label, result.versionBefore) : t.failed(result.label)}
          </p>
          {result.error && <ErrorBox error={result.error} />}
          {result.verify && <VerifyList checks={result.verify} label={t.verification} />}
          <div className="actions">
            <button type="button" onClick={() => openReport(result.runId)}>
              {t.report}
            </button>
          </div>
        </div>
      )}
    </section>
  );
}
